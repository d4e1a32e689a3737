import { TPM_ALG } from '../constants/algorithms.js';
import type { Codec } from '../marshal/codec.js';
import {
  alias,
  bytes2b,
  discriminated,
  type Infer,
  select,
  sized,
  struct,
  u16,
  u32,
  type Variants,
} from '../marshal/codec.js';
import { TPM_ALG_ID, TPM2B_DIGEST } from './basic.js';

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
const TPMT_SYM_DEF_OBJECT: Codec<SymDef> = {
  type: 'TPMT_SYM_DEF_OBJECT',
  read: (r) => {
    const algorithm = r.u16();
    if (algorithm === TPM_ALG.NULL) return { algorithm };
    const keyBits = r.u16();
    if (algorithm === TPM_ALG.XOR) return { algorithm, keyBits };
    return { algorithm, keyBits, mode: r.u16() };
  },
  write: (w, v) => {
    w.u16(v.algorithm);
    if (v.algorithm === TPM_ALG.NULL) return;
    w.u16(v.keyBits ?? 0);
    if (v.algorithm !== TPM_ALG.XOR) w.u16(v.mode ?? TPM_ALG.NULL);
  },
};

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
      if (scheme === TPM_ALG.NULL || noDetails.includes(scheme)) return { scheme };
      const hashAlg = r.u16();
      if (scheme === TPM_ALG.ECDAA) return { scheme, hashAlg, count: r.u16() };
      if (scheme === TPM_ALG.XOR) return { scheme, hashAlg, kdf: r.u16() };
      return { scheme, hashAlg };
    },
    write: (w, v) => {
      w.u16(v.scheme);
      if (v.scheme === TPM_ALG.NULL || noDetails.includes(v.scheme)) return;
      w.u16(v.hashAlg ?? TPM_ALG.NULL);
      if (v.scheme === TPM_ALG.ECDAA) w.u16(v.count ?? 0);
      if (v.scheme === TPM_ALG.XOR) w.u16(v.kdf ?? TPM_ALG.NULL);
    },
  };
}

const TPMT_RSA_SCHEME = schemeCodec('TPMT_RSA_SCHEME', [TPM_ALG.RSAES]);
const TPMT_ECC_SCHEME = schemeCodec('TPMT_ECC_SCHEME', []);
const TPMT_KEYEDHASH_SCHEME = schemeCodec('TPMT_KEYEDHASH_SCHEME', []);
const TPMT_KDF_SCHEME = schemeCodec('TPMT_KDF_SCHEME', []);

/** Part 2 §12.2.3.5 TPMS_RSA_PARMS. exponent 0 means the default 65537. */
const TPMS_RSA_PARMS = struct('TPMS_RSA_PARMS', {
  symmetric: TPMT_SYM_DEF_OBJECT,
  scheme: TPMT_RSA_SCHEME,
  keyBits: u16,
  exponent: u32,
});

/** Part 2 §12.2.3.6 TPMS_ECC_PARMS. */
const TPMS_ECC_PARMS = struct('TPMS_ECC_PARMS', {
  symmetric: TPMT_SYM_DEF_OBJECT,
  scheme: TPMT_ECC_SCHEME,
  curveID: u16,
  kdf: TPMT_KDF_SCHEME,
});

/** Part 2 §12.2.3.3 TPMS_KEYEDHASH_PARMS. */
const TPMS_KEYEDHASH_PARMS = struct('TPMS_KEYEDHASH_PARMS', { scheme: TPMT_KEYEDHASH_SCHEME });

/** Part 2 §12.2.3.4 TPMS_SYMCIPHER_PARMS. */
const TPMS_SYMCIPHER_PARMS = struct('TPMS_SYMCIPHER_PARMS', { sym: TPMT_SYM_DEF_OBJECT });

