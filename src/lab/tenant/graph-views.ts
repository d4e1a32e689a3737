import {
  type BitlockerRecoveryKeyInfo,
  type ComplianceState,
  type DeviceComplianceSettingState,
  type DeviceHealthAttestationState,
  type DeviceHealthScript,
  type DeviceHealthScriptRunState,
  GRAPH_DEFAULT_DATE,
  type HardwareInformation,
  type ManagedDevice,
} from '../../fleet/graph/graph-types.js';
import type { DeviceSimulation } from './device-simulation.js';
import { FAILING_SETTINGS, type LabSetting } from './fleet-mix.js';
import type { ScriptCatalog } from './script-catalog.js';

/**
 * The lab tenant's entities as Graph shows them (every property, before $select): devices shaped
 * from the simulation's facts now, scripts and their run states from the catalog. The shapes are
 * Graph's (src/fleet/graph/graph-types.ts, docs/graph-calls.md).
 */
export class GraphViews {
  readonly #devices: DeviceSimulation;
  readonly #scripts: ScriptCatalog;

  constructor(devices: DeviceSimulation, scripts: ScriptCatalog) {
    this.#devices = devices;
    this.#scripts = scripts;
  }

  // ---- devices ---------------------------------------------------------------------------------

  /** The failing settings a device reports now (none once fixed). */
  failingSettings(index: number): readonly { setting: LabSetting; state: 'nonCompliant' | 'error' }[] {
    return this.#devices.isFixed(index) ? [] : FAILING_SETTINGS[this.#devices.condition(index)];
  }

  complianceState(index: number): ComplianceState {
    return this.failingSettings(index).length === 0 ? 'compliant' : 'noncompliant';
  }

  /** Every property of ManagedDevice (v1.0), before $select. */
  managedDevice(index: number): ManagedDevice {
    const devices = this.#devices;
    const p = devices.profile(index);
    const encrypted = devices.condition(index) !== 'bitlocker-off' || devices.isFixed(index);
    return {
      id: devices.fleet.ids[index]!,
      deviceName: p.deviceName,
      azureADDeviceId: devices.fleet.aadIds[index]!,
      operatingSystem: 'Windows',
      osVersion: p.osVersion,
      complianceState: this.complianceState(index),
      lastSyncDateTime: iso(devices.lastSyncAt(index)),
      isEncrypted: encrypted,
      managementAgent: 'mdm',
      deviceRegistrationState: 'registered',
      userPrincipalName: p.userPrincipalName,
      serialNumber: p.serialNumber,
      manufacturer: p.manufacturer,
      model: p.model,
    };
  }

  /** hardwareInformation (beta): the TPM fields. */
  hardwareInformation(index: number): HardwareInformation {
    const devices = this.#devices;
    const p = devices.profile(index);
    return {
      tpmSpecificationVersion: p.tpmSpecVersion,
      tpmManufacturer: p.tpm.id,
      tpmVersion: p.tpmFirmware,
      isEncrypted: devices.condition(index) !== 'bitlocker-off' || devices.isFixed(index),
      operatingSystemEdition: 'Enterprise',
      systemManagementBIOSVersion: p.biosVersion,
    };
  }

  /** deviceHealthAttestationState as the device's last health attestation report says. */
  healthAttestation(index: number): DeviceHealthAttestationState {
    const devices = this.#devices;
    const condition = devices.isFixed(index) ? 'healthy' : devices.condition(index);
    const attestationStale = condition === 'attestation-stale';
    const tpmBad = condition.startsWith('tpm-') || condition === 'stays-broken';
    const onOff = (on: boolean) => (on ? 'enabled' : 'disabled');
    const reported = devices.lastSyncAt(index);
    return {
      tpmVersion: '2.0',
      bitLockerStatus: onOff(condition !== 'bitlocker-off' && !attestationStale),
      secureBoot: onOff(condition !== 'secure-boot-off' && !attestationStale),
      codeIntegrity: onOff(!attestationStale),
      attestationIdentityKey: onOff(!tpmBad),
      deviceHealthAttestationStatus: condition === 'tpm-lockout' ? 'error' : tpmBad ? 'unhealthy' : 'healthy',
      healthAttestationSupportedStatus: 'supported',
      healthStatusMismatchInfo: null,
      issuedDateTime: iso(attestationStale ? reported - 45 * 86_400_000 : reported),
      lastUpdateDateTime: iso(reported),
      pcr0: null,
      pcrHashAlgorithm: 'SHA256',
      testSigning: 'disabled',
      virtualSecureMode: 'enabled',
      resetCount: 0,
      restartCount: 40 + devices.restartCount(index),
    };
  }

  /** BitLocker recovery key ids in Graph for a device (never key material). */
  recoveryKeys(index: number): BitlockerRecoveryKeyInfo[] {
    const fleet = this.#devices.fleet;
    return this.#devices.escrowedKeyIds(index).map((id) => ({
      id,
      createdDateTime: iso(fleet.seededAt - (100 + (index % 200)) * 86_400_000),
      volumeType: '1',
      deviceId: fleet.aadIds[index]!,
    }));
  }

  /**
   * One device's entry in a setting's tenant-wide state summary. Real tenants leave settingName
   * null or repeat the class-qualified ID; the lab sends null (docs/lab-tenant.md), and the
   * non-nullable grace period date its default when there is none.
   */
  settingState(
    index: number,
    setting: LabSetting,
    state: DeviceComplianceSettingState['state'],
  ): DeviceComplianceSettingState {
    const fleet = this.#devices.fleet;
    return {
      id: `${fleet.ids[index]}_${setting}`,
      setting,
      settingName: null,
      deviceId: fleet.ids[index]!,
      deviceName: this.#devices.profile(index).deviceName,
      state,
      complianceGracePeriodExpirationDateTime: GRAPH_DEFAULT_DATE,
    };
  }

  // ---- Remediations ----------------------------------------------------------------------------

  /**
   * The script packages as the list call shows them: real Graph returns the script bodies empty
   * there (only a GET by id carries them), so the lab sends them null.
   */
  scripts(): DeviceHealthScript[] {
    return this.#scripts.list().map((stored) => ({
      ...stored.entity,
      detectionScriptContent: null,
      remediationScriptContent: null,
    }));
  }

  script(id: string): DeviceHealthScript | undefined {
    const stored = this.#scripts.get(id);
    return stored === undefined ? undefined : { ...stored.entity };
  }

  /** A device's last run of a script, or null when it never ran it. */
  runState(scriptId: string, index: number): DeviceHealthScriptRunState | null {
    const run = this.#scripts.lastRun(scriptId, index);
    if (!run) return null;
    const devices = this.#devices;
    devices.settle(index);
    const result = devices.runResult(index, run);
    return {
      id: `${scriptId}:${devices.fleet.ids[index]}`,
      detectionState: result ? result.detectionState : 'pending',
      remediationState: result ? result.remediationState : 'unknown',
      lastStateUpdateDateTime: iso(result ? run.completesAt : run.requestedAt),
      lastSyncDateTime: iso(devices.lastSyncAt(index)),
      preRemediationDetectionScriptOutput: result ? result.output : null,
      preRemediationDetectionScriptError: null,
      // What Intune reports for a remediation that exited non-zero; null when it ran clean.
      remediationScriptError:
        result?.remediationState === 'remediationFailed'
          ? 'The remediation script exited with a non-zero code.'
          : null,
      postRemediationDetectionScriptOutput: null,
      managedDevice: { id: devices.fleet.ids[index]! },
    };
  }
}

/** Graph's DateTimeOffset: ISO 8601 in UTC, whole seconds. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
