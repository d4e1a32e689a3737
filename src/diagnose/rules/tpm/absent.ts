import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
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
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.absent'];
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
        title: t.title,
        why: t.why,
        impacts: ['compliance', 'bitlocker', 'windows-hello', 'attestation', 'sync'],
        evidence,
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        blocksClear: t.blocksClear,
        references: [
          'https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm',
          'https://learn.microsoft.com/windows/security/hardware-security/tpm/trusted-platform-module-overview',
        ],
      } satisfies Finding,
    ];
  },
};
