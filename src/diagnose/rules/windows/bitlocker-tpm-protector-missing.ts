import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { hasTpmProtector, isEncrypted, osVolumes, volumeEvidence } from './bitlocker-volumes.js';
import { REF } from './references.js';

const BITLOCKER_TPM_PROTECTOR_MISSING = 'bitlocker.tpm-protector-missing';

/**
 * An encrypted OS volume with no TPM-based protector (Tpm, TpmPin, TpmStartupKey,
 * TpmPinStartupKey, TpmNetworkKey). Nothing unseals the volume key at boot: with protection On
 * every start asks for a startup key, password or the recovery password; with protection Off the
 * key sits in the clear on the disk. After an OS-initiated TPM clear Windows re-adds the TPM
 * protector once the TPM is provisioned again
 * (https://learn.microsoft.com/windows/win32/secprov/clear-win32-tpm), so a missing one afterwards means the
 * recovery did not finish.
 */
export const bitlockerTpmProtectorMissing: Rule = {
  ids: [BITLOCKER_TPM_PROTECTOR_MISSING],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['bitlocker.tpm-protector-missing'];
    const findings: Finding[] = [];
    for (const v of osVolumes(snapshot.windows?.bitlocker)) {
      // An incomplete protector list (no IDs, cut off) is bitlocker.not-read, not a missing protector.
      if (v.protectorsUnknown !== undefined) continue;
      if (!isEncrypted(v) || hasTpmProtector(v)) continue;
      const mp = v.mountPoint;
      const on = v.protectionStatus === 'On';
      findings.push({
        id: BITLOCKER_TPM_PROTECTOR_MISSING,
        severity: on ? 'error' : 'warning',
        title: t.title({ volume: mp }),
        why: on ? t.whyOn({ volume: mp }) : t.whyOff({ volume: mp }),
        impacts: ['bitlocker', 'compliance'],
        evidence: volumeEvidence(v),
        remedy: {
          step: 'reconfigure',
          action: t.action({ volume: mp, on }),
          destroysKeys: false,
        },
        references: [REF.manageBdeProtectors, REF.getBitLockerVolume, REF.resumeBitLocker],
      });
    }
    return findings;
  },
};
