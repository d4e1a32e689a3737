import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
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
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.restart-pending'];
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
        title: t.title,
        why: t.why,
        impacts: ['compliance', 'attestation'],
        evidence,
        remedy: {
          step: 'restart',
          action: presence ? t.actionPresence : t.actionRestart,
          destroysKeys: false,
        },
        blocksClear: t.blocksClear,
        references: [
          'https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm',
          'https://learn.microsoft.com/windows/win32/secprov/win32-tpm-isreadyinformation',
        ],
      } satisfies Finding,
    ];
  },
};