/** Part 2 §11.2.5.2 TPMS_ECC_POINT. */
const TPMS_ECC_POINT = struct('TPMS_ECC_POINT', {
  x: bytes2b('TPM2B_ECC_PARAMETER'),
  y: bytes2b('TPM2B_ECC_PARAMETER'),
});

export type RsaParms = Infer<typeof TPMS_RSA_PARMS>;
export type EccParms = Infer<typeof TPMS_ECC_PARMS>;
export type EccPoint = Infer<typeof TPMS_ECC_POINT>;

/** Part 2 §12.2.3.7 TPMU_PUBLIC_PARMS: the parameters of each object type, selected by TPMT_PUBLIC.type. */
const PUBLIC_PARMS = {
  [TPM_ALG.RSA]: TPMS_RSA_PARMS,
  [TPM_ALG.ECC]: TPMS_ECC_PARMS,
  [TPM_ALG.KEYEDHASH]: TPMS_KEYEDHASH_PARMS,
  [TPM_ALG.SYMCIPHER]: TPMS_SYMCIPHER_PARMS,
} as const;

/** Part 2 §12.2.3.2 TPMU_PUBLIC_ID: the unique field of each object type, selected by TPMT_PUBLIC.type. */
const PUBLIC_ID = {
  [TPM_ALG.RSA]: bytes2b('TPM2B_PUBLIC_KEY_RSA'),
  [TPM_ALG.ECC]: TPMS_ECC_POINT,
  [TPM_ALG.KEYEDHASH]: TPM2B_DIGEST,
  [TPM_ALG.SYMCIPHER]: TPM2B_DIGEST,
} as const;

/** The object types TPMT_PUBLIC holds (Part 2 §12.2.2 TPMI_ALG_PUBLIC): RSA, ECC, KEYEDHASH, SYMCIPHER. */
export type PublicType = keyof typeof PUBLIC_PARMS & keyof typeof PUBLIC_ID;

/** TPMT_PUBLIC of one object type. */
export interface PublicArea<T extends PublicType> {
  type: T;
  nameAlg: number;
  objectAttributes: number;
  authPolicy: Uint8Array;
  parameters: Variants<typeof PUBLIC_PARMS>[T];
  unique: Variants<typeof PUBLIC_ID>[T];
}

/**
 * Part 2 §12.2.4 TPMT_PUBLIC, discriminated by `type`: after `pub.type === TPM_ALG.RSA`,
 * `pub.parameters` is RsaParms and `pub.unique` the modulus, with no cast.
 */
export type TpmtPublic = { [T in PublicType]: PublicArea<T> }[PublicType];

/** Part 2 §12.2.4 TPMT_PUBLIC: parameters and unique are unions selected by `type`. */
export const TPMT_PUBLIC: Codec<TpmtPublic> = discriminated(
  struct('TPMT_PUBLIC', {
    type: TPM_ALG_ID,
    nameAlg: TPM_ALG_ID,
    objectAttributes: alias('TPMA_OBJECT', u32),
    authPolicy: TPM2B_DIGEST,
    parameters: select('TPMU_PUBLIC_PARMS', 'type', PUBLIC_PARMS),
    unique: select('TPMU_PUBLIC_ID', 'type', PUBLIC_ID),
  }),
);

/** Part 2 §12.2.5 TPM2B_PUBLIC. */
export const TPM2B_PUBLIC = sized('TPM2B_PUBLIC', TPMT_PUBLIC);

/** Part 2 §11.1.15 TPMS_SENSITIVE_CREATE and §11.1.16 TPM2B_SENSITIVE_CREATE. */
const TPMS_SENSITIVE_CREATE = struct('TPMS_SENSITIVE_CREATE', {
  userAuth: bytes2b('TPM2B_AUTH'),
  data: bytes2b('TPM2B_SENSITIVE_DATA'),
});
export const TPM2B_SENSITIVE_CREATE = sized('TPM2B_SENSITIVE_CREATE', TPMS_SENSITIVE_CREATE);
