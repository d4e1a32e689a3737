/**
 * Data tables for TPM 2.0 response codes (TCG TPM 2.0 Library Part 2, §6.6 "TPM_RC") and for the
 * software-layer codes that tpm2-tss puts in bits 23:16 of a TSS2_RC.
 *
 * Values were checked against the TCG reference implementation (TrustedComputingGroup/TPM,
 * TpmTypes.h, spec 1.83) and tpm2-tss (tss2_tpm2_types.h, tss2_common.h). The sentences are our own
 * wording for IT administrators; they are not taken from the specification or from tpm2-tss.
 */

export interface ResponseCodeEntry {
  /** The base value: the full code for format 0, 0x080 + E for format 1 (no handle/session/parameter). */
  readonly value: number;
  /** The specification name, e.g. 'TPM_RC_AUTH_FAIL'. */
  readonly name: `TPM_RC_${string}`;
  /** One plain-English sentence for an IT administrator. */
  readonly text: string;
}

/** Every TPM 2.0 response code we know, one entry per base value. */
export const RESPONSE_CODE_TABLE = [
  // Success, and the one TPM 1.2-format code a TPM 2.0 returns.
  { value: 0x000, name: 'TPM_RC_SUCCESS', text: 'The command completed successfully.' },
  {
    value: 0x01e,
    name: 'TPM_RC_BAD_TAG',
    text:
      'The TPM did not accept the tag at the start of the command, so it could not even tell which protocol ' +
      'was used; either the command is malformed or a TPM 2.0 command was sent to a TPM 1.2 device.',
  },

  // Format-0 errors: TPM_RC_VER1 (0x100) + E.
  {
    value: 0x100,
    name: 'TPM_RC_INITIALIZE',
    text:
      'The TPM has not been started since it was last reset (TPM2_Startup has not been sent yet), or a ' +
      'second start-up was sent to a TPM that is already running; firmware or the OS normally does this, ' +
      'so a reboot usually fixes it.',
  },
  {
    value: 0x101,
    name: 'TPM_RC_FAILURE',
    text:
      'The TPM is in failure mode after an internal fault or a failed self-test and refuses almost every ' +
      'command; power the machine fully off and on, and if the TPM stays in failure mode it needs a ' +
      'firmware update or replacement.',
  },
  {
    value: 0x103,
    name: 'TPM_RC_SEQUENCE',
    text:
      'A hash, HMAC or event sequence handle was used in a way that sequence does not allow, which is a ' +
      'bug in the calling software.',
  },
  {
    value: 0x10b,
    name: 'TPM_RC_PRIVATE',
    text:
      'This code is reserved by the TPM specification and current TPMs do not return it, so its appearance ' +
      'points to unusual TPM firmware.',
  },
  {
    value: 0x119,
    name: 'TPM_RC_HMAC',
    text:
      'This code is reserved by the TPM specification and current TPMs do not return it, so its appearance ' +
      'points to unusual TPM firmware.',
  },
  {
    value: 0x120,
    name: 'TPM_RC_DISABLED',
    text:
      'The TPM refused the command because it is switched off at the moment; for TPM2_Clear this means ' +
      'clearing is blocked (disableClear is set), and only platform authorization, in practice the ' +
      'firmware setup or a physical-presence request, can lift that block.',
  },
  {
    value: 0x121,
    name: 'TPM_RC_EXCLUSIVE',
    text:
      'An exclusive audit session was running and another command got in between, so the TPM will not ' +
      'continue that audit; the calling software has to start the audit again.',
  },
  {
    value: 0x124,
    name: 'TPM_RC_AUTH_TYPE',
    text:
      'The kind of authorization supplied for a handle is not the kind this command accepts, for example ' +
      'a password where the command insists on a policy session.',
  },
  {
    value: 0x125,
    name: 'TPM_RC_AUTH_MISSING',
    text:
      'The command needs an authorization session for one of its handles but none was attached, which is ' +
      'a bug in the calling software.',
  },
  {
    value: 0x126,
    name: 'TPM_RC_POLICY',
    text:
      'A policy calculation went wrong or the authorization policy stored with an object is not a valid ' +
      'value.',
  },
  {
    value: 0x127,
    name: 'TPM_RC_PCR',
    text:
      'The PCR values in the TPM do not match what the policy or command expected; this often follows a ' +
      'firmware, boot loader or Secure Boot change.',
  },
  {
    value: 0x128,
    name: 'TPM_RC_PCR_CHANGED',
    text:
      'The PCR values changed after the policy session checked them, so the session can no longer be ' +
      'used; start a new session and try again.',
  },
  {
    value: 0x12d,
    name: 'TPM_RC_UPGRADE',
    text:
      'The TPM is in the middle of a firmware upgrade and only accepts upgrade commands until it is ' +
      'finished or abandoned (for TPM2_FieldUpgradeData it means the opposite: no upgrade is under way).',
  },
  {
    value: 0x12e,
    name: 'TPM_RC_TOO_MANY_CONTEXTS',
    text:
      'The counter the TPM uses to number saved session contexts has reached its limit; a TPM restart, ' +
      'usually a reboot, resets it.',
  },
  {
    value: 0x12f,
    name: 'TPM_RC_AUTH_UNAVAILABLE',
    text:
      'The entity has no authorization value or policy that could be used in the way the command tried, ' +
      'so it cannot be authorized like that.',
  },
  {
    value: 0x130,
    name: 'TPM_RC_REBOOT',
    text:
      'The TPM needs a complete restart (a reset followed by TPM2_Startup(CLEAR)) before it will carry on; ' +
      'reboot the machine.',
  },
  {
    value: 0x131,
    name: 'TPM_RC_UNBALANCED',
    text:
      'The hash and symmetric algorithms chosen for a session or object are mismatched in strength (the ' +
      'digest must be at least as large as the symmetric key), so the calling software picked a weak ' +
      'combination.',
  },
  {
    value: 0x142,
    name: 'TPM_RC_COMMAND_SIZE',
    text:
      'The size written in the command header does not match the number of bytes actually sent, which ' +
      'points to a driver or software bug.',
  },
  {
    value: 0x143,
    name: 'TPM_RC_COMMAND_CODE',
    text:
      'This TPM does not implement the command that was sent, either because the command is optional or ' +
      'because the TPM firmware is older than the feature.',
  },
  {
    value: 0x144,
    name: 'TPM_RC_AUTHSIZE',
    text:
      'The authorization area of the command has an impossible size or carries more sessions than the ' +
      'command allows.',
  },
  {
    value: 0x145,
    name: 'TPM_RC_AUTH_CONTEXT',
    text:
      'An authorization session was attached to a command that never takes one, such as saving, loading ' +
      'or flushing a context.',
  },
  {
    value: 0x146,
    name: 'TPM_RC_NV_RANGE',
    text: 'The requested offset and length run past the end of the NV index.',
  },
  {
    value: 0x147,
    name: 'TPM_RC_NV_SIZE',
    text: 'The NV index size that was asked for is bigger than this TPM permits.',
  },
  {
    value: 0x148,
    name: 'TPM_RC_NV_LOCKED',
    text:
      'The NV index is currently locked against this kind of access (for example by an earlier write lock ' +
      'or read lock), so the TPM refused it.',
  },
  {
    value: 0x149,
    name: 'TPM_RC_NV_AUTHORIZATION',
    text:
      'The authorization given does not allow this read or write of the NV index; unlike a wrong ' +
      'password, this does not count toward dictionary-attack lockout.',
  },
  {
    value: 0x14a,
    name: 'TPM_RC_NV_UNINITIALIZED',
    text:
      'The NV index has never been written, so there is nothing to read yet, or the TPM could not bring ' +
      'back the state it saved at the last orderly shutdown.',
  },
  {
    value: 0x14b,
    name: 'TPM_RC_NV_SPACE',
    text:
      'The TPM has no non-volatile memory left for the new NV index or persistent object; remove persistent ' +
      'keys or NV indexes that are no longer needed (or clear the TPM) to make room.',
  },
  {
    value: 0x14c,
    name: 'TPM_RC_NV_DEFINED',
    text:
      'Something already exists at the requested NV index or persistent handle; use the existing one, or ' +
      'remove it first (TPM2_NV_UndefineSpace or TPM2_EvictControl) before creating a new one.',
  },
  {
    value: 0x150,
    name: 'TPM_RC_BAD_CONTEXT',
    text:
      'The saved context handed to TPM2_ContextLoad cannot be used: it is damaged, came from another TPM, ' +
      'or no longer fits the current TPM state.',
  },
  {
    value: 0x151,
    name: 'TPM_RC_CPHASH',
    text:
      'The policy session already has a command-parameter hash (cpHash) set, or the one it has does not ' +
      'match this command.',
  },
  {
    value: 0x152,
    name: 'TPM_RC_PARENT',
    text:
      'The handle given as the parent is not a key that can hold children (a parent must be a restricted ' +
      'decryption key).',
  },
  {
    value: 0x153,
    name: 'TPM_RC_NEEDS_TEST',
    text:
      'Something this command relies on has not been self-tested yet; run TPM2_SelfTest, or simply retry ' +
      'once the TPM has finished testing.',
  },
  {
    value: 0x154,
    name: 'TPM_RC_NO_RESULT',
    text:
      'The TPM could not work out a result for an internal reason, usually because the input was unusual ' +
      'or invalid in a way no earlier check caught.',
  },
  {
    value: 0x155,
    name: 'TPM_RC_SENSITIVE',
    text:
      'The private part of a key or object could not be read after decryption, usually because it was ' +
      'wrapped under a different parent or is damaged.',
  },
  // Added in Library spec 1.83 (confirmed in the TCG reference implementation).
  {
    value: 0x156,
    name: 'TPM_RC_READ_ONLY',
    text:
      'The TPM is in read-only mode, so it refuses anything that would create objects or change NV ' +
      'storage until that mode is switched off.',
  },

  // Format-1 errors: TPM_RC_FMT1 (0x080) + E; the handle, session or parameter sits in bits 11:6.
  {
    value: 0x081,
    name: 'TPM_RC_ASYMMETRIC',
    text: 'The asymmetric algorithm (RSA or ECC) is not supported by this TPM or does not fit this use.',
  },
  {
    value: 0x082,
    name: 'TPM_RC_ATTRIBUTES',
    text: 'The object or NV attributes contradict each other or are not allowed for this operation.',
  },
  {
    value: 0x083,
    name: 'TPM_RC_HASH',
    text: 'The hash algorithm is not supported by this TPM or is not allowed here.',
  },
  {
    value: 0x084,
    name: 'TPM_RC_VALUE',
    text: 'A value in the command is out of range or does not make sense in this context.',
  },
  {
    value: 0x085,
    name: 'TPM_RC_HIERARCHY',
    text:
      'The hierarchy the command needs (owner/storage, endorsement, platform or null) is disabled or is ' +
      'the wrong one; firmware usually disables hierarchies at boot (check the TPM settings in firmware ' +
      'setup), while one disabled by the OS comes back after a reboot.',
  },
  { value: 0x087, name: 'TPM_RC_KEY_SIZE', text: 'This TPM does not support the requested key size.' },
  {
    value: 0x088,
    name: 'TPM_RC_MGF',
    text: 'The mask generation function asked for is not supported by this TPM.',
  },
  {
    value: 0x089,
    name: 'TPM_RC_MODE',
    text: 'The block cipher mode asked for is not supported by this TPM.',
  },
  {
    value: 0x08a,
    name: 'TPM_RC_TYPE',
    text: 'The type of an object or value is not suitable for what the command tried to do with it.',
  },
  {
    value: 0x08b,
    name: 'TPM_RC_HANDLE',
    text:
      'The handle does not point to anything usable here: nothing is loaded or defined at it, or it is ' +
      'the wrong kind of entity for this command.',
  },
  {
    value: 0x08c,
    name: 'TPM_RC_KDF',
    text: 'The key derivation function is not supported by this TPM or not suitable here.',
  },
  { value: 0x08d, name: 'TPM_RC_RANGE', text: 'A value lies outside the range the TPM allows.' },
  {
    value: 0x08e,
    name: 'TPM_RC_AUTH_FAIL',
    text:
      'The authorization value (password or HMAC) was wrong and the TPM counted it toward its ' +
      'dictionary-attack lockout; stop retrying with guessed values, because repeated failures lock the TPM.',
  },
  {
    value: 0x08f,
    name: 'TPM_RC_NONCE',
    text: 'A session nonce has the wrong size or does not match the one the TPM expected.',
  },
  {
    value: 0x090,
    name: 'TPM_RC_PP',
    text:
      'The command needs physical presence: someone at the machine must confirm it, normally through a ' +
      'firmware (BIOS/UEFI) prompt during boot, because software alone cannot authorize it.',
  },
  {
    value: 0x092,
    name: 'TPM_RC_SCHEME',
    text: 'The signing, encryption or key-exchange scheme is not supported by this TPM or does not fit the key.',
  },
  { value: 0x095, name: 'TPM_RC_SIZE', text: 'A structure or buffer in the command has the wrong size.' },
  {
    value: 0x096,
    name: 'TPM_RC_SYMMETRIC',
    text: 'The symmetric algorithm or its key size is not supported by this TPM or not suitable here.',
  },
  { value: 0x097, name: 'TPM_RC_TAG', text: 'A structure in the command carries the wrong tag value.' },
  {
    value: 0x098,
    name: 'TPM_RC_SELECTOR',
    text: 'A selector that chooses between alternative structure layouts has an invalid value.',
  },
  {
    value: 0x09a,
    name: 'TPM_RC_INSUFFICIENT',
    text: 'The command ran out of bytes before the TPM had read everything it needed, so it is truncated.',
  },
  { value: 0x09b, name: 'TPM_RC_SIGNATURE', text: 'The signature did not check out as valid.' },
  {
    value: 0x09c,
    name: 'TPM_RC_KEY',
    text: "The key's settings do not allow the use the command asked for.",
  },
  {
    value: 0x09d,
    name: 'TPM_RC_POLICY_FAIL',
    text: "The policy session does not satisfy the object's authorization policy, so authorization failed.",
  },
  {
    value: 0x09f,
    name: 'TPM_RC_INTEGRITY',
    text:
      'An integrity check failed: the protected data (such as a key blob or saved context) was changed, ' +
      'is damaged, or belongs to a different parent or TPM.',
  },
  { value: 0x0a0, name: 'TPM_RC_TICKET', text: 'A ticket handed to the TPM is not valid.' },
  {
    value: 0x0a1,
    name: 'TPM_RC_RESERVED_BITS',
    text: 'Bits that must be zero were set in a value or attribute field.',
  },
  {
    value: 0x0a2,
    name: 'TPM_RC_BAD_AUTH',
    text:
      'The authorization value was wrong for an entity that is exempt from dictionary-attack protection, ' +
      'so no lockout counter changed; check the password or policy being used.',
  },
  {
    value: 0x0a3,
    name: 'TPM_RC_EXPIRED',
    text: 'The policy session or ticket has run past its time limit; start a new one.',
  },
  {
    value: 0x0a4,
    name: 'TPM_RC_POLICY_CC',
    text:
      'The command code bound into the policy is not the command being authorized, or a policy command ' +
      'names a command this TPM does not implement.',
  },
  {
    value: 0x0a5,
    name: 'TPM_RC_BINDING',
    text: "The object's public and private parts do not belong together.",
  },
  { value: 0x0a6, name: 'TPM_RC_CURVE', text: 'This TPM does not support the requested elliptic curve.' },
  { value: 0x0a7, name: 'TPM_RC_ECC_POINT', text: 'An ECC point does not lie on the curve it must be on.' },
  // Added in Library spec 1.83 (confirmed in the TCG reference implementation and tpm2-tss 4.1).
  {
    value: 0x0a8,
    name: 'TPM_RC_FW_LIMITED',
    text:
      'The command needs the firmware-bound secret of a firmware-limited hierarchy, and the TPM cannot ' +
      'provide it.',
  },
  {
    value: 0x0a9,
    name: 'TPM_RC_SVN_LIMITED',
    text:
      'The command needs the firmware secret tied to a particular security version number (SVN), and the ' +
      'TPM cannot provide it for that version.',
  },
  // Added in Library spec 1.85 (release candidate, post-quantum algorithms). Not yet in the TCG
  // reference implementation; values from wolfTPM and other implementations citing Part 2 §6.6.
  {
    value: 0x0aa,
    name: 'TPM_RC_PARMS',
    text: 'The algorithm parameter set (for example an ML-DSA or ML-KEM strength) is not supported.',
  },
  {
    value: 0x0ab,
    name: 'TPM_RC_EXT_MU',
    text: 'Signing with a precomputed message representative (external mu) is not supported for this key.',
  },
  {
    value: 0x0ac,
    name: 'TPM_RC_ONE_SHOT_SIGNATURE',
    text:
      'This signing scheme needs the whole message in one piece, so it cannot be fed in parts through a ' +
      'sequence; pass the complete message in the final call.',
  },
  {
    value: 0x0ad,
    name: 'TPM_RC_SIGN_CONTEXT_KEY',
    text: 'The key used to finish a signing or verification sequence is not the key that started it.',
  },
  // Added in Library spec 1.83 (confirmed in the TCG reference implementation).
  {
    value: 0x0b0,
    name: 'TPM_RC_CHANNEL',
    text: 'The command must be sent over a protected secure channel to the TPM, and it was not.',
  },
  {
    value: 0x0b1,
    name: 'TPM_RC_CHANNEL_KEY',
    text: 'The secure channel was not set up with the requester key or TPM key that this command requires.',
  },

  // Warnings: TPM_RC_WARN (0x900) + E.
  {
    value: 0x901,
    name: 'TPM_RC_CONTEXT_GAP',
    text:
      'The oldest saved session is too far behind the newest one; it must be loaded or flushed before ' +
      'more sessions can be saved (a resource manager normally takes care of this).',
  },
  {
    value: 0x902,
    name: 'TPM_RC_OBJECT_MEMORY',
    text:
      'The TPM has no free slots for loaded objects, usually because a program talking to the TPM without ' +
      'a resource manager left transient objects behind; flush them (tpm2_flushcontext -t) or use ' +
      '/dev/tpmrm0 instead of /dev/tpm0.',
  },
  {
    value: 0x903,
    name: 'TPM_RC_SESSION_MEMORY',
    text:
      'The TPM has no free slots for sessions; flush sessions that are no longer needed ' +
      '(tpm2_flushcontext -l or -s) or use a resource manager.',
  },
  {
    value: 0x904,
    name: 'TPM_RC_MEMORY',
    text:
      'The TPM ran out of the memory it shares between objects and sessions, or needs working memory for ' +
      'this command; flush unused objects and sessions and retry.',
  },
  {
    value: 0x905,
    name: 'TPM_RC_SESSION_HANDLES',
    text: 'The TPM has run out of session handles; a session must be flushed before a new one can start.',
  },
  {
    value: 0x906,
    name: 'TPM_RC_OBJECT_HANDLES',
    text:
      'The TPM has used up its object handles and needs a reboot; well-designed TPMs should never get ' +
      'into this state.',
  },
  {
    value: 0x907,
    name: 'TPM_RC_LOCALITY',
    text: 'The command came from a locality (hardware access level) that is not allowed to use it.',
  },
  {
    value: 0x908,
    name: 'TPM_RC_YIELDED',
    text: 'The TPM paused this command to do other work; this is temporary, so send the same command again.',
  },
  {
    value: 0x909,
    name: 'TPM_RC_CANCELED',
    text: 'The command was canceled before it finished, usually by the driver or OS; it can be sent again.',
  },
  {
    value: 0x90a,
    name: 'TPM_RC_TESTING',
    text: 'The TPM is still running its self-tests; this is temporary, so wait a moment and retry.',
  },
  {
    value: 0x910,
    name: 'TPM_RC_REFERENCE_H0',
    text:
      'The first handle in the command names a transient object or session that is not loaded; it was ' +
      'flushed, or the program lost track of it.',
  },
  {
    value: 0x911,
    name: 'TPM_RC_REFERENCE_H1',
    text:
      'The second handle in the command names a transient object or session that is not loaded; it was ' +
      'flushed, or the program lost track of it.',
  },
  {
    value: 0x912,
    name: 'TPM_RC_REFERENCE_H2',
    text:
      'The third handle in the command names a transient object or session that is not loaded; it was ' +
      'flushed, or the program lost track of it.',
  },
  {
    value: 0x913,
    name: 'TPM_RC_REFERENCE_H3',
    text:
      'The fourth handle in the command names a transient object or session that is not loaded; it was ' +
      'flushed, or the program lost track of it.',
  },
  {
    value: 0x914,
    name: 'TPM_RC_REFERENCE_H4',
    text:
      'The fifth handle in the command names a transient object or session that is not loaded; it was ' +
      'flushed, or the program lost track of it.',
  },
  {
    value: 0x915,
    name: 'TPM_RC_REFERENCE_H5',
    text:
      'The sixth handle in the command names a transient object or session that is not loaded; it was ' +
      'flushed, or the program lost track of it.',
  },
  {
    value: 0x916,
    name: 'TPM_RC_REFERENCE_H6',
    text:
      'The seventh handle in the command names a transient object or session that is not loaded; it was ' +
      'flushed, or the program lost track of it.',
  },
  {
    value: 0x918,
    name: 'TPM_RC_REFERENCE_S0',
    text:
      'The first authorization session in the command is not loaded in the TPM; it was flushed, or the ' +
      'program lost track of it.',
  },
  {
    value: 0x919,
    name: 'TPM_RC_REFERENCE_S1',
    text:
      'The second authorization session in the command is not loaded in the TPM; it was flushed, or the ' +
      'program lost track of it.',
  },
  {
    value: 0x91a,
    name: 'TPM_RC_REFERENCE_S2',
    text:
      'The third authorization session in the command is not loaded in the TPM; it was flushed, or the ' +
      'program lost track of it.',
  },
  {
    value: 0x91b,
    name: 'TPM_RC_REFERENCE_S3',
    text:
      'The fourth authorization session in the command is not loaded in the TPM; it was flushed, or the ' +
      'program lost track of it.',
  },
  {
    value: 0x91c,
    name: 'TPM_RC_REFERENCE_S4',
    text:
      'The fifth authorization session in the command is not loaded in the TPM; it was flushed, or the ' +
      'program lost track of it.',
  },
  {
    value: 0x91d,
    name: 'TPM_RC_REFERENCE_S5',
    text:
      'The sixth authorization session in the command is not loaded in the TPM; it was flushed, or the ' +
      'program lost track of it.',
  },
  {
    value: 0x91e,
    name: 'TPM_RC_REFERENCE_S6',
    text:
      'The seventh authorization session in the command is not loaded in the TPM; it was flushed, or the ' +
      'program lost track of it.',
  },
  {
    value: 0x920,
    name: 'TPM_RC_NV_RATE',
    text:
      'The TPM is slowing down writes to its non-volatile memory to keep it from wearing out; this is ' +
      'temporary, so wait and retry later.',
  },
  {
    value: 0x921,
    name: 'TPM_RC_LOCKOUT',
    text:
      'The TPM is in dictionary-attack lockout after too many wrong authorization values, so it refuses ' +
      'to authorize DA-protected keys and objects until the lockout heals with time or is reset with the ' +
      'lockout authorization (TPM2_DictionaryAttackLockReset); a TPM clear also ends it.',
  },
  {
    value: 0x922,
    name: 'TPM_RC_RETRY',
    text: 'The TPM was too busy to start the command; this is temporary, so send it again.',
  },
  {
    value: 0x923,
    name: 'TPM_RC_NV_UNAVAILABLE',
    text:
      'The command may need to write the TPM non-volatile memory and that memory cannot be reached just ' +
      'now; this is usually temporary, so retry later.',
  },
  {
    value: 0x97f,
    name: 'TPM_RC_NOT_USED',
    text: 'A TPM must never return this reserved warning code, so the response is probably corrupted.',
  },
] as const satisfies readonly ResponseCodeEntry[];

