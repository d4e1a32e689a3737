/**
 * Structure tags and small enumerations used in command/response headers and in TPM2_GetCapability:
 * TPM_ST (Part 2 §6.9), TPM_SU (§6.10), TPM_SE (§6.11), TPM_CAP (§6.12), TPM_CLOCK_ADJUST (§6.7),
 * TPM_EO (§6.8) and the TPMA_SESSION bits (§8.4).
 *
 * Values were checked against tpm2-tss include/tss2/tss2_tpm2_types.h, google/go-tpm tpm2/constants.go and the
 * TCG reference code TpmTypes.h (1.83 release and v184 development).
 */
import { reverseLookup } from './lookup.js';

/** Structure tags, keyed by name without the `TPM_ST_` prefix (Part 2 §6.9 TPM_ST). */
export const TPM_ST = {
  /** Tag of a response to a command the TPM did not understand as TPM 2.0 (TPM 1.2 TPM_TAG_RSP_COMMAND). */
  RSP_COMMAND: 0x00c4,
  NULL: 0x8000,
  NO_SESSIONS: 0x8001,
  SESSIONS: 0x8002,
  ATTEST_NV: 0x8014,
  ATTEST_COMMAND_AUDIT: 0x8015,
  ATTEST_SESSION_AUDIT: 0x8016,
  ATTEST_CERTIFY: 0x8017,
  ATTEST_QUOTE: 0x8018,
  ATTEST_TIME: 0x8019,
  ATTEST_CREATION: 0x801a,
  ATTEST_NV_DIGEST: 0x801c,
  CREATION: 0x8021,
  VERIFIED: 0x8022,
  AUTH_SECRET: 0x8023,
  HASHCHECK: 0x8024,
  AUTH_SIGNED: 0x8025,
  FU_MANIFEST: 0x8029,
} as const;

/** TPM2_Startup / TPM2_Shutdown types (Part 2 §6.10 TPM_SU). */
export const TPM_SU = {
  CLEAR: 0x0000,
  STATE: 0x0001,
} as const;

/** Session types for TPM2_StartAuthSession (Part 2 §6.11 TPM_SE). */
export const TPM_SE = {
  HMAC: 0x00,
  POLICY: 0x01,
  TRIAL: 0x03,
} as const;

/** TPM2_GetCapability capability selectors (Part 2 §6.12 TPM_CAP). */
export const TPM_CAP = {
  ALGS: 0x00000000,
  HANDLES: 0x00000001,
  COMMANDS: 0x00000002,
  PP_COMMANDS: 0x00000003,
  AUDIT_COMMANDS: 0x00000004,
  PCRS: 0x00000005,
  TPM_PROPERTIES: 0x00000006,
  PCR_PROPERTIES: 0x00000007,
  ECC_CURVES: 0x00000008,
  AUTH_POLICIES: 0x00000009,
  ACT: 0x0000000a,
  /** Only in the TCG reference code's v184 development branch. */
  PUB_KEYS: 0x0000000b,
  /** Only in the TCG reference code's v184 development branch. */
  SPDM_SESSION_INFO: 0x0000000c,
  VENDOR_PROPERTY: 0x00000100,
} as const;

/** TPM2_ClockRateAdjust values (Part 2 §6.7 TPM_CLOCK_ADJUST; a signed 8-bit value on the wire). */
export const TPM_CLOCK_ADJUST = {
  COARSE_SLOWER: -3,
  MEDIUM_SLOWER: -2,
  FINE_SLOWER: -1,
  NO_CHANGE: 0,
  FINE_FASTER: 1,
  MEDIUM_FASTER: 2,
  COARSE_FASTER: 3,
} as const;

/** Comparison operators for TPM2_PolicyCounterTimer and TPM2_PolicyNV (Part 2 §6.8 TPM_EO). */
export const TPM_EO = {
  EQ: 0x0000,
  NEQ: 0x0001,
  SIGNED_GT: 0x0002,
  UNSIGNED_GT: 0x0003,
  SIGNED_LT: 0x0004,
  UNSIGNED_LT: 0x0005,
  SIGNED_GE: 0x0006,
  UNSIGNED_GE: 0x0007,
  SIGNED_LE: 0x0008,
  UNSIGNED_LE: 0x0009,
  BITSET: 0x000a,
  BITCLEAR: 0x000b,
} as const;

/** Session attribute bits of the one-octet TPMA_SESSION (Part 2 §8.4). Bits 3 and 4 are reserved. */
export const TPMA_SESSION = {
  continueSession: 0x01,
  auditExclusive: 0x02,
  auditReset: 0x04,
  decrypt: 0x20,
  encrypt: 0x40,
  audit: 0x80,
} as const;

const stName = reverseLookup(TPM_ST);
const capName = reverseLookup(TPM_CAP);

/** 'TPM_ST_SESSIONS' for 0x8002; undefined for an unknown tag. */
export function structureTagName(tag: number): string | undefined {
  const n = stName(tag);
  return n === undefined ? undefined : `TPM_ST_${n}`;
}

/** 'TPM_CAP_TPM_PROPERTIES' for 6; undefined if unknown. */
export function capabilityName(cap: number): string | undefined {
  const n = capName(cap >>> 0);
  return n === undefined ? undefined : `TPM_CAP_${n}`;
}
