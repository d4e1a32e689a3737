/**
 * Attribute bit fields: TPMA_OBJECT (Part 2 §8.3), TPMA_LOCALITY (§8.5), TPMA_CC (§8.9), TPMA_ACT (§8.12),
 * TPMA_NV with its TPM_NT field (Part 2 §13, "TPM_NT" and "TPMA_NV Bits"), plus helpers that render attribute
 * words the way tpm2-tools prints them.
 *
 * Values were checked against tpm2-tss include/tss2/tss2_tpm2_types.h, google/go-tpm tpm2 and the TCG reference
 * code TpmTypes.h (1.83 release and v184 development). The printable names follow tpm2-tools 5.x
 * lib/tpm2_attr_util.c (unchanged since 2019, so also what tpm2-tools 5.4 prints).
 */
import { isSingleBit } from './lookup.js';

/** Object attributes (Part 2 §8.3 TPMA_OBJECT). Bits 0, 12-15 and 20-31 are reserved. */
export const TPMA_OBJECT = {
  fixedTPM: 0x00000002,
  stClear: 0x00000004,
  /** Revision 1.83: the object is bound to the TPM firmware. */
  fixedFirmware: 0x00000008,
  fixedParent: 0x00000010,
  sensitiveDataOrigin: 0x00000020,
  userWithAuth: 0x00000040,
  adminWithPolicy: 0x00000080,
  /** Revision 1.83: created under a firmware-limited hierarchy (TPM_RH_FW_*). */
  firmwareLimited: 0x00000100,
  /** Revision 1.83: created under an SVN-limited hierarchy (TPM_RH_SVN_*). */
  svnLimited: 0x00000200,
  noDA: 0x00000400,
  encryptedDuplication: 0x00000800,
  restricted: 0x00010000,
  decrypt: 0x00020000,
  /** `sign` in the spec; tpm2-tss calls it TPMA_OBJECT_SIGN_ENCRYPT. */
  sign: 0x00040000,
  x509sign: 0x00080000,
} as const;

/** NV index types, the TPM_NT field in bits 7:4 of TPMA_NV (Part 2 §13 TPM_NT). */
export const TPM_NT = {
  ORDINARY: 0x0,
  COUNTER: 0x1,
  BITS: 0x2,
  EXTEND: 0x4,
  PIN_FAIL: 0x8,
  PIN_PASS: 0x9,
} as const;

/** Mask and shift of the TPM_NT field inside TPMA_NV. */
const TPMA_NV_TPM_NT_MASK = 0x000000f0;
const TPMA_NV_TPM_NT_SHIFT = 4;

/**
 * NV index attributes, keyed by name without the `TPMA_NV_` prefix (Part 2 §13 TPMA_NV). `TPM_NT` is the
 * four-bit type field (bits 7:4), not a flag. Bits 8, 9 and 20-24 are reserved.
 */
export const TPMA_NV = {
  PPWRITE: 0x00000001,
  OWNERWRITE: 0x00000002,
  AUTHWRITE: 0x00000004,
  POLICYWRITE: 0x00000008,
  TPM_NT: 0x000000f0,
  POLICY_DELETE: 0x00000400,
  WRITELOCKED: 0x00000800,
  WRITEALL: 0x00001000,
  WRITEDEFINE: 0x00002000,
  WRITE_STCLEAR: 0x00004000,
  GLOBALLOCK: 0x00008000,
  PPREAD: 0x00010000,
  OWNERREAD: 0x00020000,
  AUTHREAD: 0x00040000,
  POLICYREAD: 0x00080000,
  NO_DA: 0x02000000,
  ORDERLY: 0x04000000,
  CLEAR_STCLEAR: 0x08000000,
  READLOCKED: 0x10000000,
  WRITTEN: 0x20000000,
  PLATFORMCREATE: 0x40000000,
  READ_STCLEAR: 0x80000000,
} as const;

/**
 * Command attributes returned by TPM2_GetCapability(TPM_CAP_COMMANDS) (Part 2 §8.9 TPMA_CC).
 * `commandIndex` (bits 15:0) and `cHandles` (bits 27:25) are fields; bits 21:16 and 31:30 are reserved.
 */
export const TPMA_CC = {
  commandIndex: 0x0000ffff,
  nv: 0x00400000,
  extensive: 0x00800000,
  flushed: 0x01000000,
  cHandles: 0x0e000000,
  rHandle: 0x10000000,
  V: 0x20000000,
} as const;

