import type { CsvTable } from '../graph/csv-table.js';
import { type DeviceComplianceSettingState, TPM_RELATED_SETTINGS } from '../graph/graph-types.js';
import type { IntuneApi } from '../graph/intune-api.js';
import { factText, type InventoryFacts, type SettingError } from './device-facts.js';

/**
 * The two whole-fleet report exports triage reads instead of per-setting listings and per-device
 * policy states (docs/graph-calls.md calls 16-18, docs/triage.md): a handful of requests each,
 * whatever the fleet's size.
 *
 * - `DevicesWithInventory`: columns as "Intune reports and properties available using Graph API"
 *   lists them, each asked for by its requestable name and received under another
 *   (https://learn.microsoft.com/intune/intune-service/fundamentals/reports-export-graph-available-reports#deviceswithinventory);
 *   a column is read under either name. The format of the TPM and BIOS columns is not published:
 *   they are kept as text, never decoded.
 * - `NoncompliantDevicesAndSettings`: one row per failing setting of a device. Microsoft publishes
 *   neither its columns nor its status codes; the columns asked for are those real tenants' exports
 *   carry (test/contract/graph/report-columns.source.json). Only status code 4 ("Not compliant")
 *   has been seen; any other status is read as not known to be nonCompliant, never as compliant.
 */
const INVENTORY_REPORT = 'DevicesWithInventory';
const NONCOMPLIANT_SETTINGS_REPORT = 'NoncompliantDevicesAndSettings';

/** Requestable column → the name it is received under (the Learn page's table). */
const INVENTORY_SELECT: Readonly<Record<string, string>> = {
  DeviceId: 'Device ID',
  Manufacturer: 'Manufacturer',
  Model: 'Model',
  SystemManagementBIOSVersion: 'SystemManagementBIOSVersion',
  TPMManufacturerId: 'TPMManufacturerId',
  TPMManufacturerVersion: 'TPMManufacturerVersion',
};

const NONCOMPLIANT_SELECT = ['DeviceId', 'SettingName', 'SettingStatus', 'SettingStatus_loc', 'ErrorCode'];

/** SettingStatus "4" is shown as "Not compliant" by Intune; the only code seen on real tenants. */
const NOT_COMPLIANT_CODE = '4';

export interface FleetExports {
  /** Lower-case device id → its inventory facts. */
  inventory: Map<string, InventoryFacts>;
  /** Lower-case device id → its failing TPM-related settings, as the per-setting listings give them. */
  failing: Map<string, DeviceComplianceSettingState[]>;
  /** Lower-case device id → those settings with Intune's error codes. */
  errors: Map<string, SettingError[]>;
}

function column(table: CsvTable, requested: string, received: string): string {
  if (table.columns.includes(received)) return received;
  if (table.columns.includes(requested)) return requested;
  throw new Error(`the ${INVENTORY_REPORT} export has no column ${received} (${requested})`);
}

/** Reads both exports. Graph's errors (403: the app may not export) and bad tables propagate. */
export async function readFleetExports(api: IntuneApi): Promise<FleetExports> {
  const inventoryTable = await api.exportReport({
    reportName: INVENTORY_REPORT,
    select: Object.keys(INVENTORY_SELECT),
    read: Object.entries(INVENTORY_SELECT).flat(),
  });
  const name = (requested: string) => column(inventoryTable, requested, INVENTORY_SELECT[requested]!);
  const [id, manufacturer, model, bios, tpmMaker, tpmVersion] = [
    'DeviceId',
    'Manufacturer',
    'Model',
    'SystemManagementBIOSVersion',
    'TPMManufacturerId',
    'TPMManufacturerVersion',
  ].map(name) as [string, string, string, string, string, string];
  const inventory = new Map<string, InventoryFacts>();
  // A fleet has a few dozen models and firmware versions: one string each, not one per device.
  const interned = new Map<string, string>();
  const fact = (value: string | undefined) => {
    const text = factText(value);
    const known = interned.get(text);
    if (known !== undefined) return known;
    interned.set(text, text);
    return text;
  };
  for (const row of inventoryTable.rows) {
    const deviceId = row[id]?.trim().toLowerCase();
    if (!deviceId) continue;
    inventory.set(deviceId, {
      manufacturer: fact(row[manufacturer]),
      model: fact(row[model]),
      tpmManufacturer: fact(row[tpmMaker]),
      tpmVersion: fact(row[tpmVersion]),
      firmware: fact(row[bios]),
    });
  }

  const tpmSettings = new Set<string>(TPM_RELATED_SETTINGS);
  const settingsTable = await api.exportReport({
    reportName: NONCOMPLIANT_SETTINGS_REPORT,
    select: NONCOMPLIANT_SELECT,
    // One row per failing setting of every device, TPM-related or not: only those are kept.
    where: { column: 'SettingName', oneOf: tpmSettings },
  });
  for (const c of NONCOMPLIANT_SELECT) {
    if (!settingsTable.columns.includes(c))
      throw new Error(`the ${NONCOMPLIANT_SETTINGS_REPORT} export has no column ${c}`);
  }
  const failing = new Map<string, DeviceComplianceSettingState[]>();
  const errors = new Map<string, SettingError[]>();
  for (const row of settingsTable.rows) {
    const deviceId = row.DeviceId?.trim().toLowerCase();
    const setting = row.SettingName?.trim();
    if (!deviceId || !setting || !tpmSettings.has(setting)) continue;
    const list = failing.get(deviceId) ?? [];
    // Several policies may carry the same setting: one entry per setting, as the listings give.
    if (list.some((s) => s.setting === setting)) continue;
    const code = row.SettingStatus?.trim() ?? '';
    list.push({
      id: `${deviceId}_${setting}`,
      setting,
      settingName: setting,
      deviceId,
      deviceName: null,
      state: code === NOT_COMPLIANT_CODE ? 'nonCompliant' : 'unknown',
    });
    failing.set(deviceId, list);
    const errorCode = row.ErrorCode?.trim() ?? '';
    const status = code === NOT_COMPLIANT_CODE ? 'nonCompliant' : factText(row.SettingStatus_loc);
    errors.set(deviceId, [
      ...(errors.get(deviceId) ?? []),
      { setting, status, errorCode: /^-?\d{1,20}$/.test(errorCode) ? errorCode : factText('') },
    ]);
  }
  return { inventory, failing, errors };
}
