import type { DeviceSimulation } from './device-simulation.js';
import type { LabSetting } from './fleet-mix.js';
import type { GraphViews } from './graph-views.js';

/**
 * The two whole-fleet reports triage exports, as the lab serves them (docs/lab-tenant.md):
 * `DevicesWithInventory` and `NoncompliantDevicesAndSettings`. Each declares the columns it
 * accepts in `select` and the header each one is written under in the CSV; the lab refuses any
 * other column, as Graph refuses a column "not relevant to the report".
 */
export interface InventoryReport {
  /** Column asked for → the header it is received under. */
  readonly columns: ReadonlyMap<string, string>;
  /** The rows, each a value per column asked for (by requested name; '' where the lab has none). */
  rows(devices: DeviceSimulation, views: GraphViews): Iterable<Readonly<Record<string, string>>>;
}

export const DEVICES_WITH_INVENTORY = 'DevicesWithInventory';
export const NONCOMPLIANT_DEVICES_AND_SETTINGS = 'NoncompliantDevicesAndSettings';

/**
 * DevicesWithInventory's columns exactly as "Intune reports and properties available using Graph
 * API" lists them, requestable name → the name it is received under
 * (https://learn.microsoft.com/intune/intune-service/fundamentals/reports-export-graph-available-reports#deviceswithinventory;
 * kept verbatim in test/contract/graph/report-columns.json, which a test compares with this).
 * CompliantState and DeviceType are also accepted under their documented aliases.
 */
const INVENTORY_COLUMNS: readonly (readonly [string, string])[] = [
  ['DeviceId', 'Device ID'],
  ['DeviceName', 'Device name'],
  ['CreatedDate', 'Enrollment date'],
  ['LastContact', 'Last check-in'],
  ['ReferenceId', 'Microsoft Entra Device ID'],
  ['OSVersion', 'OS version'],
  ['GraphDeviceIsManaged', 'Microsoft Entra registered'],
  ['EasID', 'EAS activation ID'],
  ['SerialNumber', 'Serial number'],
  ['Manufacturer', 'Manufacturer'],
  ['Model', 'Model'],
  ['EasActivationStatus', 'EAS activated'],
  ['IMEI', 'IMEI'],
  ['EasLastSyncSuccessUtc', 'Last EAS sync time'],
  ['EasStateReason', 'EAS reason'],
  ['EasAccessState', 'EAS status'],
  ['InGracePeriodUntil', 'Compliance grace period expiration'],
  ['AndroidPatchLevel', 'Security patch level'],
  ['WifiMacAddress', 'Wi-Fi MAC'],
  ['MEID', 'MEID'],
  ['SubscriberCarrierNetwork', 'Subscriber carrier'],
  ['StorageTotal', 'Total storage'],
  ['StorageFree', 'Free storage'],
  ['ManagedDeviceName', 'Management name'],
  ['CategoryName', 'Category'],
  ['UserId', 'UserId'],
  ['UPN', 'Primary user UPN'],
  ['UserEmail', 'Primary user email address'],
  ['UserName', 'Primary user display name'],
  ['WiFiIPv4Address', 'WiFiIPv4Address'],
  ['WiFiSubnetID', 'WiFiSubnetID'],
  ['CompliantState', 'Compliance'],
  ['ManagementAgent', 'Managed by'],
  ['OwnerType', 'Ownership'],
  ['ManagementState', 'Device state'],
  ['DeviceRegistrationState', 'Intune registered'],
  ['IsSupervised', 'Supervised'],
  ['IsEncrypted', 'Encrypted'],
  ['DeviceType', 'OS'],
  ['SkuFamily', 'SkuFamily'],
  ['JoinType', 'JoinType'],
  ['PhoneNumber', 'Phone number'],
  ['JailBroken', 'Jailbroken'],
  ['ICCID', 'ICCID'],
  ['EthernetMAC', 'EthernetMAC'],
  ['CellularTechnology', 'CellularTechnology'],
  ['ProcessorArchitecture', 'ProcessorArchitecture'],
  ['EID', 'EID'],
  ['EnrollmentType', 'EnrollmentType'],
  ['PartnerFeaturesBitmask', 'PartnerFeaturesBitmask'],
  ['ManagementAgents', 'ManagementAgents'],
  ['CertExpirationDate', 'CertExpirationDate'],
  ['IsManaged', 'IsManaged'],
  ['SystemManagementBIOSVersion', 'SystemManagementBIOSVersion'],
  ['TPMManufacturerId', 'TPMManufacturerId'],
  ['TPMManufacturerVersion', 'TPMManufacturerVersion'],
];
const INVENTORY_ALIASES: readonly (readonly [string, string])[] = [
  ['ComplianceState', 'CompliantState'],
  ['OS', 'DeviceType'],
];

