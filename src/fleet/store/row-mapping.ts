/**
 * Rows as both backends return them (snake_case columns, values typed by the driver) turned into
 * the store's types, checked on the way: a value this build does not know (a phase written by a
 * newer tpm-doctor, a hand-edited row) is a clear error naming the column, never a silent cast.
 */

import { type SettingError, UNKNOWN_FACT } from '../triage/device-facts.js';
import type {
  Campaign,
  CampaignAction,
  CampaignDevice,
  CampaignStatus,
  DevicePhase,
  TriageRow,
  TriageRun,
} from './fleet-store.js';
import { CAMPAIGN_ACTIONS, CAMPAIGN_STATUSES, DEVICE_PHASES } from './schema.js';
import { FleetStoreError } from './store-error.js';

export type DbRow = Record<string, unknown>;

/** The column lists the queries select, in the order of the mapping below. */
export const CAMPAIGN_COLUMNS =
  'id, action, status, target, tenant_key, selection, created_at, updated_at, deadline, script_id, resume_options';
export const CAMPAIGN_DEVICE_COLUMNS =
  'campaign_id, device_id, device_name, baseline_sync, phase, posted_at, last_sync, compliant_at, error, updated_at';
export const TRIAGE_RUN_COLUMNS = 'id, created_at, target, tenant_key, summary';
export const TRIAGE_ROW_COLUMNS =
  'device_id, device_name, azure_ad_device_id, triage_class, clear_safety, last_sync, reasons, ' +
  'manufacturer, model, tpm_manufacturer, tpm_version, firmware, setting_errors';

/** The upsert's SET list: every column of TRIAGE_ROW_COLUMNS but the key, from the new row. */
export const TRIAGE_ROW_UPDATE = TRIAGE_ROW_COLUMNS.split(', ')
  .filter((c) => c !== 'device_id')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

function where(table: string, row: DbRow): string {
  const key = row.id ?? row.device_id;
  return key === undefined ? table : `${table} row ${String(key)}`;
}

function text(table: string, row: DbRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') {
    throw new FleetStoreError(`${where(table, row)}: expected text in ${column}, found ${typeof value}`);
  }
  return value;
}

function optionalText(table: string, row: DbRow, column: string): string | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  return text(table, row, column);
}

function integer(table: string, row: DbRow, column: string): number {
  const value = row[column];
  // PostgreSQL's driver returns INTEGER as a number and BIGINT/COUNT as a string.
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new FleetStoreError(
      `${where(table, row)}: expected an integer in ${column}, found ${String(value)}`,
    );
  }
  return number;
}

function oneOf<T extends string>(table: string, row: DbRow, column: string, allowed: readonly T[]): T {
  const value = text(table, row, column);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new FleetStoreError(
      `${where(table, row)}: ${column} is '${value}', expected one of ${allowed.join(', ')} ` +
        '(written by a newer tpm-doctor?)',
    );
  }
  return value as T;
}

function json(table: string, row: DbRow, column: string): unknown {
  const raw = optionalText(table, row, column);
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new FleetStoreError(`${where(table, row)}: expected JSON in ${column}, found unparsable text`);
  }
}

/** The tenant key when the row has one (rows written before schema version 3 do not). */
function tenantKey(table: string, row: DbRow): { tenantKey?: string } {
  const key = optionalText(table, row, 'tenant_key');
  return key === null ? {} : { tenantKey: key };
}

export function toCampaign(row: DbRow): Campaign {
  const t = 'campaigns';
  return {
    id: text(t, row, 'id'),
    action: oneOf<CampaignAction>(t, row, 'action', CAMPAIGN_ACTIONS),
    status: oneOf<CampaignStatus>(t, row, 'status', CAMPAIGN_STATUSES),
    target: text(t, row, 'target'),
    ...tenantKey(t, row),
    selection: text(t, row, 'selection'),
    createdAt: text(t, row, 'created_at'),
    updatedAt: text(t, row, 'updated_at'),
    deadline: text(t, row, 'deadline'),
    scriptId: optionalText(t, row, 'script_id'),
    ...resumeOptions(t, row),
  };
}