export type ResponseCodeTableEntry = (typeof RESPONSE_CODE_TABLE)[number];

/** A software layer that tpm2-tss encodes in bits 23:16 of a TSS2_RC (tss2_common.h). */
export interface Tss2Layer {
  readonly layer: number;
  /** The infix tpm2-tss uses in its macro names, e.g. 'TCTI' for TSS2_TCTI_RC_IO_ERROR. */
  readonly prefix: string;
  /** Who reported the code, in plain words. */
  readonly label: string;
  /** True for the resource-manager layers, which also pass on TPM-format codes. */
  readonly carriesTpmCodes: boolean;
}

export const TSS2_LAYERS: readonly Tss2Layer[] = [
  { layer: 6, prefix: 'FAPI', label: 'TSS feature API (FAPI)', carriesTpmCodes: false },
  { layer: 7, prefix: 'ESYS', label: 'TSS enhanced system API (ESAPI)', carriesTpmCodes: false },
  { layer: 8, prefix: 'SYS', label: 'TSS system API (SAPI)', carriesTpmCodes: false },
  { layer: 9, prefix: 'MU', label: 'TSS marshalling library (MU)', carriesTpmCodes: false },
  { layer: 10, prefix: 'TCTI', label: 'TPM transport layer (TCTI)', carriesTpmCodes: false },
  { layer: 11, prefix: 'RESMGR', label: 'TPM resource manager', carriesTpmCodes: true },
  {
    layer: 12,
    prefix: 'RESMGR_TPM',
    label: 'TPM resource manager (on behalf of the TPM)',
    carriesTpmCodes: true,
  },
  { layer: 13, prefix: 'POLICY', label: 'TSS policy library', carriesTpmCodes: false },
];

