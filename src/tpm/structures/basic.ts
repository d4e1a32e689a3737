import { digestSize, TPM_ALG } from '../constants/algorithms.js';
import { MarshalError } from '../errors.js';
import {
  alias,
  bytes2b,
  type Codec,
  fixedBytes,
  type Infer,
  struct,
  u8,
  u16,
  u32,
} from '../marshal/codec.js';

/** Part 2 §7.1 TPM_HANDLE and the interface types built on it. */
export const TPM_HANDLE = alias('TPM_HANDLE', u32);
/** Part 2 §6.3 TPM_ALG_ID. */
export const TPM_ALG_ID = alias('TPM_ALG_ID', u16);

/** Part 2 §10.4.2 TPM2B_DIGEST, and the other byte buffers that share its layout. */
export const TPM2B_DIGEST = bytes2b('TPM2B_DIGEST');
const TPM2B_NONCE = bytes2b('TPM2B_NONCE');
export const TPM2B_AUTH = bytes2b('TPM2B_AUTH');
export const TPM2B_DATA = bytes2b('TPM2B_DATA');
export const TPM2B_NAME = bytes2b('TPM2B_NAME');
export const TPM2B_MAX_NV_BUFFER = bytes2b('TPM2B_MAX_NV_BUFFER');
export const TPM2B_SENSITIVE_DATA = bytes2b('TPM2B_SENSITIVE_DATA');
export const TPM2B_PRIVATE = bytes2b('TPM2B_PRIVATE');

/**
 * The hash algorithms TPMT_HA accepts (Part 2 §10.3.2: the digest size is the hash's), sized by
 * ../constants/algorithms.ts. SHA256_192 and the SHAKE family, which no PCR bank or name algorithm
 * uses, are refused as unknown hash algorithms.
 */
const TPMT_HA_HASHES: ReadonlyMap<number, number> = new Map(
  [
    TPM_ALG.SHA1,
    TPM_ALG.SHA256,
    TPM_ALG.SHA384,
    TPM_ALG.SHA512,
    TPM_ALG.SM3_256,
    TPM_ALG.SHA3_256,
    TPM_ALG.SHA3_384,
    TPM_ALG.SHA3_512,
  ].map((alg) => [alg, digestSize(alg)!]),
);

export interface TpmtHa {
  hashAlg: number;
  digest: Uint8Array;
}

/** Part 2 §10.3.2 TPMT_HA: a hash algorithm and a digest whose size that algorithm fixes (TPM_ALG_NULL: none). */
export const TPMT_HA: Codec<TpmtHa> = {
  type: 'TPMT_HA',
  read: (r) => {
    const at = r.offset;
    const hashAlg = r.u16();
    if (hashAlg === TPM_ALG.NULL) return { hashAlg, digest: new Uint8Array(0) };
    const size = TPMT_HA_HASHES.get(hashAlg);
    if (size === undefined) {
      throw new MarshalError(`TPMT_HA.hashAlg 0x${hashAlg.toString(16)} is not a known hash algorithm`, at);
    }
    return { hashAlg, digest: r.bytes(size) };
  },
  write: (w, v) => {
    w.u16(v.hashAlg);
    if (v.hashAlg === TPM_ALG.NULL) return;
    const size = TPMT_HA_HASHES.get(v.hashAlg);
    if (size === undefined) throw new RangeError(`unknown hash algorithm 0x${v.hashAlg.toString(16)}`);
    fixedBytes('TPMT_HA.digest', size).write(w, v.digest);
  },
};

/** Part 2 §10.13.2 TPMS_AUTH_COMMAND: one entry of a command's authorization area. */
export const TPMS_AUTH_COMMAND = struct('TPMS_AUTH_COMMAND', {
  sessionHandle: TPM_HANDLE,
  nonce: TPM2B_NONCE,
  sessionAttributes: alias('TPMA_SESSION', u8),
  hmac: TPM2B_AUTH,
});
export type TpmsAuthCommand = Infer<typeof TPMS_AUTH_COMMAND>;

/** Part 2 §10.13.3 TPMS_AUTH_RESPONSE. */
export const TPMS_AUTH_RESPONSE = struct('TPMS_AUTH_RESPONSE', {
  nonce: TPM2B_NONCE,
  sessionAttributes: alias('TPMA_SESSION', u8),
  hmac: TPM2B_AUTH,
});
export type TpmsAuthResponse = Infer<typeof TPMS_AUTH_RESPONSE>;
