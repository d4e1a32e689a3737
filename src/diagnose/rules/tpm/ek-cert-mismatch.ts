import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/**
 * tpm.ek-cert-mismatch: an EK certificate in NV whose public key is not this TPM's EK
 * (endorsement.certificates[].matches === false: compared with the persistent EK of the same
 * template, or with the EK recomputed from the template under --compute-ek). The certificate was
 * copied from another TPM, or the endorsement seed changed (TPM2_ChangeEPS by firmware) after it
 * was issued. Attestation presents the certificate with the EK and the verifier rejects the pair.
 *
 * A clear does NOT fix it: TPM2_Clear keeps the EPS, the EK and platform-created certificate
 * indices (Part 3 §24.6; docs/clear.md). It does not block a clear either: a clear neither repairs nor
 * worsens the pair, so a clear needed for another reason (e.g. 0x900) stays valid; the ladder puts
 * this finding's update first anyway.
 */
export const ekCertMismatch: Rule = {
  ids: ['tpm.ek-cert-mismatch'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.ek-cert-mismatch'];
    const certificates = snapshot.tpm?.endorsement?.certificates ?? [];
    const bad = certificates.filter((c) => c.matches === false);
    if (bad.length === 0) return [];
    const evidence: Evidence[] = [];
    for (const c of bad) {
      const at = `${c.nvIndex}${c.template ? ` (${c.template})` : ''}`;
      evidence.push({ source: SOURCE.tpm, field: `EK certificate ${at} matches EK`, value: false });
      evidence.push({
        source: SOURCE.tpm,
        field: `EK certificate ${at} compared with`,
        value: c.ek.handle ? `${c.ek.source} EK ${c.ek.handle}` : c.ek.source,
      });
      if (c.subject)
        evidence.push({ source: SOURCE.tpm, field: `EK certificate ${at} subject`, value: c.subject });
      if (c.issuer)
        evidence.push({ source: SOURCE.tpm, field: `EK certificate ${at} issuer`, value: c.issuer });
      if (c.fingerprintSha256) {
        evidence.push({
          source: SOURCE.tpm,
          field: `EK certificate ${at} SHA-256`,
          value: c.fingerprintSha256,
        });
      }
      if (c.reason)
        evidence.push({ source: SOURCE.tpm, field: `EK certificate ${at} reason`, value: c.reason });
    }
    return [
      {
        id: 'tpm.ek-cert-mismatch',
        severity: 'error',
        title: t.title,
        why: t.why,
        impacts: ['attestation', 'compliance'],
        evidence,
        remedy: {
          step: 'update',
          action: t.action,
          destroysKeys: false,
        },
        references: [
          'TCG EK Credential Profile for TPM Family 2.0',
          'TCG TPM 2.0 Library Part 3 §24.6 TPM2_Clear (the EPS is not changed)',
        ],
      } satisfies Finding,
    ];
  },
};
