import { createHash } from 'node:crypto';
import { TPM_ALG } from '../constants/algorithms.js';
import type { TpmtPublic } from '../structures/public.js';
import { tpmPublicToKeyObject } from './ek-public-key.js';

/**
 * The EK public key hash Windows reports: Get-TpmEndorsementKeyInfo -HashAlgorithm Sha256 gives
 * `PublicKey`, "the asn.1 encoded public portion of the endorsement key", and `PublicKeyHash`, its
 * SHA-256 (https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpmendorsementkeyinfo).
 * For the RSA EK Windows uses, that encoding is the PKCS#1 RSAPublicKey, SEQUENCE { modulus,
 * publicExponent } in DER (RFC 8017 Appendix A.1.1). Lower-case hex, as the evidence parser
 * stores it (src/probe/windows/ek-info.ts); null for a key that is not RSA.
 */
export function windowsEkPublicKeyHash(pub: TpmtPublic): string | null {
  if (pub.type !== TPM_ALG.RSA) return null;
  const der = tpmPublicToKeyObject(pub).export({ type: 'pkcs1', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}
