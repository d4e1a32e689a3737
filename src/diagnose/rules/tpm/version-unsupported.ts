import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE, tpmErrorsWithCode } from './support.js';

/**
 * tpm.version-unsupported: a TPM 1.2. Win32_Tpm SpecVersion starts with "1.2" (it reads
 * "2.0, 0, 1.59" on a TPM 2.0), tpmtool says "TPM Version: 1.2", or the TPM answered our TPM 2.0
 * commands with the TPM 1.2 code TPM_BADTAG (0x01E: the V bit of TPM_RC_VER1 is not set, Part 2
 * §6.6). Windows 11, device health attestation and Autopilot self-deploying/pre-provisioning need
 * TPM 2.0.
 */
export const versionUnsupported: Rule = {
  ids: ['tpm.version-unsupported'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.version-unsupported'];
    const w = snapshot.windows;
    const evidence: Evidence[] = [];
    const spec = w?.win32Tpm?.specVersion?.trim();
    if (spec?.startsWith('1.2'))
      evidence.push({ source: SOURCE.win32Tpm, field: 'SpecVersion', value: spec });
    const version = w?.tpmtool?.tpmVersion?.trim();
    if (version?.startsWith('1.2'))
      evidence.push({ source: SOURCE.tpmtool, field: 'TPM Version', value: version });
    // Get-Tpm prints "Not Supported for TPM 1.2" for the TPM 2.0-only properties on a TPM 1.2.
    const full20 = w?.getTpm?.manufacturerVersionFull20?.trim();
    if (full20 !== undefined && /not supported for tpm 1\.2/i.test(full20))
      evidence.push({ source: SOURCE.getTpm, field: 'ManufacturerVersionFull20', value: full20 });
    for (const e of tpmErrorsWithCode(snapshot, 'TPM_RC_BAD_TAG')) {
      evidence.push({ source: SOURCE.tpm, field: `${e.section} error`, value: `${e.code}: ${e.message}` });
    }
    if (evidence.length === 0) return [];
    return [
      {
        id: 'tpm.version-unsupported',
        severity: 'error',
        title: t.title,
        why: t.why,
        impacts: ['compliance', 'attestation', 'windows-hello'],
        evidence,
        remedy: {
          step: 'update',
          action: t.action,
          destroysKeys: false,
        },
        references: [
          'https://learn.microsoft.com/windows/security/hardware-security/tpm/tpm-recommendations',
        ],
      } satisfies Finding,
    ];
  },
};
