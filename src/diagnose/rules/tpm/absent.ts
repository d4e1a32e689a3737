import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/**
 * tpm.absent: no TPM at all. Either the TPM read directly has no device (status.present false, a TPM_ABSENT error)
 * and no Windows source says a TPM is there, or Windows says TpmPresent False. Without a TPM,
 * Intune's "Require TPM" setting, BitLocker with a TPM protector, Windows Hello for Business keys
 * and device attestation all fail.
 */
export const absent: Rule = {
  ids: ['tpm.absent'],
  evaluate(snapshot) {
    const w = snapshot.windows;
    const evidence: Evidence[] = [];
    if (w?.getTpm?.tpmPresent === false)
      evidence.push({ source: SOURCE.getTpm, field: 'TpmPresent', value: false });
    if (w?.tpmtool?.tpmPresent === false) {
      evidence.push({ source: SOURCE.tpmtool, field: 'TPM Present', value: false });
    }
    const windowsSaysPresent = w?.getTpm?.tpmPresent === true || w?.tpmtool?.tpmPresent === true;
    const tpm = snapshot.tpm;
    // Only a missing device counts (TPM_ABSENT): permission denied or a timeout is a failure to
    // look, not evidence that there is no TPM.
    const absentError = tpm?.errors.find((e) => e.code === 'TPM_ABSENT');
    if (tpm && tpm.present !== true && !windowsSaysPresent && absentError) {
      evidence.push({ source: SOURCE.tpm, field: 'present', value: false });
      const first = absentError;
      if (first)
        evidence.push({
          source: SOURCE.tpm,
          field: `${first.section} error`,
          value: `${first.code}: ${first.message}`,
        });
    }
    if (evidence.length === 0) return [];
    return [
      {
        id: 'tpm.absent',
        severity: 'error',
        title: 'No TPM was found',
        why: 'Without a TPM the device fails the Intune "Require TPM" compliance setting, BitLocker cannot use a TPM protector, Windows Hello for Business and the Entra ID device key cannot be TPM-bound, and device health attestation and Autopilot pre-provisioning fail.',
        impacts: ['compliance', 'bitlocker', 'windows-hello', 'attestation', 'sync'],
        evidence,
        remedy: {
          step: 'reconfigure',
          action:
            'Enable the TPM in the UEFI firmware setup (it may be called Security Device Support, Intel PTT or AMD fTPM), then start Windows and check Get-Tpm again. If the board has no TPM, the device needs a TPM 2.0 or replacing. If the TPM was read directly, also check the --tpm address.',
          destroysKeys: false,
        },
        blocksClear: 'No TPM answered: there is nothing to clear until the TPM is enabled.',
        references: [
          'https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm',
          'https://learn.microsoft.com/windows/security/hardware-security/tpm/trusted-platform-module-overview',
        ],
      } satisfies Finding,
    ];
  },
};
