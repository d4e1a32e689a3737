/**
 * TPM properties read with TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES): TPM_PT (Part 2 §6.13), the PCR
 * properties TPM_PT_PCR (§6.14), the platform-specific families TPM_PS (§6.15), and the attribute words some
 * properties carry: TPMA_PERMANENT (§8.6), TPMA_STARTUP_CLEAR (§8.7), TPMA_MEMORY (§8.8), TPMA_MODES (§8.10).
 *
 * Values were checked against tpm2-tss include/tss2/tss2_tpm2_types.h, google/go-tpm tpm2/constants.go and the
 * TCG reference code TpmTypes.h (1.83 release and v184 development). Display names follow tpm2-tools 5.x
 * tools/tpm2_getcap.c, which prints every property as 'TPM2_PT_<NAME>'.
 */
import { hex32, reverseLookup } from './lookup.js';

/** Size of one property group (Part 2 §6.13 PT_GROUP). */
export const PT_GROUP = 0x100;
/** First fixed property: values that do not change after manufacture (Part 2 §6.13). */
export const PT_FIXED = 0x100;
/** First variable property: values that change during operation (Part 2 §6.13). */
export const PT_VAR = 0x200;

/**
 * Property tags, keyed by name without the `TPM_PT_` prefix (Part 2 §6.13 TPM_PT). PT_FIXED + 21 (0x115) is
 * not assigned.
 */
export const TPM_PT = {
  NONE: 0x000,
  // PT_FIXED group
  FAMILY_INDICATOR: 0x100,
  LEVEL: 0x101,
  REVISION: 0x102,
  DAY_OF_YEAR: 0x103,
  YEAR: 0x104,
  MANUFACTURER: 0x105,
  VENDOR_STRING_1: 0x106,
  VENDOR_STRING_2: 0x107,
  VENDOR_STRING_3: 0x108,
  VENDOR_STRING_4: 0x109,
  VENDOR_TPM_TYPE: 0x10a,
  FIRMWARE_VERSION_1: 0x10b,
  FIRMWARE_VERSION_2: 0x10c,
  INPUT_BUFFER: 0x10d,
  HR_TRANSIENT_MIN: 0x10e,
  HR_PERSISTENT_MIN: 0x10f,
  HR_LOADED_MIN: 0x110,
  ACTIVE_SESSIONS_MAX: 0x111,
  PCR_COUNT: 0x112,
  PCR_SELECT_MIN: 0x113,
  CONTEXT_GAP_MAX: 0x114,
  NV_COUNTERS_MAX: 0x116,
  NV_INDEX_MAX: 0x117,
  MEMORY: 0x118,
  CLOCK_UPDATE: 0x119,
  CONTEXT_HASH: 0x11a,
  CONTEXT_SYM: 0x11b,
  CONTEXT_SYM_SIZE: 0x11c,
  ORDERLY_COUNT: 0x11d,
  MAX_COMMAND_SIZE: 0x11e,
  MAX_RESPONSE_SIZE: 0x11f,
  MAX_DIGEST: 0x120,
  MAX_OBJECT_CONTEXT: 0x121,
  MAX_SESSION_CONTEXT: 0x122,
  PS_FAMILY_INDICATOR: 0x123,
  PS_LEVEL: 0x124,
  PS_REVISION: 0x125,
  PS_DAY_OF_YEAR: 0x126,
  PS_YEAR: 0x127,
  SPLIT_MAX: 0x128,
  TOTAL_COMMANDS: 0x129,
  LIBRARY_COMMANDS: 0x12a,
  VENDOR_COMMANDS: 0x12b,
  NV_BUFFER_MAX: 0x12c,
  MODES: 0x12d,
  MAX_CAP_BUFFER: 0x12e,
  /** Revision 1.83 (firmware-limited objects). */
  FIRMWARE_SVN: 0x12f,
  /** Revision 1.83. */
  FIRMWARE_MAX_SVN: 0x130,
  // PT_VAR group
  PERMANENT: 0x200,
  STARTUP_CLEAR: 0x201,
  HR_NV_INDEX: 0x202,
  HR_LOADED: 0x203,
  HR_LOADED_AVAIL: 0x204,
  HR_ACTIVE: 0x205,
  HR_ACTIVE_AVAIL: 0x206,
  HR_TRANSIENT_AVAIL: 0x207,
  HR_PERSISTENT: 0x208,
  HR_PERSISTENT_AVAIL: 0x209,
  NV_COUNTERS: 0x20a,
  NV_COUNTERS_AVAIL: 0x20b,
  ALGORITHM_SET: 0x20c,
  LOADED_CURVES: 0x20d,
  LOCKOUT_COUNTER: 0x20e,
  MAX_AUTH_FAIL: 0x20f,
  LOCKOUT_INTERVAL: 0x210,
  LOCKOUT_RECOVERY: 0x211,
  NV_WRITE_RECOVERY: 0x212,
  AUDIT_COUNTER_0: 0x213,
  AUDIT_COUNTER_1: 0x214,
} as const;

