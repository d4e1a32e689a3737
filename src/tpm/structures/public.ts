import type { Codec } from '../marshal/codec.js';
import { alias, bytes2b, type Infer, select, sized, struct, u16, u32 } from '../marshal/codec.js';
import { TPM_ALG_ID, TPM2B_DIGEST } from './basic.js';

// Algorithm IDs that select union members below (Part 2 §6.3, TCG Algorithm Registry).
const ALG = {
  RSA: 0x0001,
  XOR: 0x000a,
  KEYEDHASH: 0x0008,
  HMAC: 0x0005,
  NULL: 0x0010,
  ECDAA: 0x001a,
  ECC: 0x0023,
  SYMCIPHER: 0x0025,
} as const;

export interface SymDef {
  algorithm: number;
  /** Key size in bits; for XOR, the hash algorithm. Absent for TPM_ALG_NULL. */
  keyBits?: number;
  /** Block cipher mode (e.g. CFB). Absent for NULL and XOR. */
  mode?: number;
}

/**
 * Part 2 §11.1.6/§11.1.7 TPMT_SYM_DEF(_OBJECT): TPMU_SYM_KEY_BITS and TPMU_SYM_MODE are selected
 * by the algorithm; NULL carries neither, XOR carries a hash algorithm and no mode.
 */
export const TPMT_SYM_DEF_OBJECT: Codec<SymDef> = {
  type: 'TPMT_SYM_DEF_OBJECT',
  read: (r) => {
    const algorithm = r.u16();
    if (algorithm === ALG.NULL) return { algorithm };
    const keyBits = r.u16();
    if (algorithm === ALG.XOR) return { algorithm, keyBits };
    return { algorithm, keyBits, mode: r.u16() };
  },
  write: (w, v) => {
    w.u16(v.algorithm);
    if (v.algorithm === ALG.NULL) return;
    w.u16(v.keyBits ?? 0);
    if (v.algorithm !== ALG.XOR) w.u16(v.mode ?? ALG.NULL);
  },
};
export const TPMT_SYM_DEF = alias('TPMT_SYM_DEF', TPMT_SYM_DEF_OBJECT);

export interface Scheme {
  scheme: number;
  /** The scheme's hash algorithm; absent for TPM_ALG_NULL and for schemes without one (RSAES). */
  hashAlg?: number;
  /** ECDAA's commit count (Part 2 §11.2.3.2 TPMS_SCHEME_ECDAA). */
  count?: number;
  /** XOR's key derivation function (Part 2 §11.1.21 TPMS_SCHEME_XOR). */
  kdf?: number;
}

/**
 * The TPMT_*_SCHEME family (Part 2 §11.1.20-§11.2.5): a scheme ID followed by a detail
 * structure that is empty for NULL and RSAES, hash+count for ECDAA, hash+kdf for XOR, and a
 * lone hash algorithm for every other scheme (RSASSA, RSAPSS, OAEP, ECDSA, ECDH, SM2, HMAC, KDFs...).
 */
function schemeCodec(type: string, noDetails: readonly number[]): Codec<Scheme> {
  return {
    type,
    read: (r) => {
      const scheme = r.u16();
      if (scheme === ALG.NULL || noDetails.includes(scheme)) return { scheme };
      const hashAlg = r.u16();
      if (scheme === ALG.ECDAA) return { scheme, hashAlg, count: r.u16() };
      if (scheme === ALG.XOR) return { scheme, hashAlg, kdf: r.u16() };
      return { scheme, hashAlg };
    },
    write: (w, v) => {
      w.u16(v.scheme);
      if (v.scheme === ALG.NULL || noDetails.includes(v.scheme)) return;
      w.u16(v.hashAlg ?? ALG.NULL);
      if (v.scheme === ALG.ECDAA) w.u16(v.count ?? 0);
      if (v.scheme === ALG.XOR) w.u16(v.kdf ?? ALG.NULL);
    },
  };
}

const RSAES = 0x0015;
export const TPMT_RSA_SCHEME = schemeCodec('TPMT_RSA_SCHEME', [RSAES]);
export const TPMT_ECC_SCHEME = schemeCodec('TPMT_ECC_SCHEME', []);
export const TPMT_KEYEDHASH_SCHEME = schemeCodec('TPMT_KEYEDHASH_SCHEME', []);
export const TPMT_KDF_SCHEME = schemeCodec('TPMT_KDF_SCHEME', []);

