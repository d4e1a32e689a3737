import type { LabCondition } from './fleet-mix.js';
import { Prng } from './prng.js';

/** A TPM vendor as Windows reports it (Get-Tpm ManufacturerIdTxt, hardwareInformation.tpmManufacturer). */
export interface TpmVendor {
  /** TCG vendor ID text ("IFX"); Get-Tpm's ManufacturerId is these four ASCII bytes as a number. */
  id: 'IFX' | 'NTC' | 'STM' | 'INTC' | 'AMD';
  fullName: string;
  manufacturerId: number;
  /** Firmware versions that no advisory in src/diagnose/data/firmware-vulnerabilities.ts covers. */
  healthyFirmware: readonly string[];
  /** Firmware versions inside a published vulnerable range (ROCA, TCG-VRT0009, CVE-2023-1017, TPM-Fail). */
  vulnerableFirmware: readonly string[];
}

const ascii4 = (s: string) => Buffer.from(s.padEnd(4, '\0'), 'latin1').readUInt32BE(0);

const TPM_VENDORS: Readonly<Record<TpmVendor['id'], TpmVendor>> = {
  IFX: {
    id: 'IFX',
    fullName: 'Infineon',
    manufacturerId: ascii4('IFX'),
    healthyFirmware: ['7.85.4555.0', '15.23.17664.0'],
    // 7.61: ROCA (ADV170012); 15.22: TCG-VRT0009 on SLB9672, fixed in 15.23.
    vulnerableFirmware: ['7.61.2785.0', '15.22.16832.0'],
  },
  NTC: {
    id: 'NTC',
    fullName: 'Nuvoton',
    manufacturerId: ascii4('NTC'),
    healthyFirmware: ['7.2.3.1', '7.2.5.1'],
    vulnerableFirmware: ['1.3.2.8'],
  },
  STM: {
    id: 'STM',
    fullName: 'STMicroelectronics',
    manufacturerId: ascii4('STM'),
    healthyFirmware: ['74.72.17.0', '1.769.0.0'],
    // 73.4: TPM-Fail (ST33TPHF2ESPI), fixed in 73.20.
    vulnerableFirmware: ['73.4.17568.0'],
  },
  INTC: {
    id: 'INTC',
    fullName: 'Intel',
    manufacturerId: ascii4('INTC'),
    healthyFirmware: ['600.18.1.0', '700.6.13.0'],
    vulnerableFirmware: [],
  },
  AMD: {
    id: 'AMD',
    fullName: 'AMD',
    manufacturerId: ascii4('AMD'),
    healthyFirmware: ['3.87.0.5', '6.24.0.6'],
    vulnerableFirmware: [],
  },
};

interface Model {
  manufacturer: string;
  model: string;
  kind: 'LT' | 'DT';
  tpms: readonly TpmVendor['id'][];
  bios: string;
}

/** Business PCs as Intune reports their manufacturer and model (SMBIOS), with the TPMs they ship with. */
const MODELS: readonly (readonly [Model, number])[] = [
  [
    { manufacturer: 'Dell Inc.', model: 'Latitude 5440', kind: 'LT', tpms: ['NTC', 'STM'], bios: '1.14.1' },
    18,
  ],
  [
    { manufacturer: 'Dell Inc.', model: 'OptiPlex 7010', kind: 'DT', tpms: ['NTC', 'INTC'], bios: '1.9.0' },
    10,
  ],
  [
    {
      manufacturer: 'LENOVO',
      model: '21HD003GUS',
      kind: 'LT',
      tpms: ['NTC', 'STM'],
      bios: 'R23ET70W (1.46 )',
    },
    16,
  ],
  [{ manufacturer: 'LENOVO', model: '21F8002TUS', kind: 'LT', tpms: ['AMD'], bios: 'R2FET58W (1.38 )' }, 6],
  [
    {
      manufacturer: 'HP',
      model: 'HP EliteBook 840 14 inch G10 Notebook PC',
      kind: 'LT',
      tpms: ['IFX', 'STM'],
      bios: 'V70 Ver. 01.05.02',
    },
    16,
  ],
  [
    {
      manufacturer: 'HP',
      model: 'HP EliteDesk 800 G9 Desktop Mini PC',
      kind: 'DT',
      tpms: ['IFX'],
      bios: 'U21 Ver. 02.13.00',
    },
    8,
  ],
  [
    {
      manufacturer: 'Microsoft Corporation',
      model: 'Surface Laptop 5',
      kind: 'LT',
      tpms: ['INTC'],
      bios: '10.1.1',
    },
    8,
  ],
  [
    {
      manufacturer: 'Microsoft Corporation',
      model: 'Surface Pro 9',
      kind: 'LT',
      tpms: ['IFX'],
      bios: '21.1.0',
    },
    6,
  ],
  [
    { manufacturer: 'Dell Inc.', model: 'Precision 3581', kind: 'LT', tpms: ['STM', 'INTC'], bios: '1.11.0' },
    4,
  ],
  [{ manufacturer: 'LENOVO', model: '11T3S0PG00', kind: 'DT', tpms: ['INTC'], bios: 'M4ZKT3AA' }, 8],
];

