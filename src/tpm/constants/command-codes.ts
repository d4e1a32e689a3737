/**
 * TPM_CC, the command codes (TPM 2.0 Library Part 2 §6.5.2 "TPM_CC", with the TPMA_CC layout of §8.9).
 *
 * Sources checked, value by value:
 * - 0x11F..0x19A: tpm2-tss include/tss2/tss2_tpm2_types.h, google/go-tpm tpm2/constants.go (to 0x198) and the
 *   TCG reference implementation (TrustedComputingGroup/TPM, TpmTypes.h) all agree.
 * - 0x19B..0x19F: added by Library spec revision 1.83; taken from the TCG 1.83 release reference code
 *   (commit 97c2783, "TPM Specification 1.83 Release reference code").
 * - 0x1A0..0x1A1: present only in the TCG reference code's v184 *development* branch, not in a published
 *   revision; kept so that a TPM reporting them is named rather than shown as unknown.
 *
 * The spec also gives two aliases that share a value: TPM_CC_MAC = TPM_CC_HMAC (0x155) and
 * TPM_CC_MAC_Start = TPM_CC_HMAC_Start (0x15B). They live in {@link TPM_CC_ALIASES} so that every value in
 * {@link TPM_CC} is unique and reverse lookup is unambiguous. 0x123, 0x15A, 0x15F, 0x166 and 0x175 are
 * unassigned.
 */
import { hex32, reverseLookup } from './lookup.js';

/** Command codes keyed by the spec name without its `TPM_CC_` prefix (Part 2 §6.5.2). */
export const TPM_CC = {
  NV_UndefineSpaceSpecial: 0x11f,
  EvictControl: 0x120,
  HierarchyControl: 0x121,
  NV_UndefineSpace: 0x122,
  ChangeEPS: 0x124,
  ChangePPS: 0x125,
  Clear: 0x126,
  ClearControl: 0x127,
  ClockSet: 0x128,
  HierarchyChangeAuth: 0x129,
  NV_DefineSpace: 0x12a,
  PCR_Allocate: 0x12b,
  PCR_SetAuthPolicy: 0x12c,
  PP_Commands: 0x12d,
  SetPrimaryPolicy: 0x12e,
  FieldUpgradeStart: 0x12f,
  ClockRateAdjust: 0x130,
  CreatePrimary: 0x131,
  NV_GlobalWriteLock: 0x132,
  GetCommandAuditDigest: 0x133,
  NV_Increment: 0x134,
  NV_SetBits: 0x135,
  NV_Extend: 0x136,
  NV_Write: 0x137,
  NV_WriteLock: 0x138,
  DictionaryAttackLockReset: 0x139,
  DictionaryAttackParameters: 0x13a,
  NV_ChangeAuth: 0x13b,
  PCR_Event: 0x13c,
  PCR_Reset: 0x13d,
  SequenceComplete: 0x13e,
  SetAlgorithmSet: 0x13f,
  SetCommandCodeAuditStatus: 0x140,
  FieldUpgradeData: 0x141,
  IncrementalSelfTest: 0x142,
  SelfTest: 0x143,
  Startup: 0x144,
  Shutdown: 0x145,
  StirRandom: 0x146,
  ActivateCredential: 0x147,
  Certify: 0x148,
  PolicyNV: 0x149,
  CertifyCreation: 0x14a,
  Duplicate: 0x14b,
  GetTime: 0x14c,
  GetSessionAuditDigest: 0x14d,
  NV_Read: 0x14e,
  NV_ReadLock: 0x14f,
  ObjectChangeAuth: 0x150,
  PolicySecret: 0x151,
  Rewrap: 0x152,
  Create: 0x153,
  ECDH_ZGen: 0x154,
  HMAC: 0x155,
  Import: 0x156,
  Load: 0x157,
  Quote: 0x158,
  RSA_Decrypt: 0x159,
  HMAC_Start: 0x15b,
  SequenceUpdate: 0x15c,
  Sign: 0x15d,
  Unseal: 0x15e,
  PolicySigned: 0x160,
  ContextLoad: 0x161,
  ContextSave: 0x162,
  ECDH_KeyGen: 0x163,
  EncryptDecrypt: 0x164,
  FlushContext: 0x165,
  LoadExternal: 0x167,
  MakeCredential: 0x168,
  NV_ReadPublic: 0x169,
  PolicyAuthorize: 0x16a,
  PolicyAuthValue: 0x16b,
  PolicyCommandCode: 0x16c,
  PolicyCounterTimer: 0x16d,
  PolicyCpHash: 0x16e,
  PolicyLocality: 0x16f,
  PolicyNameHash: 0x170,
  PolicyOR: 0x171,
  PolicyTicket: 0x172,
  ReadPublic: 0x173,
  RSA_Encrypt: 0x174,
  StartAuthSession: 0x176,
  VerifySignature: 0x177,
  ECC_Parameters: 0x178,
  FirmwareRead: 0x179,
  GetCapability: 0x17a,
  GetRandom: 0x17b,
  GetTestResult: 0x17c,
  Hash: 0x17d,
  PCR_Read: 0x17e,
  PolicyPCR: 0x17f,
  PolicyRestart: 0x180,
  ReadClock: 0x181,
  PCR_Extend: 0x182,
  PCR_SetAuthValue: 0x183,
  NV_Certify: 0x184,
  EventSequenceComplete: 0x185,
  HashSequenceStart: 0x186,
  PolicyPhysicalPresence: 0x187,
  PolicyDuplicationSelect: 0x188,
  PolicyGetDigest: 0x189,
  TestParms: 0x18a,
  Commit: 0x18b,
  PolicyPassword: 0x18c,
  ZGen_2Phase: 0x18d,
  EC_Ephemeral: 0x18e,
  PolicyNvWritten: 0x18f,
  PolicyTemplate: 0x190,
  CreateLoaded: 0x191,
  PolicyAuthorizeNV: 0x192,
  EncryptDecrypt2: 0x193,
  AC_GetCapability: 0x194,
  AC_Send: 0x195,
  Policy_AC_SendSelect: 0x196,
  CertifyX509: 0x197,
  ACT_SetTimeout: 0x198,
  ECC_Encrypt: 0x199,
  ECC_Decrypt: 0x19a,
  // Added in Library revision 1.83.
  PolicyCapability: 0x19b,
  PolicyParameters: 0x19c,
  NV_DefineSpace2: 0x19d,
  NV_ReadPublic2: 0x19e,
  SetCapability: 0x19f,
  // Only in the TCG reference code's v184 development branch (not yet in a published revision).
  ReadOnlyControl: 0x1a0,
  PolicyTransportSPDM: 0x1a1,
  // Part 2 §6.5.2: the one vendor-specific code the spec itself names (TPM_CC_Vendor_TCG_Test = CC_VEND).
  Vendor_TCG_Test: 0x20000000,
} as const;

