/**
 * Handles: TPM_HT handle types (Part 2 §7.2), TPM_RH permanent handles (Part 2 §7.4), the TPM_HC range
 * constants (Part 2 §7.5), and who a persistent handle or NV index conventionally belongs to.
 *
 * Values were checked against tpm2-tss include/tss2/tss2_tpm2_types.h and the TCG reference code
 * (TrustedComputingGroup/TPM TpmTypes.h, 1.83 release and v184 development); go-tpm tpm2/constants.go agrees
 * on every value it has.
 */
import { hex32, reverseLookup } from './lookup.js';

/** Handle types: the most significant octet of a handle (Part 2 §7.2 TPM_HT). */
export const TPM_HT = {
  PCR: 0x00,
  NV_INDEX: 0x01,
  HMAC_SESSION: 0x02,
  /** Alias of HMAC_SESSION: a loaded authorization session (Part 2 §7.2). */
  LOADED_SESSION: 0x02,
  POLICY_SESSION: 0x03,
  /** Alias of POLICY_SESSION: a saved (context-saved) session (Part 2 §7.2). */
  SAVED_SESSION: 0x03,
  /** Added in revision 1.83: NV index whose data is kept outside the TPM. */
  EXTERNAL_NV: 0x11,
  /** Added in revision 1.83: permanent NV index. */
  PERMANENT_NV: 0x12,
  PERMANENT: 0x40,
  TRANSIENT: 0x80,
  PERSISTENT: 0x81,
  /** Attached Component (Part 2 §7.2). */
  AC: 0x90,
} as const;

/**
 * Permanent (reserved) handles, keyed by name without the `TPM_RH_` prefix (Part 2 §7.4 TPM_RH).
 * `PW` is TPM_RS_PW, the password-session handle, which the spec lists in the same table.
 */
export const TPM_RH = {
  SRK: 0x40000000,
  OWNER: 0x40000001,
  REVOKE: 0x40000002,
  TRANSPORT: 0x40000003,
  OPERATOR: 0x40000004,
  ADMIN: 0x40000005,
  EK: 0x40000006,
  NULL: 0x40000007,
  UNASSIGNED: 0x40000008,
  PW: 0x40000009,
  LOCKOUT: 0x4000000a,
  ENDORSEMENT: 0x4000000b,
  PLATFORM: 0x4000000c,
  PLATFORM_NV: 0x4000000d,
  /** First of the vendor-specific authorization handles 0x40000010..0x4000010F. */
  AUTH_00: 0x40000010,
  /** Last of the vendor-specific authorization handles. */
  AUTH_FF: 0x4000010f,
  /** Authenticated Countdown Timers (Part 2 §7.4; revision 1.59 and later). */
  ACT_0: 0x40000110,
  ACT_1: 0x40000111,
  ACT_2: 0x40000112,
  ACT_3: 0x40000113,
  ACT_4: 0x40000114,
  ACT_5: 0x40000115,
  ACT_6: 0x40000116,
  ACT_7: 0x40000117,
  ACT_8: 0x40000118,
  ACT_9: 0x40000119,
  ACT_A: 0x4000011a,
  ACT_B: 0x4000011b,
  ACT_C: 0x4000011c,
  ACT_D: 0x4000011d,
  ACT_E: 0x4000011e,
  ACT_F: 0x4000011f,
  /** Firmware-bound hierarchies (revision 1.83). */
  FW_OWNER: 0x40000140,
  FW_ENDORSEMENT: 0x40000141,
  FW_PLATFORM: 0x40000142,
  FW_NULL: 0x40000143,
  /** Bases of the SVN-limited hierarchies (revision 1.83); base + n, n = 0x0000..0xFFFF. */
  SVN_OWNER_BASE: 0x40010000,
  SVN_ENDORSEMENT_BASE: 0x40020000,
  SVN_PLATFORM_BASE: 0x40030000,
  SVN_NULL_BASE: 0x40040000,
} as const;

/** TPM_RS_PW, the handle of the password authorization session (Part 2 §7.4). Same value as TPM_RH.PW. */
export const TPM_RS_PW = 0x40000009;

