/**
 * Whether a clear run stays open after the proof. On Windows it does: the post-clear runbook
 * (reboot, re-provisioning, BitLocker, Entra, sync, Windows Hello; docs/clear.md, "The run")
 * continues in the same journal. Elsewhere the run finishes with the proof.
 */
export function keepRunOpen(platform: NodeJS.Platform): boolean {
  return platform === 'win32';
}
