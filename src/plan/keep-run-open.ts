/**
 * Whether a clear run stays open after the proof. On Windows it does when the TPM cleared is this
 * machine's: the post-clear runbook (reboot, re-provisioning, BitLocker, Entra, sync, Windows
 * Hello; docs/clear.md, "The run") continues in the same journal. A software TPM's clear changes
 * nothing Windows provisioned, so its run finishes with the proof, as everywhere else.
 */
export function keepRunOpen(input: { platform: NodeJS.Platform; simulator: boolean }): boolean {
  return input.platform === 'win32' && !input.simulator;
}