/**
 * First (and, where the spec fixes it, last) handles of each range (Part 2 §7.5 TPM_HC). The LAST values of
 * PCR, session and transient ranges depend on the implementation and are therefore not listed.
 */
export const HANDLE_RANGE = {
  HR_HANDLE_MASK: 0x00ffffff,
  HR_RANGE_MASK: 0xff000000,
  HR_SHIFT: 24,
  PCR_FIRST: 0x00000000,
  NV_INDEX_FIRST: 0x01000000,
  NV_INDEX_LAST: 0x01ffffff,
  HMAC_SESSION_FIRST: 0x02000000,
  LOADED_SESSION_FIRST: 0x02000000,
  POLICY_SESSION_FIRST: 0x03000000,
  ACTIVE_SESSION_FIRST: 0x03000000,
  /** Revision 1.83. */
  EXTERNAL_NV_FIRST: 0x11000000,
  EXTERNAL_NV_LAST: 0x11ffffff,
  /** Revision 1.83. */
  PERMANENT_NV_FIRST: 0x12000000,
  PERMANENT_NV_LAST: 0x12ffffff,
  PERMANENT_FIRST: 0x40000000,
  /** TPM_RH_LAST of revision 1.83 (end of the SVN_NULL range); it was 0x4000011F in revision 1.59. */
  PERMANENT_LAST: 0x4004ffff,
  TRANSIENT_FIRST: 0x80000000,
  PERSISTENT_FIRST: 0x81000000,
  PERSISTENT_LAST: 0x81ffffff,
  /** First persistent handle of the platform range (PLATFORM_PERSISTENT = PERSISTENT_FIRST + 0x00800000). */
  PLATFORM_PERSISTENT: 0x81800000,
  /** NV indices describing Attached Components (HR_NV_AC). */
  NV_AC_FIRST: 0x01d00000,
  NV_AC_LAST: 0x01d0ffff,
  AC_FIRST: 0x90000000,
  AC_LAST: 0x9000ffff,
} as const;

const htName = reverseLookup(TPM_HT);
const rhName = reverseLookup(TPM_RH);

/** The handle type (most significant octet) of a handle, e.g. 0x81 for 0x81010001. */
export function handleType(h: number): number {
  return (h >>> 24) & 0xff;
}

/** The spec name of a handle type without prefix ('PERSISTENT'), or undefined for an unassigned type. */
export function handleTypeName(ht: number): keyof typeof TPM_HT | undefined {
  return htName(ht & 0xff);
}

/**
 * A printable name for a handle: 'TPM_RH_OWNER' (or 'TPM_RS_PW') for a named permanent handle, otherwise the
 * handle as 8 upper-case hex digits, '0x81010001', as tpm2-tools prints handles.
 */
export function handleName(h: number): string {
  const v = h >>> 0;
  if (handleType(v) === TPM_HT.PERMANENT) {
    const name = rhName(v);
    if (name === 'PW') return 'TPM_RS_PW';
    if (name !== undefined) return `TPM_RH_${name}`;
  }
  return hex32(v);
}

/** What a handle range is conventionally used for and which hierarchy normally owns it. */
export interface HandleRangeInfo {
  /** The range the handle falls in, 'first-last' in hex. */
  range: string;
  /**
   * The hierarchy that conventionally owns handles in this range. For persistent objects this is the
   * hierarchy of the object; for NV indices it is the hierarchy that normally defines the index (an index
   * defined with platform authorization has TPMA_NV_PLATFORMCREATE and survives TPM2_Clear).
   * 'unknown' when the convention does not say.
   */
  hierarchyHint: 'owner' | 'endorsement' | 'platform' | 'unknown';
  /** What the range (or the exact handle) is reserved for, with its source. */
  purpose: string;
}

function span(first: number, last: number): string {
  return `${hex32(first)}-${hex32(last)}`;
}

