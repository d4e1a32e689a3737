/**
 * The Microsoft Graph resource shapes tpm-doctor reads and writes, as Graph sends them (camelCase
 * JSON). Only the properties we $select are declared; Graph may send more and they are ignored.
 * Sources: Graph v1.0 and beta references for managedDevice, deviceHealthAttestationState,
 * hardwareInformation (beta), deviceComplianceSettingState, bitlockerRecoveryKey,
 * deviceHealthScript and deviceHealthScriptDeviceState (beta), and the v1.0 CSDL for types and
 * nullability: Microsoft's examples and the CSDL's types are kept in test/contract/graph/, which
 * both this client and the lab tenant (src/lab/tenant/) are tested against. The calls themselves
 * are listed in docs/graph-calls.md.
 */

/** Graph's `complianceState` on a managedDevice (v1.0). */
export type ComplianceState =
  | 'unknown'
  | 'compliant'
  | 'noncompliant'
  | 'conflict'
  | 'error'
  | 'inGracePeriod'
  | 'configManager';

/** A managedDevice as the list call returns it with our $select (v1.0). */
export interface ManagedDevice {
  id: string;
  deviceName: string | null;
  /** The Entra ID device ID; BitLocker recovery keys are filed under this ID, not `id`. */
  azureADDeviceId: string | null;
  operatingSystem: string | null;
  osVersion: string | null;
  complianceState: ComplianceState;
  /** ISO 8601; Graph sends 0001-01-01T00:00:00Z for a device that never synced. */
  lastSyncDateTime: string | null;
  isEncrypted: boolean | null;
  managementAgent: string | null;
  deviceRegistrationState: string | null;
  userPrincipalName: string | null;
  serialNumber: string | null;
  manufacturer: string | null;
  model: string | null;
}

/** The $select list for the fleet listing: exactly the fields of ManagedDevice. */
export const MANAGED_DEVICE_SELECT = [
  'id',
  'deviceName',
  'azureADDeviceId',
  'operatingSystem',
  'osVersion',
  'complianceState',
  'lastSyncDateTime',
  'isEncrypted',
  'managementAgent',
  'deviceRegistrationState',
  'userPrincipalName',
  'serialNumber',
  'manufacturer',
  'model',
] as const;

/**
 * deviceHealthAttestationState (v1.0 complex type of managedDevice). Null in list calls; populated
 * only on a single-device GET with $select (graph-docs issues #8667, #7971). Types and nullability
 * as the v1.0 CSDL declares them (test/contract/graph/graph-metadata.json):
 * - `issuedDateTime` is a non-nullable DateTimeOffset: a device that never attested carries the
 *   default date (0001-01-01T00:00:00Z), which means "never", not "long ago";
 * - `lastUpdateDateTime` is an Edm.String, not a date: free text, never parsed as a time;
 * - every other value is a string whose vocabulary Microsoft does not publish: tpm-doctor compares
 *   only the few values listed in docs/triage.md and reads any other as unknown.
 */
export interface DeviceHealthAttestationState {
  tpmVersion: string | null;
  bitLockerStatus: string | null;
  secureBoot: string | null;
  codeIntegrity: string | null;
  attestationIdentityKey: string | null;
  deviceHealthAttestationStatus: string | null;
  healthAttestationSupportedStatus: string | null;
  healthStatusMismatchInfo: string | null;
  issuedDateTime: string;
  lastUpdateDateTime: string | null;
  pcr0: string | null;
  pcrHashAlgorithm: string | null;
  testSigning: string | null;
  virtualSecureMode: string | null;
  resetCount: number;
  restartCount: number;
}

/** The DateTimeOffset Graph sends for a non-nullable date that was never set. */
export const GRAPH_DEFAULT_DATE = '0001-01-01T00:00:00Z';

/** hardwareInformation (beta only; null in list calls). Only the TPM-relevant fields. */
export interface HardwareInformation {
  tpmSpecificationVersion: string | null;
  tpmManufacturer: string | null;
  tpmVersion: string | null;
  isEncrypted?: boolean | null;
  operatingSystemEdition?: string | null;
  systemManagementBIOSVersion?: string | null;
}

/** One device's details, from `GET /beta/deviceManagement/managedDevices/{id}?$select=...`. */
export interface ManagedDeviceDetails {
  id: string;
  hardwareInformation: HardwareInformation | null;
  deviceHealthAttestationState: DeviceHealthAttestationState | null;
}

/** Graph's complianceStatus for a setting. */
export type SettingComplianceStatus =
  | 'unknown'
  | 'notApplicable'
  | 'compliant'
  | 'remediated'
  | 'nonCompliant'
  | 'error'
  | 'conflict'
  | 'notAssigned';

/**
 * deviceComplianceSettingState (v1.0 and beta): one device's state for one compliance setting,
 * listed tenant-wide per setting under deviceCompliancePolicySettingStateSummaries/{setting}.
 * `deviceId` is the Intune managedDevice id. `setting` is the class-qualified ID
 * ("Windows10CompliancePolicy.TpmRequired"); `settingName` is the same ID or null on real tenants:
 * never rely on it for a display name.
 */
export interface DeviceComplianceSettingState {
  id: string;
  setting: string;
  settingName: string | null;
  deviceId: string;
  deviceName: string | null;
  state: SettingComplianceStatus;
  /** Non-nullable DateTimeOffset (v1.0 CSDL): GRAPH_DEFAULT_DATE when there is no grace period. */
  complianceGracePeriodExpirationDateTime?: string;
}