/**
 * NoncompliantDevicesAndSettings: Microsoft publishes neither its columns nor its status codes.
 * These are the columns a real tenant's export was seen to carry (test/contract/graph/
 * report-columns.source.json says where), and the lab serves exactly these.
 */
const NONCOMPLIANT_COLUMNS = [
  'DeviceId',
  'DeviceName',
  'UPN',
  'OS',
  'OSVersion',
  'SettingName',
  'SettingNm',
  'SettingNm_loc',
  'PolicyName',
  'SettingStatus',
  'SettingStatus_loc',
  'ErrorCode',
] as const;

/** The admin center's names for the settings the lab fails (the `_loc` column). */
const SETTING_TITLES: Readonly<Record<LabSetting, string>> = {
  'Windows10CompliancePolicy.TpmRequired': 'Trusted Platform Module (TPM)',
  'Windows10CompliancePolicy.BitLockerEnabled': 'BitLocker',
  'Windows10CompliancePolicy.SecureBootEnabled': 'Secure Boot',
  'Windows10CompliancePolicy.CodeIntegrityEnabled': 'Code integrity',
  'Windows10CompliancePolicy.StorageRequireEncryption': 'Encryption of data storage on device',
  'DefaultDeviceCompliancePolicy.RequireRemainContact': 'Is active',
};

/** The code call 14 of the lab reports for a failing setting (graph-routes.ts): the same here. */
const NOT_COMPLIANT_ERROR_CODE = '-2016281112';

/** A device's row: the columns the lab knows (a column it does not know is served empty). */
function inventoryRow(devices: DeviceSimulation, views: GraphViews, index: number): Record<string, string> {
  const device = views.managedDevice(index);
  const p = devices.profile(index);
  const values: Record<string, string> = {
    DeviceId: device.id,
    DeviceName: device.deviceName ?? '',
    ReferenceId: device.azureADDeviceId ?? '',
    LastContact: device.lastSyncDateTime ?? '',
    OSVersion: device.osVersion ?? '',
    SerialNumber: p.serialNumber,
    Manufacturer: p.manufacturer,
    Model: p.model,
    UPN: device.userPrincipalName ?? '',
    // The format of these three is not published: the lab writes what its hardwareInformation
    // holds (graph-views.ts: systemManagementBIOSVersion, tpmManufacturer, tpmVersion).
    SystemManagementBIOSVersion: p.biosVersion,
    TPMManufacturerId: p.tpm.id,
    TPMManufacturerVersion: p.tpmFirmware,
  };
  for (const [alias, name] of INVENTORY_ALIASES) values[alias] = values[name] ?? '';
  return values;
}

export const INVENTORY_REPORTS: ReadonlyMap<string, InventoryReport> = new Map<string, InventoryReport>([
  [
    DEVICES_WITH_INVENTORY,
    {
      columns: new Map([
        ...INVENTORY_COLUMNS,
        ...INVENTORY_ALIASES.map(
          ([alias, name]) =>
            [alias, INVENTORY_COLUMNS.find(([n]) => n === name)![1]] as readonly [string, string],
        ),
      ]),
      *rows(devices, views) {
        devices.settleAll();
        for (let index = 0; index < devices.fleet.size; index++) yield inventoryRow(devices, views, index);
      },
    },
  ],
  [
    NONCOMPLIANT_DEVICES_AND_SETTINGS,
    {
      columns: new Map(NONCOMPLIANT_COLUMNS.map((c) => [c, c])),
      *rows(devices, views) {
        devices.settleAll();
        for (let index = 0; index < devices.fleet.size; index++) {
          const failing = views.failingSettings(index);
          if (failing.length === 0) continue;
          const device = views.managedDevice(index);
          for (const { setting, state } of failing) {
            yield {
              DeviceId: device.id,
              DeviceName: device.deviceName ?? '',
              UPN: device.userPrincipalName ?? '',
              OS: 'Windows',
              OSVersion: device.osVersion ?? '',
              SettingName: setting,
              SettingNm: setting.replace('.', ''),
              SettingNm_loc: SETTING_TITLES[setting],
              PolicyName: setting.startsWith('Default')
                ? 'Default Device Compliance Policy'
                : 'Windows 10/11 compliance (LAB)',
              // "4" / "Not compliant" is the one code seen from real tenants; an error state's
              // code is not known, so the lab leaves it empty (docs/lab-tenant.md).
              SettingStatus: state === 'nonCompliant' ? '4' : '',
              SettingStatus_loc: state === 'nonCompliant' ? 'Not compliant' : 'Error',
              ErrorCode: NOT_COMPLIANT_ERROR_CODE,
            };
          }
        }
      },
    },
  ],
]);