/** Spec aliases that share a value with a {@link TPM_CC} entry (Part 2 §6.5.2). */
export const TPM_CC_ALIASES = {
  MAC: 0x155,
  MAC_Start: 0x15b,
} as const;

/** Any command code listed in {@link TPM_CC}. */
export type TpmCommandCode = (typeof TPM_CC)[keyof typeof TPM_CC];

/** Spec name (without prefix) of a {@link TPM_CC} entry. */
export type TpmCommandName = keyof typeof TPM_CC;

/**
 * Bit 29 of a command code, TPMA_CC.V (Part 2 §8.9): set for vendor-specific commands. The low 16 bits are
 * then a vendor-defined command index.
 */
const TPM_CC_VENDOR_BIT = 0x20000000;

const nameOf = reverseLookup(TPM_CC);

/** The spec name of a command code without prefix ('GetCapability'), or undefined if it is not known. */
export function commandCodeName(cc: number): TpmCommandName | undefined {
  return nameOf(cc >>> 0);
}

/** True for a command code with the vendor-specific bit (TPMA_CC.V, bit 29) set. */
export function isVendorCommand(cc: number): boolean {
  return ((cc >>> 0) & TPM_CC_VENDOR_BIT) !== 0;
}

/**
 * A printable name for a command code:
 * - a known code: 'TPM2_GetCapability' (the Part 3 command name);
 * - a vendor-specific code (bit 29 set): 'TPM_CC_VENDOR_0x20000123';
 * - anything else: 'TPM_CC_0x000001FF'.
 */
export function commandName(cc: number): string {
  const name = commandCodeName(cc);
  if (name !== undefined) return `TPM2_${name}`;
  if (isVendorCommand(cc)) return `TPM_CC_VENDOR_${hex32(cc)}`;
  return `TPM_CC_${hex32(cc)}`;
}

/** The code for a spec command name, with or without its 'TPM2_' / 'TPM_CC_' prefix; undefined if unknown. */
export function commandCodeFromName(name: string): number | undefined {
  const bare = name.replace(/^TPM2_|^TPM_CC_/, '');
  if (Object.hasOwn(TPM_CC, bare)) return TPM_CC[bare as TpmCommandName];
  if (Object.hasOwn(TPM_CC_ALIASES, bare)) return TPM_CC_ALIASES[bare as keyof typeof TPM_CC_ALIASES];
  return undefined;
}