/**
 * One setting of one compliance policy on one device (v1.0 deviceCompliancePolicySettingState,
 * embedded in deviceCompliancePolicyState.settingStates). `setting` is the class-qualified ID,
 * e.g. "Windows10CompliancePolicy.TpmRequired"; `errorCode`/`currentValue` say why it failed.
 */
export interface DeviceCompliancePolicySettingState {
  setting: string;
  settingName: string | null;
  state: SettingComplianceStatus;
  errorCode: number | null;
  errorDescription: string | null;
  currentValue: string | null;
}

/** One compliance policy's state on one device (v1.0 deviceCompliancePolicyState). */
export interface DeviceCompliancePolicyState {
  id: string;
  displayName: string | null;
  state: SettingComplianceStatus;
  platformType?: string | null;
  settingCount?: number | null;
  settingStates: DeviceCompliancePolicySettingState[];
}

/**
 * The compliance settings whose failure can point at the TPM: windows10CompliancePolicy's
 * tpmRequired and the settings Device Health Attestation measures with the TPM
 * (https://learn.microsoft.com/graph/api/resources/intune-deviceconfig-windows10compliancepolicy).
 */
export const TPM_RELATED_SETTINGS = [
  'Windows10CompliancePolicy.TpmRequired',
  'Windows10CompliancePolicy.BitLockerEnabled',
  'Windows10CompliancePolicy.SecureBootEnabled',
  'Windows10CompliancePolicy.CodeIntegrityEnabled',
  'Windows10CompliancePolicy.StorageRequireEncryption',
] as const;
export type TpmRelatedSetting = (typeof TPM_RELATED_SETTINGS)[number];

/**
 * bitlockerRecoveryKey (v1.0) as listed: never `key`. The key itself needs a separate,
 * audited GET with $select=key, which tpm-doctor never makes.
 * `id` equals the local RecoveryPassword KeyProtectorId without braces: that is the escrow match.
 */
export interface BitlockerRecoveryKeyInfo {
  id: string;
  createdDateTime: string;
  /** "1" (or "operatingSystemVolume") for the OS volume. */
  volumeType: string | null;
  deviceId: string;
}

/** deviceHealthScript (beta): an Intune Remediations script package. Script bodies are base64. */
export interface DeviceHealthScript {
  id: string;
  displayName: string;
  description?: string | null;
  publisher?: string | null;
  runAsAccount?: 'system' | 'user';
  runAs32Bit?: boolean;
  enforceSignatureCheck?: boolean;
  /** Base64 (Edm.Binary). Empty (null) in the list call: read the package by id for its bodies. */
  detectionScriptContent?: string | null;
  remediationScriptContent?: string | null;
}

/**
 * Intune's remediationState (beta enum remediationState, msgraph-metadata), as Microsoft defines
 * each value on the deviceHealthScriptDeviceState page: `success` remediated, `remediationFailed`
 * the remediation ran but did not remediate (the detection after it still found the issue),
 * `scriptError` the remediation errored or timed out, `skipped` not run (nothing detected).
 */
export type RemediationState =
  | 'unknown'
  | 'skipped'
  | 'success'
  | 'remediationFailed'
  | 'scriptError'
  | 'unknownFutureValue';

/** deviceHealthScriptDeviceState (beta): one device's last run of a Remediations script. */
export interface DeviceHealthScriptRunState {
  id: string;
  detectionState: 'unknown' | 'success' | 'fail' | 'scriptError' | 'pending' | 'notApplicable';
  lastStateUpdateDateTime: string | null;
  lastSyncDateTime?: string | null;
  /** What the detection script wrote to stdout: tpm-doctor's compact evidence JSON. */
  preRemediationDetectionScriptOutput: string | null;
  preRemediationDetectionScriptError?: string | null;
  /**
   * The remediation's outcome (RemediationState). Graph returns no output of the remediation
   * script itself, only its error: a report the remediation prints never reaches the tenant.
   */
  remediationState?: RemediationState | string | null;
  remediationScriptError?: string | null;
  /** The detection script's output when it ran again after the remediation. */
  postRemediationDetectionScriptOutput?: string | null;
  managedDevice?: { id: string } | null;
}

/** Graph's error body: {"error": {"code", "message", "innerError": {"request-id", "date"}}}. */
export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError?: { 'request-id'?: string; 'client-request-id'?: string; date?: string };
  };
}

/**
 * The managedDeviceRemoteAction members tpm-doctor sends through executeAction (beta enum
 * managedDeviceRemoteAction: https://learn.microsoft.com/graph/api/resources/intune-devices-manageddeviceremoteaction?view=graph-rest-beta).
 */
export type BulkDeviceAction = 'syncDevice' | 'rebootNow';

/**
 * bulkManagedDeviceActionResult (beta): executeAction's answer, the device ids it was given sorted
 * into four String collections
 * (https://learn.microsoft.com/graph/api/resources/intune-devices-bulkmanageddeviceactionresult?view=graph-rest-beta).
 * Microsoft describes them only as "Successful devices", "Failed devices", "Not found devices" and
 * "Not supported devices".
 */
export interface BulkManagedDeviceActionResult {
  successfulDeviceIds: string[];
  failedDeviceIds: string[];
  notFoundDeviceIds: string[];
  notSupportedDeviceIds: string[];
}