export interface Tss2BaseCodeEntry {
  /** TSS2_BASE_RC_* value (the low 16 bits of a layered TSS2_RC). */
  readonly value: number;
  /** The name without prefix, e.g. 'IO_ERROR' for TSS2_BASE_RC_IO_ERROR. */
  readonly name: string;
  readonly text: string;
}

/** tpm2-tss base codes (tss2_common.h, TSS2_BASE_RC_*), with our own wording. */
export const TSS2_BASE_CODE_TABLE = [
  { value: 1, name: 'GENERAL_FAILURE', text: 'Something went wrong that has no more specific error code.' },
  { value: 2, name: 'NOT_IMPLEMENTED', text: 'The requested function is not implemented.' },
  { value: 3, name: 'BAD_CONTEXT', text: 'A context structure passed to the library is not valid.' },
  {
    value: 4,
    name: 'ABI_MISMATCH',
    text: 'The caller was built against a different binary interface version of the library.',
  },
  { value: 5, name: 'BAD_REFERENCE', text: 'A required pointer or reference was missing (NULL).' },
  { value: 6, name: 'INSUFFICIENT_BUFFER', text: 'A buffer was too small for the data.' },
  { value: 7, name: 'BAD_SEQUENCE', text: 'Library functions were called in the wrong order.' },
  {
    value: 8,
    name: 'NO_CONNECTION',
    text:
      'The library could not connect to the layer below it, such as the TPM device or the resource ' +
      'manager daemon.',
  },
  {
    value: 9,
    name: 'TRY_AGAIN',
    text: 'The operation timed out or has not finished yet and has to be called again.',
  },
  {
    value: 10,
    name: 'IO_ERROR',
    text:
      'Reading from or writing to the TPM device or transport failed (for example /dev/tpmrm0 or a ' +
      'simulator socket).',
  },
  { value: 11, name: 'BAD_VALUE', text: 'A parameter has a value the library does not accept.' },
  {
    value: 12,
    name: 'NOT_PERMITTED',
    text: 'The operation is not permitted, often because the user lacks access rights to the TPM device.',
  },
  {
    value: 13,
    name: 'INVALID_SESSIONS',
    text: 'The number of sessions supplied does not fit what the command uses.',
  },
  {
    value: 14,
    name: 'NO_DECRYPT_PARAM',
    text: 'Parameter encryption was requested for a command that has no parameter that can be encrypted.',
  },
  {
    value: 15,
    name: 'NO_ENCRYPT_PARAM',
    text: 'Response encryption was requested for a command whose response has no parameter that can be encrypted.',
  },
  { value: 16, name: 'BAD_SIZE', text: 'A parameter has the wrong size.' },
  { value: 17, name: 'MALFORMED_RESPONSE', text: 'The response from the TPM could not be parsed.' },
  { value: 18, name: 'INSUFFICIENT_CONTEXT', text: 'The context structure is too small.' },
  { value: 19, name: 'INSUFFICIENT_RESPONSE', text: 'The response from the TPM was shorter than expected.' },
  {
    value: 20,
    name: 'INCOMPATIBLE_TCTI',
    text: 'The TPM transport module (TCTI) has an unknown or unusable version.',
  },
  { value: 21, name: 'NOT_SUPPORTED', text: 'The requested functionality is not supported.' },
  { value: 22, name: 'BAD_TCTI_STRUCTURE', text: 'The TPM transport (TCTI) context is not valid.' },
  { value: 23, name: 'MEMORY', text: 'The library could not allocate memory.' },
  { value: 24, name: 'BAD_TR', text: 'An ESYS_TR handle does not refer to a valid resource object.' },
  {
    value: 25,
    name: 'MULTIPLE_DECRYPT_SESSIONS',
    text: 'More than one session was marked for parameter encryption; only one is allowed.',
  },
  {
    value: 26,
    name: 'MULTIPLE_ENCRYPT_SESSIONS',
    text: 'More than one session was marked for response encryption; only one is allowed.',
  },
  {
    value: 27,
    name: 'RSP_AUTH_FAILED',
    text: "The HMAC on the TPM's response did not verify, so the response cannot be trusted.",
  },
  { value: 28, name: 'NO_CONFIG', text: 'The FAPI configuration could not be found or read.' },
  { value: 29, name: 'BAD_PATH', text: 'An FAPI object path is not valid.' },
  { value: 30, name: 'NOT_DELETABLE', text: 'The object cannot be deleted.' },
  { value: 31, name: 'PATH_ALREADY_EXISTS', text: 'An object already exists at that FAPI path.' },
  { value: 32, name: 'KEY_NOT_FOUND', text: 'The key could not be found.' },
  { value: 33, name: 'SIGNATURE_VERIFICATION_FAILED', text: 'A signature did not verify.' },
  { value: 34, name: 'HASH_MISMATCH', text: 'A hash value did not match the expected one.' },
  { value: 35, name: 'KEY_NOT_DUPLICABLE', text: 'The key is not allowed to be duplicated.' },
  { value: 36, name: 'PATH_NOT_FOUND', text: 'The FAPI path does not exist.' },
  { value: 37, name: 'NO_CERT', text: 'No certificate could be found.' },
  { value: 38, name: 'NO_PCR', text: 'The PCR or PCR bank could not be found.' },
  { value: 39, name: 'PCR_NOT_RESETTABLE', text: 'The PCR cannot be reset.' },
  { value: 40, name: 'BAD_TEMPLATE', text: 'The key or object template is not valid.' },
  { value: 41, name: 'AUTHORIZATION_FAILED', text: 'Authorization failed.' },
  { value: 42, name: 'AUTHORIZATION_UNKNOWN', text: 'The required authorization is not known.' },
  { value: 43, name: 'NV_NOT_READABLE', text: 'The NV index cannot be read.' },
  { value: 44, name: 'NV_TOO_SMALL', text: 'The NV index is too small for the data.' },
  { value: 45, name: 'NV_NOT_WRITEABLE', text: 'The NV index cannot be written.' },
  { value: 46, name: 'POLICY_UNKNOWN', text: 'The policy is not known.' },
  { value: 47, name: 'NV_WRONG_TYPE', text: 'The NV index has the wrong type.' },
  { value: 48, name: 'NAME_ALREADY_EXISTS', text: 'That name is already in use.' },
  { value: 49, name: 'NO_TPM', text: 'No TPM could be found or reached.' },
  { value: 50, name: 'BAD_KEY', text: 'The key is not valid.' },
  { value: 51, name: 'NO_HANDLE', text: 'No handle could be found.' },
  {
    value: 52,
    name: 'NOT_PROVISIONED',
    text: 'The FAPI key store has not been provisioned yet (tss2_provision has not been run).',
  },
  { value: 53, name: 'ALREADY_PROVISIONED', text: 'The FAPI key store has already been provisioned.' },
  { value: 54, name: 'CALLBACK_NULL', text: 'A required callback function was not set.' },
] as const satisfies readonly Tss2BaseCodeEntry[];
