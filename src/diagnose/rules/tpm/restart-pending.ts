import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { decodeIsReady } from './is-ready-bits.js';
import { clearNeededEvidence, hex8, SOURCE } from './support.js';

/** IsReadyInformation bits that say a restart is pending (shutdown, reboot, physical presence). */
const RESTART_BITS = 0x2 | 0x4 | 0x10;

/**
 * tpm.restart-pending: Windows is waiting for a restart to finish a TPM operation: Get-Tpm
 * RestartPending True, or IsReadyInformation 0x2 (shutdown needed), 0x4 (reboot needed), 0x10
 * (physical presence needed: a PPI request waits for confirmation at the next boot). It blocks a
 * clear: the pending operation may itself be a clear (PPI op 5/14) or a provisioning step, and
 * stacking a second operation on it risks a double clear or a half-provisioned TPM.
 *
 * A warning on its own; an error when the snapshot shows a clear is needed, so that the verdict's
 * next step is this restart and never a clear it blocks.
 */
export const restartPending: Rule = {
  ids: ['tpm.restart-pending'],
  evaluate(snapshot) {
    const w = snapshot.windows;
    const evidence: Evidence[] = [];
    if (w?.getTpm?.restartPending === true)
      evidence.push({ source: SOURCE.getTpm, field: 'RestartPending', value: true });
    const info = w?.isReady?.information;
    const bits = typeof info === 'number' ? decodeIsReady(info & RESTART_BITS) : [];
    for (const bit of bits) {
      evidence.push({ source: SOURCE.isReady, field: `Information bit ${hex8(bit.mask)}`, value: bit.name });
    }
    if (evidence.length === 0) return [];
    const presence = bits.some((b) => b.mask === 0x10);
    const clearNeeded = clearNeededEvidence(snapshot).length > 0;
    return [
      {
        id: 'tpm.restart-pending',
        severity: clearNeeded ? 'error' : 'warning',
        title: 'Windows is waiting for a restart to finish a TPM operation',
        why: 'Until the restart, the TPM stays in its old state: provisioning does not finish, a requested PPI operation does not run, and Intune compliance keeps the values measured at the last boot (device health attestation is measured at boot).',
        impacts: ['compliance', 'attestation'],
        evidence,
        remedy: {
          step: 'restart',
          action: presence
            ? 'Restart with someone at the keyboard: the firmware asks to confirm the TPM operation (for example F12). Then diagnose again.'
            : 'Restart the device (Restart, not Shut down with Fast Startup), then diagnose again.',
          destroysKeys: false,
        },
        blocksClear:
          'A restart is pending to finish a TPM operation (possibly a clear that is already requested): restart and diagnose again before clearing.',
        references: [
          'https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm',
          'https://learn.microsoft.com/windows/win32/secprov/win32-tpm-isreadyinformation',
        ],
      } satisfies Finding,
    ];
  },
};
