/**
 * The EK public key hash as Windows reports it (Get-TpmEndorsementKeyInfo PublicKeyHash): SHA-256
 * of the PKCS#1 RSAPublicKey DER (RFC 8017 A.1.1), built here byte by byte from the modulus and
 * exponent, independently of Node's exporter.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TPM_ALG } from '../../src/tpm/constants/algorithms.js';
import { ekTemplate } from '../../src/tpm/ek/templates.js';
import { windowsEkPublicKeyHash } from '../../src/tpm/ek/windows-ek-hash.js';
import type { TpmtPublic } from '../../src/tpm/structures/public.js';

describe('windowsEkPublicKeyHash', () => {
  it('is SHA-256 of SEQUENCE { INTEGER modulus, INTEGER 65537 } for an RSA 2048 EK (exponent 0 = 65537)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const n = Buffer.from(publicKey.export({ format: 'jwk' }).n!, 'base64url');
    expect(n.length).toBe(256);
    const pub = ekTemplate('L-1').publicArea();
    if (pub.type !== TPM_ALG.RSA) throw new Error('L-1 is an RSA template');
    const ek = { ...pub, unique: new Uint8Array(n) } as TpmtPublic;
    const der = Buffer.concat([
      Buffer.from([0x30, 0x82, 0x01, 0x0a]),
      Buffer.from([0x02, 0x82, 0x01, 0x01, 0x00]),
      n,
      Buffer.from([0x02, 0x03, 0x01, 0x00, 0x01]),
    ]);
    expect(windowsEkPublicKeyHash(ek)).toBe(createHash('sha256').update(der).digest('hex'));
  });

  it('is null for an ECC EK (Windows reports the RSA one)', () => {
    expect(windowsEkPublicKeyHash(ekTemplate('L-2').publicArea())).toBeNull();
  });
});