const ptName = reverseLookup(TPM_PT);

/** The spec name without prefix ('MANUFACTURER'), or undefined for an unknown property. */
export function propertyKey(pt: number): keyof typeof TPM_PT | undefined {
  return ptName(pt >>> 0);
}

/**
 * The name tpm2-tools `tpm2_getcap properties-fixed|properties-variable` prints for a property,
 * e.g. 'TPM2_PT_MANUFACTURER'. Unknown properties are 'TPM2_PT_0x00000115'.
 */
export function propertyName(pt: number): string {
  const n = propertyKey(pt);
  return n === undefined ? `TPM2_PT_${hex32(pt)}` : `TPM2_PT_${n}`;
}

/** Bits of TPM_PT_PERMANENT (Part 2 §8.6 TPMA_PERMANENT). Bits 3-7 and 11-31 are reserved. */
export const TPMA_PERMANENT = {
  ownerAuthSet: 0x00000001,
  endorsementAuthSet: 0x00000002,
  lockoutAuthSet: 0x00000004,
  disableClear: 0x00000100,
  inLockout: 0x00000200,
  tpmGeneratedEPS: 0x00000400,
} as const;

/**
 * Bits of TPM_PT_STARTUP_CLEAR (Part 2 §8.7 TPMA_STARTUP_CLEAR). Bits 4-30 are reserved in every
 * published revision (the TCG reference code's unpublished v184 branch puts a `readOnly` flag at
 * bit 4; it is left out until a published spec defines it, so that status JSON stays stable).
 */
export const TPMA_STARTUP_CLEAR = {
  phEnable: 0x00000001,
  shEnable: 0x00000002,
  ehEnable: 0x00000004,
  phEnableNV: 0x00000008,
  orderly: 0x80000000,
} as const;

/** Bits of TPM_PT_MEMORY (Part 2 §8.8 TPMA_MEMORY). */
export const TPMA_MEMORY = {
  sharedRAM: 0x00000001,
  sharedNV: 0x00000002,
  objectCopiedToRam: 0x00000004,
} as const;

/**
 * Bits of TPM_PT_MODES (Part 2 §8.10 TPMA_MODES). FIPS_140_3 (bit 1) and the two-bit FIPS_140_3_INDICATOR
 * field (bits 3:2) were added in revision 1.83; the indicator is a field, not a flag.
 */
export const TPMA_MODES = {
  FIPS_140_2: 0x00000001,
  FIPS_140_3: 0x00000002,
  FIPS_140_3_INDICATOR: 0x0000000c,
} as const;

/** PCR properties for TPM2_GetCapability(TPM_CAP_PCR_PROPERTIES) (Part 2 §6.14 TPM_PT_PCR). */
export const TPM_PT_PCR = {
  SAVE: 0x00,
  EXTEND_L0: 0x01,
  RESET_L0: 0x02,
  EXTEND_L1: 0x03,
  RESET_L1: 0x04,
  EXTEND_L2: 0x05,
  RESET_L2: 0x06,
  EXTEND_L3: 0x07,
  RESET_L3: 0x08,
  EXTEND_L4: 0x09,
  RESET_L4: 0x0a,
  NO_INCREMENT: 0x11,
  DRTM_RESET: 0x12,
  POLICY: 0x13,
  AUTH: 0x14,
} as const;

const pcrPtName = reverseLookup(TPM_PT_PCR);

/** 'TPM2_PT_PCR_SAVE' style name (as tpm2-tss names them); 'TPM2_PT_PCR_0x0000000B' when unknown. */
export function pcrPropertyName(pt: number): string {
  const n = pcrPtName(pt >>> 0);
  return n === undefined ? `TPM2_PT_PCR_${hex32(pt)}` : `TPM2_PT_PCR_${n}`;
}

/** Platform-specific families reported in TPM_PT_PS_FAMILY_INDICATOR (Part 2 §6.15 TPM_PS). */
export const TPM_PS = {
  MAIN: 0x00,
  PC: 0x01,
  PDA: 0x02,
  CELL_PHONE: 0x03,
  SERVER: 0x04,
  PERIPHERAL: 0x05,
  TSS: 0x06,
  STORAGE: 0x07,
  AUTHENTICATION: 0x08,
  EMBEDDED: 0x09,
  HARDCOPY: 0x0a,
  INFRASTRUCTURE: 0x0b,
  VIRTUALIZATION: 0x0c,
  TNC: 0x0d,
  MULTI_TENANT: 0x0e,
  TC: 0x0f,
} as const;