/** Shift of the TPMA_CC.cHandles field. */
const TPMA_CC_CHANDLES_SHIFT = 25;

/**
 * Locality attributes (Part 2 §8.5 TPMA_LOCALITY, one octet). `Extended` (bits 7:5) is a field: when it is
 * non-zero the whole octet is an extended locality number (32..255) rather than a bit map of localities 0-4.
 */
export const TPMA_LOCALITY = {
  TPM_LOC_ZERO: 0x01,
  TPM_LOC_ONE: 0x02,
  TPM_LOC_TWO: 0x04,
  TPM_LOC_THREE: 0x08,
  TPM_LOC_FOUR: 0x10,
  Extended: 0xe0,
} as const;

/** Authenticated Countdown Timer attributes (Part 2 §8.12 TPMA_ACT). */
export const TPMA_ACT = {
  signaled: 0x00000001,
  preserveSignaled: 0x00000002,
} as const;

/**
 * The names of the single-bit entries of `bits` that are set in `value`, in ascending bit order. Entries whose
 * mask covers more than one bit (fields such as TPMA_NV.TPM_NT or TPMA_CC.commandIndex) are ignored; read them
 * with a mask and shift instead.
 */
export function flagNames(value: number, bits: Readonly<Record<string, number>>): string[] {
  const v = value >>> 0;
  return Object.entries(bits)
    .filter(([, mask]) => isSingleBit(mask) && (v & mask) >>> 0 !== 0)
    .sort(([, a], [, b]) => (a >>> 0) - (b >>> 0))
    .map(([name]) => name);
}

/** The TPM_NT value (0..15) held in bits 7:4 of a TPMA_NV word. */
export function nvIndexType(attrs: number): number {
  return ((attrs >>> 0) & TPMA_NV_TPM_NT_MASK) >>> TPMA_NV_TPM_NT_SHIFT;
}

/** The names tpm2-tools accepts for `nt=` in tpm2_nvdefine (lib/tpm2_attr_util.c lookup_nt_friendly_name). */
const NT_FRIENDLY: Readonly<Record<number, string>> = {
  [TPM_NT.ORDINARY]: 'ordinary',
  [TPM_NT.COUNTER]: 'counter',
  [TPM_NT.BITS]: 'bits',
  [TPM_NT.EXTEND]: 'extend',
  [TPM_NT.PIN_FAIL]: 'pinfail',
  [TPM_NT.PIN_PASS]: 'pinpass',
};

/** 'ordinary' | 'counter' | 'bits' | 'extend' | 'pinfail' | 'pinpass' (tpm2-tools spelling); 'nt=0xN' otherwise. */
export function nvTypeName(nt: number): string {
  return NT_FRIENDLY[nt] ?? `nt=0x${(nt & 0xf).toString(16).toUpperCase()}`;
}

interface AttrSlot {
  name: string;
  /** Field width in bits; names of 1-bit slots print bare, wider ones as name=0xV. */
  width: number;
}

function reserved(bit: number): AttrSlot {
  return { name: `<reserved(${bit})>`, width: 1 };
}

function slot(name: string, width = 1): AttrSlot {
  return { name, width };
}

/*
 * Per-bit tables in the layout of tpm2-tools' dispatch tables (lib/tpm2_attr_util.c nv_attr_table and
 * obj_attr_table): one slot per bit, the TPM_NT field repeated at bits 4..7 with widths 4, 3, 2, 1.
 */
const NV_SLOTS: readonly AttrSlot[] = [
  slot('ppwrite'),
  slot('ownerwrite'),
  slot('authwrite'),
  slot('policywrite'),
  slot('nt', 4),
  slot('nt', 3),
  slot('nt', 2),
  slot('nt', 1),
  reserved(8),
  reserved(9),
  slot('policydelete'),
  slot('writelocked'),
  slot('writeall'),
  slot('writedefine'),
  slot('write_stclear'),
  slot('globallock'),
  slot('ppread'),
  slot('ownerread'),
  slot('authread'),
  slot('policyread'),
  reserved(20),
  reserved(21),
  reserved(22),
  reserved(23),
  reserved(24),
  slot('no_da'),
  slot('orderly'),
  slot('clear_stclear'),
  slot('readlocked'),
  slot('written'),
  slot('platformcreate'),
  slot('read_stclear'),
];

