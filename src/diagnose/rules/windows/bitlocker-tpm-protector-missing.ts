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
  evaluate(snapshot) {
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
        title: `BitLocker volume ${mp} has no TPM protector`,
        why: on
          ? `Nothing unlocks ${mp} automatically at boot, so every start asks for a startup key, password ` +
            'or the recovery password; Device Health Attestation does not see TPM-backed BitLocker.'
          : `${mp} is encrypted but protection is off and no TPM protector exists to turn it back on: the ` +
            'volume key is readable from the disk, and Intune reports BitLocker as not protecting the device.',
        impacts: ['bitlocker', 'compliance'],
        evidence: volumeEvidence(v),
        remedy: {
          step: 'reconfigure',
          action:
            `Once the TPM is ready, add a TPM protector: \`manage-bde -protectors -add ${mp} -TPM\` ` +
            `(or Add-BitLockerKeyProtector -MountPoint ${mp} -TpmProtector)` +
            (on ? '' : `, then \`Resume-BitLocker -MountPoint ${mp}\``) +
            '; restart so Device Health Attestation measures the new state.',
          destroysKeys: false,
        },
        references: [REF.manageBdeProtectors, REF.getBitLockerVolume, REF.resumeBitLocker],
      });
    }
    return findings;
  },
};
