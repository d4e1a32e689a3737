import type {
  BitlockerRecoveryKeyInfo,
  DeviceComplianceSettingState,
  ManagedDevice,
  ManagedDeviceDetails,
} from '../../../src/fleet/graph/graph-types.js';
import type { Result } from '../../../src/fleet/graph/intune-api.js';

/** Hand-built Graph objects in the shapes Graph sends (src/fleet/graph/graph-types.ts). */
export const NOW = new Date('2024-05-20T00:00:00Z');

export function device(overrides: Partial<ManagedDevice> = {}): ManagedDevice {
  return {
    id: 'md-0001',
    deviceName: 'PC-0001',
    azureADDeviceId: '1e4a7c2d-9b3f-4e6a-8d1c-5f0b2a7e9c31',
    operatingSystem: 'Windows',
    osVersion: '10.0.22631.3593',
    complianceState: 'compliant',
    lastSyncDateTime: '2024-05-19T12:00:00Z',
    isEncrypted: true,
    managementAgent: 'mdm',
    deviceRegistrationState: 'registered',
    userPrincipalName: 'user@contoso.com',
    serialNumber: 'SN0001',
    manufacturer: 'Contoso',
    model: 'Laptop 5',
    ...overrides,
  };
}

export function failing(
  deviceId: string,
  setting: string,
  state: DeviceComplianceSettingState['state'] = 'nonCompliant',
): DeviceComplianceSettingState {
  return {
    id: `${deviceId}-${setting}`,
    setting,
    settingName: setting.split('.')[1] ?? null,
    deviceId,
    deviceName: null,
    state,
  };
}

export function details(
  overrides: {
    hw?: Partial<NonNullable<ManagedDeviceDetails['hardwareInformation']>>;
    dha?: Partial<NonNullable<ManagedDeviceDetails['deviceHealthAttestationState']>> | null;
  } = {},
): Result<ManagedDeviceDetails> {
  return {
    ok: true,
    value: {
      id: 'md-0001',
      hardwareInformation: {
        tpmSpecificationVersion: '2.0, 0, 1.59',
        tpmManufacturer: 'NTC',
        tpmVersion: '7.2.3.1',
        ...overrides.hw,
      },
      deviceHealthAttestationState:
        overrides.dha === null
          ? null
          : {
              tpmVersion: '2.0',
              bitLockerStatus: 'enabled',
              secureBoot: 'enabled',
              codeIntegrity: 'enabled',
              attestationIdentityKey: 'enabled',
              deviceHealthAttestationStatus: 'healthy',
              healthAttestationSupportedStatus: 'supported',
              healthStatusMismatchInfo: null,
              issuedDateTime: '2024-05-19T08:00:00Z',
              lastUpdateDateTime: '2024-05-19T08:00:00Z',
              pcr0: null,
              pcrHashAlgorithm: 'SHA256',
              testSigning: 'disabled',
              virtualSecureMode: 'enabled',
              resetCount: 3,
              restartCount: 40,
              ...overrides.dha,
            },
    },
  };
}

export function keys(...ids: string[]): Result<BitlockerRecoveryKeyInfo[]> {
  return {
    ok: true,
    value: ids.map((id) => ({ id, createdDateTime: '2024-01-01T00:00:00Z', volumeType: '1', deviceId: 'x' })),
  };
}

export const TPM_REQUIRED = 'Windows10CompliancePolicy.TpmRequired';
export const SECURE_BOOT = 'Windows10CompliancePolicy.SecureBootEnabled';
export const BITLOCKER = 'Windows10CompliancePolicy.BitLockerEnabled';
export const CODE_INTEGRITY = 'Windows10CompliancePolicy.CodeIntegrityEnabled';
