/**
 * Windows evidence, normalised: what the collectors (PowerShell on the device, or a saved
 * evidence bundle) report, in one shape the rules read. Every section is optional: a bundle from a
 * user without admin rights lacks Win32_Tpm, a Linux machine has none of it. Each parser lives in
 * src/probe/windows/ and cites the Microsoft doc of its source.
 */

/** Get-Tpm (TrustedPlatformModule module). Property names as PowerShell emits them. */
export interface GetTpmInfo {
  tpmPresent: boolean | null;
  tpmReady: boolean | null;
  tpmEnabled: boolean | null;
  tpmActivated: boolean | null;
  tpmOwned: boolean | null;
  restartPending: boolean | null;
  manufacturerId: number | null;
  manufacturerIdTxt: string | null;
  manufacturerVersion: string | null;
  manufacturerVersionFull20: string | null;
  managedAuthLevel: string | null;
  ownerClearDisabled: boolean | null;
  autoProvisioning: string | null;
  lockedOut: boolean | null;
  lockoutHealTime: string | null;
  lockoutCount: number | null;
  lockoutMax: number | null;
  /** Never the OwnerAuth value itself: the parser drops it. */
  ownerAuthPresent: boolean | null;
}

/** Win32_Tpm.IsReadyInformation (needs elevation). */
export interface IsReadyInfo {
  isReady: boolean;
  information: number;
  /** The names of the set bits, decoded (src/probe/windows/is-ready-information.ts, with the names of src/snapshot/is-ready-flags.ts). */
  flags: string[];
}

/** Win32_Tpm instance properties (root\cimv2\Security\MicrosoftTpm). */
export interface Win32TpmInfo {
  specVersion: string | null;
  manufacturerId: number | null;
  manufacturerIdTxt: string | null;
  manufacturerVersion: string | null;
  manufacturerVersionInfo: string | null;
  physicalPresenceVersionInfo: string | null;
  isActivated: boolean | null;
  isEnabled: boolean | null;
  isOwned: boolean | null;
}

/** Get-TpmEndorsementKeyInfo. */
export interface EkInfo {
  isPresent: boolean | null;
  manufacturerCertificates: number;
  additionalCertificates: number;
  publicKeyHash: string | null;
}

/** tpmtool getdeviceinformation (text; labels are localised, parsed by structure). */
export interface TpmtoolInfo {
  tpmPresent: boolean | null;
  tpmVersion: string | null;
  manufacturerId: string | null;
  manufacturerVersion: string | null;
  isInitialized: boolean | null;
  readyForStorage: boolean | null;
  readyForAttestation: boolean | null;
  isCapableForAttestation: boolean | null;
  clearNeededToRecover: boolean | null;
  clearPossible: boolean | null;
  hasVulnerableFirmware: boolean | null;
  maintenanceTaskComplete: boolean | null;
  pcr7BindingState: string | null;
  lockout: {
    isLockedOut: boolean | null;
    counter: number | null;
    maxAuthFail: number | null;
    intervalSeconds: number | null;
    recoverySeconds: number | null;
  } | null;
}

/** dsregcmd /status (keys are not localised; values YES/NO). */
export interface DsregStatus {
  azureAdJoined: boolean | null;
  domainJoined: boolean | null;
  enterpriseJoined: boolean | null;
  deviceId: string | null;
  tpmProtected: boolean | null;
  keyProvider: string | null;
  deviceAuthStatus: string | null;
  ngcSet: boolean | null;
  azureAdPrt: boolean | null;
  keySignTest: string | null;
  aadRecoveryEnabled: boolean | null;
  /** Error codes seen anywhere in the output (e.g. 0x80090016), lower-case hex. */
  errorCodes: string[];
  /** Every key: value line, for evidence citations. */
  raw: Record<string, string>;
}

export type KeyProtectorType =
  | 'Tpm'
  | 'TpmPin'
  | 'TpmStartupKey'
  | 'TpmPinStartupKey'
  | 'RecoveryPassword'
  | 'ExternalKey'
  | 'Password'
  | 'PublicKey'
  | 'TpmNetworkKey'
  | 'AdAccountOrGroup'
  | 'Unknown';

export interface KeyProtector {
  /** The protector ID without braces, lower-case: the ID Entra ID escrows under. */
  id: string;
  type: KeyProtectorType;
  /** Never the recovery password itself: parsers drop it. */
}

/** Get-BitLockerVolume and/or manage-bde -protectors -get, merged per volume. */
export interface BitLockerVolume {
  mountPoint: string;
  volumeType: 'OperatingSystem' | 'Data' | 'Unknown';
  volumeStatus: string | null;
  protectionStatus: 'On' | 'Off' | 'Unknown';
  /** Reboots left before BitLocker resumes after Suspend-BitLocker, when known. */
  suspendedRebootCount: number | null;
  keyProtectors: KeyProtector[];
  /**
   * Set when the protector list is not known in full, and why: a text view that prints protector
   * types without IDs, a listing cut off before or inside KeyProtector, an ID that is not a GUID.
   * `keyProtectors` then holds only the protectors read with their ID; an unknown blocks a clear.
   */
  protectorsUnknown?: string;
  /**
   * Every protector's type, when a view lists them all without their IDs (manage-bde -status's
   * "Key Protectors:" lines, Get-BitLockerVolume's `{Tpm, RecoveryPassword}` text): with
   * `protectorsUnknown` set, the escrow is unknown but a missing recovery password is still a fact.
   */
  protectorTypesListed?: KeyProtectorType[];
}

/** HKLM\SOFTWARE\Microsoft\Enrollments\<GUID> (DMClient CSP). */
export interface MdmEnrollment {
  enrollmentId: string;
  providerId: string | null;
  upn: string | null;
  enrollmentState: number | null;
  enrollmentType: number | null;
}

/** One event from the logs tpm-doctor collects. */
export interface WindowsEvent {
  log: string;
  provider: string;
  id: number;
  level: 'critical' | 'error' | 'warning' | 'information' | 'verbose' | 'unknown';
  timeCreated: string | null;
  message: string;
}

/** Intune sync state as the device sees it (OMADM session results), when collected. */
export interface MdmSyncState {
  lastSuccessfulSync: string | null;
  lastAttemptedSync: string | null;
  lastErrorCode: string | null;
}

export interface WindowsEvidence {
  /** Where the evidence came from: 'live' (collected now) or the bundle's path. */
  origin: string;
  collectedAt: string | null;
  computerName: string | null;
  osVersion: string | null;
  /** True when the collector ran elevated (Win32_Tpm and KeySignTest need it). */
  elevated: boolean | null;
  getTpm: GetTpmInfo | null;
  win32Tpm: Win32TpmInfo | null;
  isReady: IsReadyInfo | null;
  ekInfo: EkInfo | null;
  tpmtool: TpmtoolInfo | null;
  dsregcmd: DsregStatus | null;
  bitlocker: BitLockerVolume[] | null;
  enrollments: MdmEnrollment[] | null;
  mdmSync: MdmSyncState | null;
  events: WindowsEvent[] | null;
  /**
   * Sections the bundle had but could not be parsed, and why (names the file and what was
   * expected). `file` is the bundle file (or the path given) when the source came from one.
   */
  problems: { source: string; message: string; file?: string }[];
  /** Sources that were read, with something in them not understood (an unknown label). */
  notes?: { source: string; file: string; message: string }[];
}
