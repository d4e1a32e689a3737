/**
 * An EK certificate index that exists but holds no usable certificate (defined and never written,
 * zero-filled, not DER) is, for attestation, as good as none: tpm.ek-cert-missing, naming the index.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseTpm, healthyStatus, ids, snapshot } from './support.js';

function withUnusableCertificate(error: string) {
  const status = healthyStatus();
  const [good] = status.endorsement!.certificates;
  status.endorsement = {
    certificates: [
      {
        ...good!,
        subject: null,
        issuer: null,
        serialNumber: null,
        notBefore: null,
        notAfter: null,
        validNow: null,
        key: null,
        fingerprintSha256: null,
        ek: { source: 'none', handle: null },
        matches: null,
        error,
      },
    ],
  };
  return status;
}

describe('tpm.ek-cert-missing on an index without a usable certificate', () => {
  it.each([
    'TPM_RC_NV_UNINITIALIZED: the index was defined but never written',
    'not a DER certificate (the index is zero-filled)',
  ])('%s: counts as no certificate', (error) => {
    const d = diagnoseTpm(snapshot(withUnusableCertificate(error)));
    expect(ids(d)).toContain('tpm.ek-cert-missing');
    const f = d.findings.find((x) => x.id === 'tpm.ek-cert-missing')!;
    expect(f.title).toBe('No usable EK certificate was found');
    expect(f.evidence).toContainEqual({
      source: 'tpm',
      field: 'EK certificate index 0x01c00002 (defined, no usable certificate)',
      value: error,
    });
  });

  it('a readable certificate is still a certificate', () => {
    expect(ids(diagnoseTpm(snapshot(healthyStatus())))).not.toContain('tpm.ek-cert-missing');
  });
});
