/**
 * Algorithm identifiers TPM_ALG_ID (Part 2 §6.3, values assigned by the TCG Algorithm Registry), the
 * TPMA_ALGORITHM bits reported by TPM2_GetCapability(TPM_CAP_ALGS) (Part 2 §8.2), and the ECC curve identifiers
 * TPM_ECC_CURVE (Part 2 §6.4).
 *
 * Values were checked against the TCG reference code TpmTypes.h (1.83 release), google/go-tpm
 * tpm2/constants.go and, for the ids it has, tpm2-tss include/tss2/tss2_tpm2_types.h. Short names follow
 * tpm2-tools lib/tpm2_alg_util.c (what `tpm2_getcap algorithms` prints); ids tpm2-tools does not know use the
 * lower-cased spec name.
 */
import { reverseLookup } from './lookup.js';

/** Algorithm ids keyed by name without the `TPM_ALG_` prefix (Part 2 §6.3 TPM_ALG_ID). */
export const TPM_ALG = {
  ERROR: 0x0000,
  RSA: 0x0001,
  TDES: 0x0003,
  SHA1: 0x0004,
  HMAC: 0x0005,
  AES: 0x0006,
  MGF1: 0x0007,
  KEYEDHASH: 0x0008,
  XOR: 0x000a,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  SHA256_192: 0x000e,
  NULL: 0x0010,
  SM3_256: 0x0012,
  SM4: 0x0013,
  RSASSA: 0x0014,
  RSAES: 0x0015,
  RSAPSS: 0x0016,
  OAEP: 0x0017,
  ECDSA: 0x0018,
  ECDH: 0x0019,
  ECDAA: 0x001a,
  SM2: 0x001b,
  ECSCHNORR: 0x001c,
  ECMQV: 0x001d,
  KDF1_SP800_56A: 0x0020,
  KDF2: 0x0021,
  KDF1_SP800_108: 0x0022,
  ECC: 0x0023,
  SYMCIPHER: 0x0025,
  CAMELLIA: 0x0026,
  SHA3_256: 0x0027,
  SHA3_384: 0x0028,
  SHA3_512: 0x0029,
  SHAKE128: 0x002a,
  SHAKE256: 0x002b,
  SHAKE256_192: 0x002c,
  SHAKE256_256: 0x002d,
  SHAKE256_512: 0x002e,
  CMAC: 0x003f,
  CTR: 0x0040,
  OFB: 0x0041,
  CBC: 0x0042,
  CFB: 0x0043,
  ECB: 0x0044,
  CCM: 0x0050,
  GCM: 0x0051,
  KW: 0x0052,
  KWP: 0x0053,
  EAX: 0x0054,
  EDDSA: 0x0060,
  EDDSA_PH: 0x0061,
  LMS: 0x0070,
  XMSS: 0x0071,
  // The next five are in go-tpm (from a newer TCG Algorithm Registry) but not in the TCG 1.83 reference code.
  KEYEDXOF: 0x0080,
  KMACXOF128: 0x0081,
  KMACXOF256: 0x0082,
  KMAC128: 0x0090,
  KMAC256: 0x0091,
} as const;

/* Every short name tpm2-tools uses (lib/tpm2_alg_util.c) is the lower-cased spec name, so a reverse lookup suffices. */
const algName = reverseLookup(TPM_ALG);

/** The spec name without prefix ('SHA256'), or undefined for an unknown id. */
function algorithmKey(alg: number): keyof typeof TPM_ALG | undefined {
  return algName(alg & 0xffff);
}

/**
 * The short lower-case name tpm2-tools prints: 'rsa', 'sha256', 'aes', 'cfb', 'ecc', 'null', 'kdf1_sp800_56a'.
 * An unknown id prints as tpm2_getcap does: 'unknown' followed by the id in lower-case hex ('unknown42').
 */
export function algorithmName(alg: number): string {
  const key = algorithmKey(alg);
  return key === undefined ? `unknown${(alg & 0xffff).toString(16)}` : key.toLowerCase();
}

/** The algorithm id for a name in any case, with or without 'TPM_ALG_' / 'TPM2_ALG_'; undefined if unknown. */
export function algorithmFromName(name: string): number | undefined {
  const key = name.toUpperCase().replace(/^TPM2?_ALG_/, '');
  return Object.hasOwn(TPM_ALG, key) ? TPM_ALG[key as keyof typeof TPM_ALG] : undefined;
}

/** Digest sizes in bytes of the hash algorithms (TCG reference code TpmAlgorithmDefines.h, FIPS 180-4/202). */
const DIGEST_SIZES: Readonly<Record<number, number>> = {
  [TPM_ALG.SHA1]: 20,
  [TPM_ALG.SHA256]: 32,
  [TPM_ALG.SHA384]: 48,
  [TPM_ALG.SHA512]: 64,
  [TPM_ALG.SHA256_192]: 24,
  [TPM_ALG.SM3_256]: 32,
  [TPM_ALG.SHA3_256]: 32,
  [TPM_ALG.SHA3_384]: 48,
  [TPM_ALG.SHA3_512]: 64,
  [TPM_ALG.SHAKE256_192]: 24,
  [TPM_ALG.SHAKE256_256]: 32,
  [TPM_ALG.SHAKE256_512]: 64,
};

/** Digest size in bytes of a hash algorithm, or undefined if `hashAlg` is not a fixed-size hash. */
export function digestSize(hashAlg: number): number | undefined {
  return DIGEST_SIZES[hashAlg & 0xffff];
}

/** Algorithm property bits (Part 2 §8.2 TPMA_ALGORITHM). Bits 4-7 and 11-31 are reserved. */
export const TPMA_ALGORITHM = {
  asymmetric: 0x00000001,
  symmetric: 0x00000002,
  hash: 0x00000004,
  object: 0x00000008,
  signing: 0x00000100,
  encrypting: 0x00000200,
  method: 0x00000400,
} as const;

/** ECC curve ids keyed by name without the `TPM_ECC_` prefix (Part 2 §6.4 TPM_ECC_CURVE). */
export const TPM_ECC_CURVE = {
  NONE: 0x0000,
  NIST_P192: 0x0001,
  NIST_P224: 0x0002,
  NIST_P256: 0x0003,
  NIST_P384: 0x0004,
  NIST_P521: 0x0005,
  BN_P256: 0x0010,
  BN_P638: 0x0011,
  SM2_P256: 0x0020,
  BP_P256_R1: 0x0030,
  BP_P384_R1: 0x0031,
  BP_P512_R1: 0x0032,
  CURVE_25519: 0x0040,
  CURVE_448: 0x0041,
} as const;

const curveName = reverseLookup(TPM_ECC_CURVE);

/** 'nist_p256' style lower-case name; 'unknown_curve_0x0042' when unknown. */
export function eccCurveName(id: number): string {
  const n = curveName(id & 0xffff);
  return n === undefined ? `unknown_curve_0x${(id & 0xffff).toString(16).padStart(4, '0')}` : n.toLowerCase();
}
