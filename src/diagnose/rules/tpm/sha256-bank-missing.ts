import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/**
 * tpm.sha256-bank-missing: no SHA-256 PCR bank with PCRs allocated (TPM2_GetCapability(TPM_CAP_PCRS)).
 * Measured boot then records only into SHA-1 (or nothing): attestation services that expect
 * SHA-256 measurements reject the device, SHA-1 PCR values are deprecated for trust decisions, and
 * BitLocker's PCR 7 binding seals to weaker measurements. A bank is allocated with TPM2_PCR_Allocate
 * (platform authorisation) and takes effect at the next TPM reset, i.e. a firmware setting.
 */
export const sha256BankMissing: Rule = {
  ids: ['tpm.sha256-bank-missing'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.sha256-bank-missing'];
    const banks = snapshot.tpm?.pcrBanks;
    if (!banks) return [];
    if (banks.some((b) => b.hashAlg === 'sha256' && b.pcrs.length > 0)) return [];
    const allocated = banks.filter((b) => b.pcrs.length > 0);
    const none = allocated.length === 0;
    return [
      {
        id: 'tpm.sha256-bank-missing',
        severity: none ? 'error' : 'warning',
        title: none ? t.titleNone : t.titleNoSha256,
        why: none ? t.whyNone : t.whyNoSha256,
        impacts: ['attestation', 'compliance', 'bitlocker'],
        evidence: [
          {
            source: SOURCE.tpm,
            field: 'allocated PCR banks',
            value: none ? 'none' : allocated.map((b) => `${b.hashAlg} (${b.pcrs.length} PCRs)`).join(', '),
          },
        ],
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        references: [
          'TCG TPM 2.0 Library Part 3 §22.5 TPM2_PCR_Allocate',
          'TCG PC Client Platform Firmware Profile (PCR banks)',
        ],
      } satisfies Finding,
    ];
  },
};
