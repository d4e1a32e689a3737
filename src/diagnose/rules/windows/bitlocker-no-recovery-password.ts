import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import {
  BITLOCKER_SOURCE,
  hasRecoveryPassword,
  hasTpmProtector,
  isEncrypted,
  osVolumes,
  volumeEvidence,
} from './bitlocker-volumes.js';
import { ev } from './evidence.js';
import { REF } from './references.js';

const BITLOCKER_NO_RECOVERY_PASSWORD = 'bitlocker.no-recovery-password';

/**
 * An encrypted OS volume unlocked by the TPM with no RecoveryPassword protector. A TPM clear, or
 * any change to the measured boot (PCRs), leaves the TPM protector unable to unseal the volume key;
 * without a recovery password there is then nothing to type at the recovery screen and the data is
 * lost. This blocks any clear until a recovery password exists and is escrowed (the preflight gate
 * then matches its ID against Entra ID's escrowed keys).
 */
export const bitlockerNoRecoveryPassword: Rule = {
  ids: [BITLOCKER_NO_RECOVERY_PASSWORD],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['bitlocker.no-recovery-password'];
    const findings: Finding[] = [];
    for (const v of osVolumes(snapshot.windows?.bitlocker)) {
      // An incomplete protector list (cut off, masked IDs) is bitlocker.not-read, not a missing
      // password; a view that lists every type without IDs (manage-bde -status) still shows it.
      const types =
        v.protectorsUnknown === undefined ? v.keyProtectors.map((p) => p.type) : v.protectorTypesListed;
      if (types === undefined) continue;
      const byType = { ...v, keyProtectors: types.map((type) => ({ id: '', type })) };
      if (!isEncrypted(v) || !hasTpmProtector(byType) || hasRecoveryPassword(byType)) continue;
      const mp = v.mountPoint;
      findings.push({
        id: BITLOCKER_NO_RECOVERY_PASSWORD,
        severity: 'error',
        title: t.title({ volume: mp }),
        why: t.why({ volume: mp }),
        impacts: ['bitlocker', 'compliance'],
        evidence:
          v.protectorsUnknown === undefined
            ? volumeEvidence(v)
            : [...volumeEvidence(v), ev(BITLOCKER_SOURCE, 'KeyProtector types (no IDs)', types.join(', '))],
        remedy: {
          step: 'reconfigure',
          action: t.action({ volume: mp }),
          destroysKeys: false,
        },
        blocksClear: t.blocksClear({ volume: mp }),
        references: [REF.manageBdeProtectors, REF.backupToAad, REF.getBitLockerVolume],
      });
    }
    return findings;
  },
};
