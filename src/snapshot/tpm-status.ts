import type { EndorsementStatus } from './endorsement-status.js';

/** The stable shape of `tpm-doctor status --json` (documented in docs/status-json.md). */
export interface TpmStatus {
  schema: 'tpm-doctor/status/v1';
  tpm: { uri: string; lab: boolean };
  collectedAt: string;
  /**
   * True when a TPM answered (even with an error); false when there is no TPM device at all (an
   * `errors` entry with code TPM_ABSENT says so); null when no TPM answered and none is known to be
   * missing (permission denied, TBS refused, nothing listening, a timeout: the `errors` entry says
   * why). Unknown is never absent.
   */
  present: boolean | null;
  /** False when the TPM answered TPM_RC_INITIALIZE: nobody sent TPM2_Startup since the last reset. */
  started: boolean | null;
  identity: TpmIdentity | null;
  selfTest: SelfTestResult | null;
  permanent: FlagSet | null;
  startupClear: FlagSet | null;
  dictionaryAttack: DictionaryAttackState | null;
  pcrBanks: PcrBank[] | null;
  persistentObjects: PersistentObject[] | null;
  transientHandles: string[] | null;
  nvIndices: NvIndex[] | null;
  capacity: Capacity | null;
  algorithms: Algorithm[] | null;
  eccCurves: string[] | null;
  clock: ClockState | null;
  endorsement: EndorsementStatus | null;
  /** Every fixed and variable TPM property by its TPM2_PT_ name, as read. */
  properties: Record<string, number> | null;
  /** Sections that could not be read, and why. Other sections are still valid. */
  errors: SectionError[];
}

export interface TpmIdentity {
  family: string;
  level: number;
  revision: string;
  specDate: string | null;
  manufacturer: { id: string; name: string; code: string };
  vendorString: string;
  vendorTpmType: number;
  firmwareVersion: string;
  firmwareVersionRaw: [string, string];
}

export interface SelfTestResult {
  ok: boolean;
  code: string;
  name: string;
  message: string;
}

export interface FlagSet {
  value: string;
  set: string[];
  flags: Record<string, boolean>;
}

export interface DictionaryAttackState {
  inLockout: boolean;
  failedTries: number;
  maxTries: number;
  recoveryTimeSeconds: number;
  lockoutRecoverySeconds: number;
  lockoutAuthSet: boolean;
}

export interface PcrBank {
  hashAlg: string;
  algorithmId: string;
  pcrs: number[];
  /** PCR index (as a string key) -> hex digest. */
  values: Record<string, string>;
}

export interface PersistentObject {
  handle: string;
  hierarchy: 'owner' | 'endorsement' | 'platform' | 'unknown';
  purpose: string;
  type: string;
  nameAlg: string;
  attributes: string;
  attributesValue: string;
  keyBits: number | null;
  curve: string | null;
  name: string;
  /**
   * Set when this handle is listed but its public area cannot be read (e.g. TPM_RC_HANDLE for
   * an endorsement key while the endorsement hierarchy is disabled); the key fields are then empty.
   * Always present in the JSON (null when the object was read).
   */
  error?: string | null;
}

export interface NvIndex {
  index: string;
  hierarchy: 'owner' | 'platform';
  platformCreated: boolean;
  purpose: string;
  type: string;
  nameAlg: string;
  attributes: string;
  attributesValue: string;
  size: number;
  authPolicy: string;
  name: string;
}

export interface Capacity {
  persistentLoaded: number | null;
  persistentAvailable: number | null;
  /**
   * TPM_PT_HR_PERSISTENT_MIN: persistent objects the TPM keeps room for; an NV index is refused
   * (TPM_RC_NV_SPACE) when defining it would eat into that room (reference implementation,
   * NvTestSpace). Absent in snapshots taken before it was read.
   */
  persistentMin?: number | null;
  transientAvailable: number | null;
  loadedSessionsAvailable: number | null;
  activeSessionsAvailable: number | null;
  nvIndicesDefined: number | null;
  nvCountersAvailable: number | null;
}

export interface Algorithm {
  name: string;
  id: string;
  properties: string[];
}

export interface ClockState {
  clockMs: number;
  resetCount: number;
  restartCount: number;
  safe: boolean;
}

export interface SectionError {
  section: string;
  code: string;
  message: string;
}
