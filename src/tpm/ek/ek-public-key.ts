import {
  createHash,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { TpmDoctorError } from '../../errors.js';
import { TPM_ALG, TPM_ECC_CURVE } from '../constants/algorithms.js';
import { encode } from '../marshal/codec.js';
import { TPMT_PUBLIC, type TpmtPublic } from '../structures/public.js';
import { coordinateBytes } from './templates.js';

/**
 * An EK's TPMT_PUBLIC as a Node key, and the comparison with an EK certificate's key: the
 * certificate is only evidence for this TPM if its subjectPublicKeyInfo is the EK the TPM derives
 * from its endorsement seed (TCG EK Credential Profile §2.1).
 */

export type KeyDescription =
  | { type: 'rsa'; keyBits: number; exponent: number }
  | { type: 'ecc'; curve: string; curveId: number; keyBits?: number }
  | { type: 'other'; algorithm: number };

/** The key a TPMT_PUBLIC holds: RSA modulus size and exponent (0 means 65537), or the ECC curve. */
export function describeTpmPublic(pub: TpmtPublic): KeyDescription {
  if (pub.type === TPM_ALG.RSA) {
    const p = pub.parameters;
    return { type: 'rsa', keyBits: p.keyBits, exponent: p.exponent === 0 ? 65537 : p.exponent };
  }
  if (pub.type === TPM_ALG.ECC) {
    const curveId = pub.parameters.curveID;
    const bits = CURVES[curveId]?.bits;
    return { type: 'ecc', curve: curveLabel(curveId), curveId, ...(bits ? { keyBits: bits } : {}) };
  }
  return { type: 'other', algorithm: pub.type };
}

/** Our names for TPM_ECC_CURVE values, and the JWK "crv" where Node (OpenSSL) can use the curve. */
const CURVES: Readonly<Record<number, { label: string; bits: number; jwk?: string }>> = {
  [TPM_ECC_CURVE.NIST_P256]: { label: 'P-256', bits: 256, jwk: 'P-256' },
  [TPM_ECC_CURVE.NIST_P384]: { label: 'P-384', bits: 384, jwk: 'P-384' },
  [TPM_ECC_CURVE.NIST_P521]: { label: 'P-521', bits: 521, jwk: 'P-521' },
  [TPM_ECC_CURVE.NIST_P192]: { label: 'P-192', bits: 192 },
  [TPM_ECC_CURVE.NIST_P224]: { label: 'P-224', bits: 224 },
  [TPM_ECC_CURVE.SM2_P256]: { label: 'SM2-P256', bits: 256 },
  [TPM_ECC_CURVE.BN_P256]: { label: 'BN-P256', bits: 256 },
  [TPM_ECC_CURVE.BN_P638]: { label: 'BN-P638', bits: 638 },
};

/** 'P-256', 'SM2-P256', or 'curve 0x0042' for a curve we do not know. */
function curveLabel(curveId: number): string {
  return CURVES[curveId]?.label ?? `curve 0x${curveId.toString(16).padStart(4, '0')}`;
}

/** Node names the NIST curves by their SEC 2 / X9.62 names in asymmetricKeyDetails.namedCurve. */
const NODE_CURVE_LABELS: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  SM2: 'SM2-P256',
};

/** The curve label for a Node KeyObject's namedCurve ('prime256v1' -> 'P-256'). */
function nodeCurveLabel(namedCurve: string): string {
  return NODE_CURVE_LABELS[namedCurve] ?? namedCurve;
}

/** Thrown for keys Node cannot represent (SM2, BN curves, symmetric objects): the comparison is "unknown". */
export class UnsupportedKeyError extends TpmDoctorError {
  constructor(message: string) {
    super('unsupported-key', message);
    this.name = 'UnsupportedKeyError';
  }
}

/**
 * The public key as a JWK (RFC 7518 §6.2/§6.3). RSA: n is unique (leading zero bytes dropped, as
 * base64urlUInt requires), e is the exponent with 0 meaning 65537 (Part 2 §12.2.3.5). ECC: x and y
 * padded to the coordinate size, since a TPM may return them without leading zeros.
 */
export function tpmPublicToJwk(pub: TpmtPublic): JsonWebKey {
  if (pub.type === TPM_ALG.RSA) {
    const p = pub.parameters;
    const modulus = stripLeadingZeros(pub.unique);
    if (modulus.length === 0)
      throw new UnsupportedKeyError('the RSA public area has no modulus (empty unique)');
    const e = p.exponent === 0 ? 65537 : p.exponent;
    return { kty: 'RSA', n: b64url(modulus), e: b64url(stripLeadingZeros(u32(e))) };
  }
  if (pub.type === TPM_ALG.ECC) {
    const curveId = pub.parameters.curveID;
    const crv = CURVES[curveId]?.jwk;
    if (!crv) {
      throw new UnsupportedKeyError(
        `Node's crypto has no ${curveLabel(curveId)} support; cannot compare this key`,
      );
    }
    const point = pub.unique;
    const size = coordinateBytes(curveId);
    if (point.x.length === 0 || point.y.length === 0) {
      throw new UnsupportedKeyError('the ECC public area has no point (empty unique)');
    }
    return { kty: 'EC', crv, x: b64url(leftPad(point.x, size)), y: b64url(leftPad(point.y, size)) };
  }
  throw new UnsupportedKeyError(`object type 0x${pub.type.toString(16)} is not an asymmetric key`);
}

/** The public key as a Node KeyObject. Throws UnsupportedKeyError for SM2 and other curves Node lacks. */
export function tpmPublicToKeyObject(pub: TpmtPublic): KeyObject {
  return createPublicKey({ key: tpmPublicToJwk(pub), format: 'jwk' });
}

/** DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of the key. */
export function tpmPublicToSpki(pub: TpmtPublic): Uint8Array {
  return new Uint8Array(tpmPublicToKeyObject(pub).export({ type: 'spki', format: 'der' }));
}

/** Hash algorithms by TPM_ALG_ID, as Node names them. */
const NODE_HASH: Readonly<Record<number, string>> = {
  [TPM_ALG.SHA1]: 'sha1',
  [TPM_ALG.SHA256]: 'sha256',
  [TPM_ALG.SHA384]: 'sha384',
  [TPM_ALG.SHA512]: 'sha512',
  [TPM_ALG.SM3_256]: 'sm3',
  [TPM_ALG.SHA3_256]: 'sha3-256',
  [TPM_ALG.SHA3_384]: 'sha3-384',
  [TPM_ALG.SHA3_512]: 'sha3-512',
};

/** Part 1 §16 "Names": nameAlg (2 bytes) || H_nameAlg(marshalled TPMT_PUBLIC). */
export function tpmObjectName(pub: TpmtPublic): Uint8Array {
  const hash = NODE_HASH[pub.nameAlg];
  if (!hash) throw new UnsupportedKeyError(`name algorithm 0x${pub.nameAlg.toString(16)} is not available`);
  const digest = createHash(hash).update(encode(TPMT_PUBLIC, pub)).digest();
  const name = new Uint8Array(2 + digest.length);
  name[0] = pub.nameAlg >> 8;
  name[1] = pub.nameAlg & 0xff;
  name.set(digest, 2);
  return name;
}

export type KeyMatch =
  | { matches: true }
  | { matches: false; reason: string }
  | { matches: 'unknown'; reason: string };

/**
 * Whether the certificate certifies this EK: same key type, same size or curve, and the same
 * modulus/exponent or point (compared as JWKs, so encoding differences such as a compressed point
 * or absent NULL parameters in the certificate do not matter).
 */
export function compareWithCertificate(pub: TpmtPublic, certificate: X509Certificate): KeyMatch {
  let certKey: KeyObject;
  try {
    certKey = certificate.publicKey;
  } catch (e) {
    // e.g. an RSAES-OAEP (1.2.840.113549.1.1.7) subjectPublicKeyInfo, which OpenSSL does not load.
    return { matches: 'unknown', reason: `Node cannot load the certificate's public key: ${message(e)}` };
  }
  return compareWithKeyObject(pub, certKey);
}

/** {@link compareWithCertificate} for a key already loaded. */
function compareWithKeyObject(pub: TpmtPublic, certKey: KeyObject): KeyMatch {
  const ek = describeTpmPublic(pub);
  const cert = describeKeyObject(certKey);
  if (ek.type === 'other') {
    return {
      matches: false,
      reason: `the TPM object is type 0x${ek.algorithm.toString(16)}, not a key pair`,
    };
  }
  if (cert.type !== ek.type) {
    return { matches: false, reason: `the certificate holds ${cert.text} but the EK is ${describeText(ek)}` };
  }
  if (ek.type === 'rsa' && cert.keyBits !== ek.keyBits) {
    return { matches: false, reason: `the certificate holds ${cert.text} but the EK is ${describeText(ek)}` };
  }
  if (ek.type === 'ecc' && cert.curve !== ek.curve) {
    return { matches: false, reason: `the certificate holds ${cert.text} but the EK is ${describeText(ek)}` };
  }
  let ours: JsonWebKey;
  try {
    ours = tpmPublicToJwk(pub);
  } catch (e) {
    return { matches: 'unknown', reason: message(e) };
  }
  let theirs: JsonWebKey;
  try {
    theirs = certKey.export({ format: 'jwk' });
  } catch (e) {
    return { matches: 'unknown', reason: `Node cannot export the certificate's ${cert.text}: ${message(e)}` };
  }
  const same =
    ek.type === 'rsa'
      ? ours.n === theirs.n && ours.e === theirs.e
      : ours.crv === theirs.crv && ours.x === theirs.x && ours.y === theirs.y;
  return same
    ? { matches: true }
    : {
        matches: false,
        reason: `the certificate's ${cert.text} is a different key from the EK this TPM derives`,
      };
}

/** Type and size of a Node public key, in the same terms as {@link describeTpmPublic}. */
export function describeKeyObject(key: KeyObject): {
  type: 'rsa' | 'ecc' | 'other';
  keyBits?: number;
  curve?: string;
  text: string;
} {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const keyBits = details.modulusLength;
    return { type: 'rsa', ...(keyBits ? { keyBits } : {}), text: `an RSA ${keyBits ?? '?'} key` };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ? nodeCurveLabel(details.namedCurve) : 'unknown curve';
    const keyBits = Object.values(CURVES).find((c) => c.label === curve)?.bits;
    return { type: 'ecc', curve, ...(keyBits ? { keyBits } : {}), text: `an ECC ${curve} key` };
  }
  return { type: 'other', text: `a ${key.asymmetricKeyType ?? 'non-asymmetric'} key` };
}

function describeText(d: KeyDescription): string {
  if (d.type === 'rsa') return `an RSA ${d.keyBits} key`;
  if (d.type === 'ecc') return `an ECC ${d.curve} key`;
  return `type 0x${d.algorithm.toString(16)}`;
}

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function leftPad(b: Uint8Array, size: number): Uint8Array {
  if (b.length >= size) return b;
  const out = new Uint8Array(size);
  out.set(b, size - b.length);
  return out;
}

function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0);
  return out;
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