/** Windows 11 23H2, 24H2 and Windows 10 22H2 builds, as Graph's osVersion. */
const OS_VERSIONS: readonly (readonly [string, number])[] = [
  ['10.0.22631.4460', 40],
  ['10.0.26100.2454', 35],
  ['10.0.19045.5131', 25],
];

const SITES = ['NYC', 'LON', 'TYO', 'BER', 'SYD', 'SAO'] as const;
const FIRST = ['alex', 'sam', 'kim', 'yuki', 'maria', 'omar', 'lena', 'ravi', 'chen', 'ana', 'jonas', 'aiko'];
const LAST = ['smith', 'tanaka', 'garcia', 'mueller', 'khan', 'silva', 'kowalski', 'nguyen', 'ito', 'brown'];

/** The lab tenant's domain: clearly not a real one (RFC 2606 reserves .example). */
const LAB_DOMAIN = 'contoso-lab.example';

/** What never changes about a device: its identity and hardware. A pure function of (seed, index, condition). */
export interface DeviceProfile {
  index: number;
  deviceName: string;
  serialNumber: string;
  manufacturer: string;
  model: string;
  biosVersion: string;
  osVersion: string;
  userPrincipalName: string;
  tpm: TpmVendor;
  tpmFirmware: string;
  tpmSpecVersion: string;
}

/** The GUIDs on the device itself, only needed for its evidence and its escrow (so computed apart). */
export interface DeviceKeyIds {
  /** The local BitLocker RecoveryPassword protector's ID (upper case, as Get-BitLockerVolume prints it). */
  recoveryProtectorId: string;
  /** The TPM protector's ID. */
  tpmProtectorId: string;
  /** The MDM enrollment GUID on the device. */
  enrollmentId: string;
}

/** Stream numbers under a device's seed, so adding a field never shifts another. */
export const STREAM = { condition: 0, ids: 1, profile: 2, staleKey: 3, keyIds: 4 } as const;

export function deviceProfile(seed: number, index: number, condition: LabCondition): DeviceProfile {
  const rng = Prng.forKey(seed, index, STREAM.profile);
  const model = rng.weighted(MODELS);
  const vulnerable = condition === 'tpm-vulnerable-firmware';
  // Vulnerable firmware is seeded on the vendors with published ranges (an IFX TPM most often).
  const vendorId = vulnerable
    ? rng.weighted<TpmVendor['id']>([
        ['IFX', 6],
        ['NTC', 2],
        ['STM', 2],
      ])
    : rng.pick(model.tpms);
  const tpm = TPM_VENDORS[vendorId];
  const firmware = rng.pick(vulnerable ? tpm.vulnerableFirmware : tpm.healthyFirmware);
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  return {
    index,
    deviceName: `${rng.pick(SITES)}-${model.kind}-${String(index + 1).padStart(6, '0')}`,
    serialNumber: rng.hex(10),
    manufacturer: model.manufacturer,
    model: model.model,
    biosVersion: model.bios,
    osVersion: rng.weighted(OS_VERSIONS),
    userPrincipalName: `${first}.${last}${index + 1}@${LAB_DOMAIN}`,
    tpm,
    tpmFirmware: firmware,
    tpmSpecVersion: rng.pick(['2.0, 0, 1.38', '2.0, 0, 1.59']),
  };
}

export function deviceKeyIds(seed: number, index: number): DeviceKeyIds {
  const rng = Prng.forKey(seed, index, STREAM.keyIds);
  return {
    recoveryProtectorId: rng.guid().toUpperCase(),
    tpmProtectorId: rng.guid().toUpperCase(),
    enrollmentId: rng.guid().toUpperCase(),
  };
}