/*
 * Sources for the persistent-handle conventions below:
 * - Part 3 §28.5 TPM2_EvictControl: with Owner authorization the persistent handle must be in
 *   0x81000000-0x817FFFFF; with Platform authorization in 0x81800000-0x81FFFFFF. (Also PLATFORM_PERSISTENT in
 *   the TCG reference code.) This is enforced by the TPM.
 * - TCG "Registry of Reserved TPM 2.0 Handles and Localities" (v1.1 2019, v1.2) §2.3 reserves blocks inside
 *   those ranges by convention. The registry PDF itself could not be read from here; the two blocks below are
 *   as quoted by independent implementers who cite it (systemd PR #42701 places 0x81010001 "within the block
 *   of handles reserved for endorsement primary keys" of registry v1.2 §2.3; DigiCert TrustCore FAPI2 checks
 *   primary-key parents against 0x81000000-0x8100FFFF and 0x81010000-0x8101FFFF). Finer platform sub-ranges
 *   (0x81800000..) could not be confirmed and are not listed.
 * - TCG "TPM v2.0 Provisioning Guidance" v1.0 r1.0 Table 2 recommends the SRK at 0x81000001 and the EK at
 *   0x81010001 (cited by tpm2-software/tpm2-pkcs11 PR #606 and systemd PR #42701).
 */
/** The persistent-handle ranges of the sources above, inclusive. */
export const PERSISTENT_RANGE = {
  /** Storage-hierarchy primary keys (TCG handle registry §2.3). */
  STORAGE_PRIMARY: { first: 0x81000000, last: 0x8100ffff },
  /** Endorsement-hierarchy primary keys (TCG handle registry §2.3). */
  ENDORSEMENT_PRIMARY: { first: 0x81010000, last: 0x8101ffff },
  /** What TPM2_EvictControl accepts with owner authorisation (Part 3 §28.5). */
  OWNER: { first: 0x81000000, last: 0x817fffff },
  /** What TPM2_EvictControl accepts with platform authorisation (Part 3 §28.5). */
  PLATFORM: { first: 0x81800000, last: 0x81ffffff },
} as const;
const PERSISTENT_STORAGE_PRIMARY = PERSISTENT_RANGE.STORAGE_PRIMARY;
const PERSISTENT_ENDORSEMENT_PRIMARY = PERSISTENT_RANGE.ENDORSEMENT_PRIMARY;
const PERSISTENT_OWNER = PERSISTENT_RANGE.OWNER;
const PERSISTENT_PLATFORM = PERSISTENT_RANGE.PLATFORM;

/** Well-known persistent handles (TCG TPM v2.0 Provisioning Guidance, Table 2). */
const WELL_KNOWN_PERSISTENT = {
  SRK: 0x81000001,
  EK: 0x81010001,
} as const;

/** Which range a persistent handle (0x81xxxxxx) falls in and what that range is for. */
export function describePersistentHandle(h: number): HandleRangeInfo {
  const v = h >>> 0;
  if (handleType(v) !== TPM_HT.PERSISTENT) {
    return {
      range: hex32(v),
      hierarchyHint: 'unknown',
      purpose: 'not a persistent handle (type is not 0x81)',
    };
  }
  if (v >= PERSISTENT_STORAGE_PRIMARY.first && v <= PERSISTENT_STORAGE_PRIMARY.last) {
    const range = span(PERSISTENT_STORAGE_PRIMARY.first, PERSISTENT_STORAGE_PRIMARY.last);
    if (v === WELL_KNOWN_PERSISTENT.SRK) {
      return {
        range,
        hierarchyHint: 'owner',
        purpose: 'Storage Root Key (SRK) (TCG TPM v2.0 Provisioning Guidance, Table 2)',
      };
    }
    return {
      range,
      hierarchyHint: 'owner',
      purpose: 'storage-hierarchy primary keys (TCG Registry of Reserved TPM 2.0 Handles, §2.3)',
    };
  }
  if (v >= PERSISTENT_ENDORSEMENT_PRIMARY.first && v <= PERSISTENT_ENDORSEMENT_PRIMARY.last) {
    const range = span(PERSISTENT_ENDORSEMENT_PRIMARY.first, PERSISTENT_ENDORSEMENT_PRIMARY.last);
    if (v === WELL_KNOWN_PERSISTENT.EK) {
      return {
        range,
        hierarchyHint: 'endorsement',
        purpose: 'Endorsement Key (EK) (TCG TPM v2.0 Provisioning Guidance, Table 2)',
      };
    }
    return {
      range,
      hierarchyHint: 'endorsement',
      purpose: 'endorsement-hierarchy primary keys (TCG Registry of Reserved TPM 2.0 Handles, §2.3)',
    };
  }
  if (v >= PERSISTENT_OWNER.first && v <= PERSISTENT_OWNER.last) {
    return {
      range: span(PERSISTENT_OWNER.first, PERSISTENT_OWNER.last),
      hierarchyHint: 'owner',
      purpose: 'owner-authorized persistent objects (Part 3 §28.5 TPM2_EvictControl)',
    };
  }
  return {
    range: span(PERSISTENT_PLATFORM.first, PERSISTENT_PLATFORM.last),
    hierarchyHint: 'platform',
    purpose: 'platform-authorized persistent objects (Part 3 §28.5 TPM2_EvictControl)',
  };
}

