import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { clearNeededEvidence, SOURCE } from './support.js';

/**
 * tpm.clear-disabled: TPMA_PERMANENT.disableClear is set (Part 2 §8.6), so TPM2_Clear returns
 * TPM_RC_DISABLED (0x120) whichever hierarchy authorises it (Part 3 §24.6, §24.7; docs/clear.md); or
 * Windows reports Get-Tpm OwnerClearDisabled True (the OS cannot clear with owner authorisation).
 * Lockout authorisation can only SET disableClear; only platform authorisation clears it with
 * TPM2_ClearControl(NO) (Part 3 §24.7): in practice the firmware, either from its setup screen or
 * as part of a physical-presence clear (EDK2's Tcg2PhysicalPresenceLib runs ClearControl(NO)
 * before Clear for PPI operations 5/14).
 *
 * Harmless on its own (severity info); an error when the snapshot shows a clear is needed
 * (tpm.reduced-functionality), because then it stands between the device and its fix.
 */
export const clearDisabled: Rule = {
  ids: ['tpm.clear-disabled'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.clear-disabled'];
    const evidence: Evidence[] = [];
    const permanent = snapshot.tpm?.permanent;
    const inTpm = permanent?.flags.disableClear === true;
    if (inTpm) {
      evidence.push({ source: SOURCE.tpm, field: 'TPMA_PERMANENT.disableClear', value: true });
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_PERMANENT', value: permanent!.value });
    }
    if (snapshot.windows?.getTpm?.ownerClearDisabled === true) {
      evidence.push({ source: SOURCE.getTpm, field: 'OwnerClearDisabled', value: true });
    }
    if (evidence.length === 0) return [];
    if (snapshot.windows?.tpmtool?.clearPossible === false) {
      evidence.push({ source: SOURCE.tpmtool, field: 'Clear Possible', value: false });
    }
    const clearNeeded = clearNeededEvidence(snapshot).length > 0;
    return [
      {
        id: 'tpm.clear-disabled',
        severity: clearNeeded ? 'error' : 'info',
        title: inTpm ? t.titleInTpm : t.titleWindows,
        why: clearNeeded ? t.whyClearNeeded : t.whyHarmless,
        impacts: clearNeeded ? ['sync', 'compliance', 'windows-hello'] : [],
        evidence,
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        blocksClear: t.blocksClear,
        references: [
          'TCG TPM 2.0 Library Part 3 §24.6 TPM2_Clear, §24.7 TPM2_ClearControl; Part 2 §8.6 TPMA_PERMANENT',
          'https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm',
        ],
      } satisfies Finding,
    ];
  },
};