/** Part 2 §12.2.3.5 TPMS_RSA_PARMS. exponent 0 means the default 65537. */
export const TPMS_RSA_PARMS = struct('TPMS_RSA_PARMS', {
  symmetric: TPMT_SYM_DEF_OBJECT,
  scheme: TPMT_RSA_SCHEME,
  keyBits: u16,
  exponent: u32,
});

/** Part 2 §12.2.3.6 TPMS_ECC_PARMS. */
export const TPMS_ECC_PARMS = struct('TPMS_ECC_PARMS', {
  symmetric: TPMT_SYM_DEF_OBJECT,
  scheme: TPMT_ECC_SCHEME,
  curveID: u16,
  kdf: TPMT_KDF_SCHEME,
});

/** Part 2 §12.2.3.3 TPMS_KEYEDHASH_PARMS. */
export const TPMS_KEYEDHASH_PARMS = struct('TPMS_KEYEDHASH_PARMS', { scheme: TPMT_KEYEDHASH_SCHEME });

/** Part 2 §12.2.3.4 TPMS_SYMCIPHER_PARMS. */
export const TPMS_SYMCIPHER_PARMS = struct('TPMS_SYMCIPHER_PARMS', { sym: TPMT_SYM_DEF_OBJECT });

/** Part 2 §11.2.5.2 TPMS_ECC_POINT. */
export const TPMS_ECC_POINT = struct('TPMS_ECC_POINT', {
  x: bytes2b('TPM2B_ECC_PARAMETER'),
  y: bytes2b('TPM2B_ECC_PARAMETER'),
});

export type RsaParms = Infer<typeof TPMS_RSA_PARMS>;
export type EccParms = Infer<typeof TPMS_ECC_PARMS>;
export type KeyedHashParms = Infer<typeof TPMS_KEYEDHASH_PARMS>;
export type SymCipherParms = Infer<typeof TPMS_SYMCIPHER_PARMS>;
export type EccPoint = Infer<typeof TPMS_ECC_POINT>;

/** Part 2 §12.2.4 TPMT_PUBLIC: parameters and unique are unions selected by `type`. */
export const TPMT_PUBLIC = struct('TPMT_PUBLIC', {
  type: TPM_ALG_ID,
  nameAlg: TPM_ALG_ID,
  objectAttributes: alias('TPMA_OBJECT', u32),
  authPolicy: TPM2B_DIGEST,
  parameters: select<RsaParms | EccParms | KeyedHashParms | SymCipherParms>('TPMU_PUBLIC_PARMS', 'type', {
    [ALG.RSA]: TPMS_RSA_PARMS,
    [ALG.ECC]: TPMS_ECC_PARMS,
    [ALG.KEYEDHASH]: TPMS_KEYEDHASH_PARMS,
    [ALG.SYMCIPHER]: TPMS_SYMCIPHER_PARMS,
  }),
  unique: select<Uint8Array | EccPoint>('TPMU_PUBLIC_ID', 'type', {
    [ALG.RSA]: bytes2b('TPM2B_PUBLIC_KEY_RSA'),
    [ALG.ECC]: TPMS_ECC_POINT,
    [ALG.KEYEDHASH]: TPM2B_DIGEST,
    [ALG.SYMCIPHER]: TPM2B_DIGEST,
  }),
});
export type TpmtPublic = Infer<typeof TPMT_PUBLIC>;

/** Part 2 §12.2.5 TPM2B_PUBLIC. */
export const TPM2B_PUBLIC = sized('TPM2B_PUBLIC', TPMT_PUBLIC);

/** Part 2 §11.1.15 TPMS_SENSITIVE_CREATE and §11.1.16 TPM2B_SENSITIVE_CREATE. */
export const TPMS_SENSITIVE_CREATE = struct('TPMS_SENSITIVE_CREATE', {
  userAuth: bytes2b('TPM2B_AUTH'),
  data: bytes2b('TPM2B_SENSITIVE_DATA'),
});
export const TPM2B_SENSITIVE_CREATE = sized('TPM2B_SENSITIVE_CREATE', TPMS_SENSITIVE_CREATE);

export function isRsaParms(p: TpmtPublic['parameters'], t: TpmtPublic): p is RsaParms {
  return t.type === ALG.RSA;
}

export function isEccParms(p: TpmtPublic['parameters'], t: TpmtPublic): p is EccParms {
  return t.type === ALG.ECC;
}

export function isEccPoint(u: TpmtPublic['unique'], t: TpmtPublic): u is EccPoint {
  return t.type === ALG.ECC;
}