/*
 * NV index ranges of the TCG "Registry of Reserved TPM 2.0 Handles and Localities" §2.2. The registry PDF could
 * not be read from here; the ranges are as encoded by tpm2-software/tpm2-tss (src/tss2-fapi/fapi_util.c
 * `nv_tab`, src/tss2-fapi/ifapi_helpers.c), whose FAPI path names follow the registry, and they agree with
 * "A Practical Guide to TPM 2.0" (TPM manufacturer range 0..0x3FFFFF) and systemd's TPM2_NVINDEX_ASSIGNMENTS
 * (Linux community block 0x01D10200-0x01D105FF, registry §2.2). The EK certificate, nonce and template slots
 * are from the TCG EK Credential Profile (low range, and high range 0x01C00012-0x01C07FFF), as used by
 * tpm2-tools tpm2_getekcertificate / tpm2_createek; the EK certificate chain block 0x01C00100-0x01C001FF is
 * from tpm2-tss Fapi_Provision.c.
 */
interface NvRange {
  first: number;
  last: number;
  hint: HandleRangeInfo['hierarchyHint'];
  purpose: string;
}

/** NV index block holding EK certificates, nonces and templates (TCG EK Credential Profile). */
export const NV_EK_CERT_RANGE = { first: 0x01c00000, last: 0x01c07fff } as const;
/** NV index block holding platform certificates (registry §2.2). */
const NV_PLATFORM_CERT_RANGE = { first: 0x01c08000, last: 0x01c0ffff } as const;

const NV_RANGES: readonly NvRange[] = [
  { first: 0x01000000, last: 0x013fffff, hint: 'unknown', purpose: 'TPM manufacturer (registry §2.2)' },
  { first: 0x01400000, last: 0x017fffff, hint: 'platform', purpose: 'platform manufacturer (registry §2.2)' },
  { first: 0x01800000, last: 0x01bfffff, hint: 'owner', purpose: 'owner (registry §2.2)' },
  {
    ...NV_EK_CERT_RANGE,
    hint: 'platform',
    purpose: 'endorsement certificates, nonces and templates (registry §2.2; TCG EK Credential Profile)',
  },
  { ...NV_PLATFORM_CERT_RANGE, hint: 'platform', purpose: 'platform certificates (registry §2.2)' },
  { first: 0x01c10000, last: 0x01c1ffff, hint: 'unknown', purpose: 'component OEM (registry §2.2)' },
  { first: 0x01c20000, last: 0x01c2ffff, hint: 'unknown', purpose: 'TPM OEM (registry §2.2)' },
  { first: 0x01c30000, last: 0x01c3ffff, hint: 'unknown', purpose: 'platform OEM (registry §2.2)' },
  { first: 0x01c40000, last: 0x01c4ffff, hint: 'unknown', purpose: 'TCG PC Client WG (registry §2.2)' },
  { first: 0x01c50000, last: 0x01c5ffff, hint: 'unknown', purpose: 'TCG Server WG (registry §2.2)' },
  {
    first: 0x01c60000,
    last: 0x01c6ffff,
    hint: 'unknown',
    purpose: 'TCG Virtualized Platform WG (registry §2.2)',
  },
  { first: 0x01c70000, last: 0x01c7ffff, hint: 'unknown', purpose: 'TCG Mobile Platform WG (registry §2.2)' },
  { first: 0x01c80000, last: 0x01c8ffff, hint: 'unknown', purpose: 'TCG Embedded WG (registry §2.2)' },
  {
    first: 0x01d00000,
    last: 0x01d0ffff,
    hint: 'unknown',
    purpose: 'Attached Component NV indices (Part 2 §7.5 HR_NV_AC)',
  },
  {
    first: 0x01d10200,
    last: 0x01d105ff,
    hint: 'unknown',
    purpose: 'Linux community, delegated by the UAPI Linux TPM NV Index Registry (registry §2.2)',
  },
];