const OBJECT_SLOTS: readonly AttrSlot[] = Array.from({ length: 32 }, (_, bit) => {
  const named: Readonly<Record<number, string>> = {
    1: 'fixedtpm',
    2: 'stclear',
    4: 'fixedparent',
    5: 'sensitivedataorigin',
    6: 'userwithauth',
    7: 'adminwithpolicy',
    10: 'noda',
    11: 'encryptedduplication',
    16: 'restricted',
    17: 'decrypt',
    18: 'sign',
  };
  const name = named[bit];
  return name === undefined ? reserved(bit) : slot(name);
});

/** Index of the lowest set bit of a non-zero uint32. */
function lowestSetBit(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/**
 * Renders an attribute word exactly as tpm2-tools' tpm2_attr_util_common_attrtostr does: walk the set bits from
 * the lowest, print the slot's name, and for a multi-bit slot print 'name=0xV' with the field value taken from
 * that bit upward and consume the whole field. 0 renders as '<none>'.
 */
function renderLikeTpm2Tools(value: number, slots: readonly AttrSlot[]): string {
  let attrs = value >>> 0;
  if (attrs === 0) return '<none>';
  const parts: string[] = [];
  while (attrs !== 0) {
    const bit = lowestSetBit(attrs);
    const s = slots[bit] ?? reserved(bit);
    const mask = (2 ** s.width - 1) & 0xff;
    const field = ((attrs >>> bit) & mask) >>> 0;
    attrs = (attrs & ~(mask << bit)) >>> 0;
    parts.push(s.width === 1 ? s.name : `${s.name}=0x${field.toString(16).toUpperCase()}`);
  }
  return parts.join('|');
}

/**
 * TPMA_NV attributes as `tpm2_nvreadpublic` prints them ("friendly"), e.g.
 * 'ppwrite|writelocked|writedefine|ppread|ownerread|authread|no_da|written|platformcreate' for 0x62072801.
 *
 * The TPM_NT field is printed as tpm2-tools does, which is exact only when bit 4 of the field is set:
 * 'nt=0x1' (counter), 'nt=0x9' (pin pass); but tpm2-tools starts the field at the lowest set bit, so
 * bits (2) and extend (4) also print 'nt=0x1' and pin fail (8) prints a bare 'nt'. Use {@link nvIndexType} and
 * {@link nvTypeName} for the real type.
 */
export function nvAttributeNames(attrs: number): string {
  return renderLikeTpm2Tools(attrs, NV_SLOTS);
}

/**
 * TPMA_OBJECT attributes as `tpm2_readpublic` prints them, e.g.
 * 'fixedtpm|fixedparent|sensitivedataorigin|adminwithpolicy|restricted|decrypt' for 0x000300B2.
 * Bits tpm2-tools does not name (including the 1.83 fixedFirmware/firmwareLimited/svnLimited and x509sign)
 * print as '<reserved(N)>', as they do there.
 */
export function objectAttributeNames(attrs: number): string {
  return renderLikeTpm2Tools(attrs, OBJECT_SLOTS);
}

/**
 * The hierarchy an NV index actually belongs to, from its attributes: TPMA_NV_PLATFORMCREATE set means it was
 * defined with platform authorization and survives TPM2_Clear (Part 3 §24.6); otherwise it is an owner index
 * and TPM2_Clear deletes it. Prefer this to the range convention of describeNvIndex() when the attributes are
 * known.
 */
export function nvIndexHierarchy(attrs: number): 'platform' | 'owner' {
  return ((attrs >>> 0) & TPMA_NV.PLATFORMCREATE) !== 0 ? 'platform' : 'owner';
}

/** The number of handles in the command's handle area (TPMA_CC.cHandles, bits 27:25). */
export function commandHandleCount(tpmaCc: number): number {
  return ((tpmaCc >>> 0) & TPMA_CC.cHandles) >>> TPMA_CC_CHANDLES_SHIFT;
}

/**
 * The TPM_CC a TPMA_CC describes: the commandIndex plus, for a vendor command, the V bit (Part 2 §8.9 says a
 * TPM_CC is the commandIndex with V in bit 29). Pass the result to commandName().
 */
export function commandCodeFromAttributes(tpmaCc: number): number {
  const v = tpmaCc >>> 0;
  return ((v & TPMA_CC.commandIndex) | (v & TPMA_CC.V)) >>> 0;
}