/** The resume options when the row has them (campaigns stored before schema version 6 do not). */
function resumeOptions(table: string, row: DbRow): { resumeOptions?: Record<string, string> } {
  const value = json(table, row, 'resume_options');
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FleetStoreError(`${where(table, row)}: expected a JSON object in resume_options`);
  }
  const options: Record<string, string> = {};
  for (const [name, option] of Object.entries(value)) {
    if (typeof option !== 'string') {
      throw new FleetStoreError(
        `${where(table, row)}: expected text values in resume_options, found ${typeof option}`,
      );
    }
    options[name] = option;
  }
  return { resumeOptions: options };
}

export function toCampaignDevice(row: DbRow): CampaignDevice {
  const t = 'campaign_devices';
  return {
    campaignId: text(t, row, 'campaign_id'),
    deviceId: text(t, row, 'device_id'),
    deviceName: optionalText(t, row, 'device_name'),
    baselineSync: optionalText(t, row, 'baseline_sync'),
    phase: oneOf<DevicePhase>(t, row, 'phase', DEVICE_PHASES),
    postedAt: optionalText(t, row, 'posted_at'),
    lastSync: optionalText(t, row, 'last_sync'),
    compliantAt: optionalText(t, row, 'compliant_at'),
    error: optionalText(t, row, 'error'),
    updatedAt: text(t, row, 'updated_at'),
  };
}

export function toTriageRun(row: DbRow): TriageRun {
  const t = 'triage_runs';
  return {
    id: integer(t, row, 'id'),
    createdAt: text(t, row, 'created_at'),
    target: text(t, row, 'target'),
    ...tenantKey(t, row),
    summary: json(t, row, 'summary'),
  };
}

export function toTriageRow(row: DbRow): TriageRow {
  const t = 'triage_rows';
  const reasons = json(t, row, 'reasons');
  if (!Array.isArray(reasons) || !reasons.every((reason) => typeof reason === 'string')) {
    throw new FleetStoreError(`${where(t, row)}: expected a JSON array of strings in reasons`);
  }
  return {
    deviceId: text(t, row, 'device_id'),
    deviceName: optionalText(t, row, 'device_name'),
    azureAdDeviceId: optionalText(t, row, 'azure_ad_device_id'),
    triageClass: text(t, row, 'triage_class'),
    clearSafety: text(t, row, 'clear_safety'),
    lastSync: optionalText(t, row, 'last_sync'),
    reasons,
    facts: {
      manufacturer: optionalText(t, row, 'manufacturer') ?? UNKNOWN_FACT,
      model: optionalText(t, row, 'model') ?? UNKNOWN_FACT,
      tpmManufacturer: optionalText(t, row, 'tpm_manufacturer') ?? UNKNOWN_FACT,
      tpmVersion: optionalText(t, row, 'tpm_version') ?? UNKNOWN_FACT,
      firmware: optionalText(t, row, 'firmware') ?? UNKNOWN_FACT,
      settingErrors: settingErrors(t, row),
    },
  };
}

/** setting_errors: NULL in rows stored before schema 5 (no settings read then: none listed). */
function settingErrors(t: string, row: DbRow): SettingError[] {
  if (row.setting_errors === null || row.setting_errors === undefined) return [];
  const value = json(t, row, 'setting_errors');
  const valid =
    Array.isArray(value) &&
    value.every(
      (e: unknown) =>
        typeof e === 'object' &&
        e !== null &&
        ['setting', 'status', 'errorCode'].every(
          (k) => typeof (e as Record<string, unknown>)[k] === 'string',
        ),
    );
  if (!valid) {
    throw new FleetStoreError(
      `${where(t, row)}: expected a JSON array of {setting, status, errorCode} in setting_errors`,
    );
  }
  return (value as SettingError[]).map((e) => ({
    setting: e.setting,
    status: e.status,
    errorCode: e.errorCode,
  }));
}

/** The phase column of an aggregate row (phaseCounts). */
export function toDevicePhase(row: DbRow): DevicePhase {
  return oneOf<DevicePhase>('campaign_devices', row, 'phase', DEVICE_PHASES);
}

/** The integer in a COUNT(*) or similar aggregate column. */
export function toCount(row: DbRow, column: string): number {
  return integer('aggregate', row, column);
}

/** Every phase at 0, so a caller can read any phase's count without a fallback. */
export function emptyPhaseCounts(): Record<DevicePhase, number> {
  const counts = {} as Record<DevicePhase, number>;
  for (const phase of DEVICE_PHASES) counts[phase] = 0;
  return counts;
}