/** Exact EK Credential Profile slots (low range, high range) and tpm2-tss' EK certificate chain block. */
const NV_EXACT: Readonly<Record<number, string>> = {
  29360130: 'RSA 2048 EK certificate (EK Credential Profile, low range)',
  29360131: 'RSA 2048 EK nonce (EK Credential Profile, low range)',
  29360132: 'RSA 2048 EK template (EK Credential Profile, low range)',
  29360138: 'ECC NIST P-256 EK certificate (EK Credential Profile, low range)',
  29360139: 'ECC NIST P-256 EK nonce (EK Credential Profile, low range)',
  29360140: 'ECC NIST P-256 EK template (EK Credential Profile, low range)',
  29360146: 'RSA 2048 EK certificate (EK Credential Profile, high range)',
  29360148: 'ECC NIST P-256 EK certificate (EK Credential Profile, high range)',
  29360150: 'ECC NIST P-384 EK certificate (EK Credential Profile, high range)',
  29360152: 'ECC NIST P-521 EK certificate (EK Credential Profile, high range)',
  29360154: 'ECC SM2 P-256 EK certificate (EK Credential Profile, high range)',
  29360156: 'RSA 3072 EK certificate (EK Credential Profile, high range)',
  29360158: 'RSA 4096 EK certificate (EK Credential Profile, high range)',
};

/** Well-known NV indices (TCG EK Credential Profile low range). */
export const WELL_KNOWN_NV = {
  RSA_EK_CERT: 0x01c00002,
  RSA_EK_NONCE: 0x01c00003,
  RSA_EK_TEMPLATE: 0x01c00004,
  ECC_EK_CERT: 0x01c0000a,
  ECC_EK_NONCE: 0x01c0000b,
  ECC_EK_TEMPLATE: 0x01c0000c,
} as const;

/** Which registry range an NV index (0x01xxxxxx) falls in and what that range is for. */
export function describeNvIndex(h: number): HandleRangeInfo {
  const v = h >>> 0;
  if (handleType(v) !== TPM_HT.NV_INDEX) {
    return { range: hex32(v), hierarchyHint: 'unknown', purpose: 'not an NV index (type is not 0x01)' };
  }
  for (const r of NV_RANGES) {
    if (v < r.first || v > r.last) continue;
    const exact = NV_EXACT[v];
    if (exact !== undefined) return { range: span(r.first, r.last), hierarchyHint: r.hint, purpose: exact };
    if (v >= 0x01c00100 && v <= 0x01c001ff) {
      return {
        range: span(0x01c00100, 0x01c001ff),
        hierarchyHint: 'platform',
        purpose: 'EK certificate chain (as used by tpm2-tss FAPI provisioning)',
      };
    }
    if (v >= 0x01c00012 && v <= 0x01c07fff) {
      return {
        range: span(0x01c00012, 0x01c07fff),
        hierarchyHint: 'platform',
        purpose: 'EK Credential Profile high range (EK certificates at even indices)',
      };
    }
    if (v >= 0x01d10200 && v <= 0x01d10224) {
      return {
        range: span(0x01d10200, 0x01d10224),
        hierarchyHint: 'unknown',
        purpose: 'systemd (systemd TPM2_NVINDEX_ASSIGNMENTS; Linux community block)',
      };
    }
    return { range: span(r.first, r.last), hierarchyHint: r.hint, purpose: r.purpose };
  }
  return {
    range: hex32(v),
    hierarchyHint: 'unknown',
    purpose: 'not assigned by the TCG handle registry ranges known here',
  };
}
