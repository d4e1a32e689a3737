/**
 * What both backends write, prepared once: arguments checked (a wrong value is a clear error
 * saying what was expected, before anything is written), free text redacted
 * (src/snapshot/redact-secrets.ts), JSON serialised. The backends only bind these values.
 */
import { redact, redactJsonValue } from '../../snapshot/redact-secrets.js';
import { factText, UNKNOWN_FACT } from '../triage/device-facts.js';
import type {
  CampaignStatus,
  DevicePhase,
  GraphWrite,
  GraphWriteRecord,
  GraphWriteRecords,
  NewCampaign,
  PhaseChange,
  TriageRow,
} from './fleet-store.js';
import { CAMPAIGN_ACTIONS, CAMPAIGN_STATUSES, DEVICE_PHASES } from './schema.js';
import { FleetStoreError } from './store-error.js';

/**
 * Text as both backends can hold it, the same in both. PostgreSQL's text types cannot store the
 * character with code zero (PostgreSQL manual §8.3, "Character Types"), and neither backend can
 * store a lone UTF-16 surrogate (UTF-8 has no encoding for one; each driver substitutes its own
 * way). A device name from Graph may carry either: each is stored as U+FFFD (the Unicode
 * replacement character), so one odd name never fails a whole triage and both stores keep the
 * same values.
 */
/** Redacted optional text: null stays null. */
function redactOptionalText(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : redact(text);
}

function storable(text: string): string {
  return text.replace(
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

function requireText(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new FleetStoreError(`${what}: expected a non-empty string, got ${describeValue(value)}`);
  }
  return storable(value);
}

function requireOptionalText(what: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') {
    throw new FleetStoreError(`${what}: expected a string or null, got ${describeValue(value)}`);
  }
  return storable(value);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'an empty string' : `a ${typeof value}`;
}

function requirePhase(what: string, value: unknown): DevicePhase {
  if (typeof value !== 'string' || !(DEVICE_PHASES as readonly string[]).includes(value)) {
    throw new FleetStoreError(`${what}: expected one of ${DEVICE_PHASES.join(', ')}, got ${String(value)}`);
  }
  return value as DevicePhase;
}

export function requireRunId(runId: unknown): number {
  if (typeof runId !== 'number' || !Number.isSafeInteger(runId) || runId <= 0) {
    throw new FleetStoreError(`triage run id: expected a positive integer, got ${String(runId)}`);
  }
  return runId;
}

export interface CampaignInsert {
  /** id, action, status, target, tenant_key, selection, created_at, updated_at, deadline, resume_options */
  campaign: [string, string, string, string, string | null, string, string, string, string, string | null];
  /** campaign_id, device_id, device_name, baseline_sync, phase, updated_at per device. */
  devices: Array<[string, string, string | null, string | null, DevicePhase, string]>;
}

/** A new campaign's rows: the campaign `running`, every device `pending`. */
export function campaignInsert(campaign: NewCampaign, now: string): CampaignInsert {
  const id = requireText('campaign id', campaign.id);
  if (!(CAMPAIGN_ACTIONS as readonly string[]).includes(campaign.action)) {
    throw new FleetStoreError(
      `campaign ${id} action: expected one of ${CAMPAIGN_ACTIONS.join(', ')}, got ${String(campaign.action)}`,
    );
  }
  if (!Array.isArray(campaign.devices)) {
    throw new FleetStoreError(
      `campaign ${id} devices: expected an array, got ${describeValue(campaign.devices)}`,
    );
  }
  const seen = new Set<string>();
  const devices = campaign.devices.map((device, index) => {
    const deviceId = requireText(`campaign ${id} device ${index} deviceId`, device?.deviceId);
    if (seen.has(deviceId)) {
      throw new FleetStoreError(
        `campaign ${id}: device ${deviceId} is listed twice; expected each device once`,
      );
    }
    seen.add(deviceId);
    const deviceName = requireOptionalText(`campaign ${id} device ${deviceId} deviceName`, device.deviceName);
    const baseline = requireOptionalText(
      `campaign ${id} device ${deviceId} baselineSync`,
      device.baselineSync,
    );
    return [id, deviceId, redactOptionalText(deviceName), baseline, 'pending', now] as [
      string,
      string,
      string | null,
      string | null,
      DevicePhase,
      string,
    ];
  });
  return {
    campaign: [
      id,
      campaign.action,
      'running',
      redact(requireText(`campaign ${id} target`, campaign.target)),
      optionalTenantKey(`campaign ${id} tenantKey`, campaign.tenantKey),
      redact(requireOptionalText(`campaign ${id} selection`, campaign.selection) ?? ''),
      now,
      now,
      requireText(`campaign ${id} deadline`, campaign.deadline),
      resumeOptionsJson(id, campaign.resumeOptions),
    ],
    devices,
  };
}

/**
 * A campaign's resume options as stored: JSON of option names to values, redacted, or null. The
 * caller gives only connection options that are no secret (resume-command-line.ts); a value that
 * looks like one is still redacted (src/snapshot/redact-secrets.ts).
 */
function resumeOptionsJson(id: string, options: unknown): string | null {
  if (options === undefined || options === null) return null;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new FleetStoreError(
      `campaign ${id} resumeOptions: expected an object, got ${describeValue(options)}`,
    );
  }
  const stored: Record<string, string> = {};
  for (const [name, value] of Object.entries(options)) {
    if (!/^[a-z][a-z-]*$/.test(name)) {
      throw new FleetStoreError(
        `campaign ${id} resumeOptions: expected option names such as client-id, got ${JSON.stringify(name)}`,
      );
    }
    stored[name] = redact(requireText(`campaign ${id} resumeOptions.${name}`, value));
  }
  return JSON.stringify(stored);
}

/** How long a Graph write is kept (schema 6): far past any window of Graph's (20 s for Intune). */
const GRAPH_WRITES_KEPT_MS = 3_600_000;

/**
 * How far after now a stored Graph write may be dated: another machine writing the same store may
 * run a little ahead. A row dated later is deleted on read (FleetStore.graphWritesSince).
 */
const GRAPH_WRITES_FUTURE_SKEW_MS = 300_000;

/** The latest sent_at a Graph write row read now may have; later rows are deleted. */
export function latestGraphWriteTime(): string {
  return new Date(Date.now() + GRAPH_WRITES_FUTURE_SKEW_MS).toISOString();
}

/**
 * The stored rows (sent_at, writes) as records, without the rows whose count is not a positive
 * safe integer (a hand-edited row): never a value that throws or sizes an allocation. `ignored`
 * counts those and the `deletedFuture` rows.
 */
export function graphWriteRecords(
  rows: readonly { sent_at?: unknown; writes?: unknown }[],
  deletedFuture: number,
): GraphWriteRecords {
  const records: GraphWriteRecord[] = [];
  let ignored = deletedFuture;
  for (const row of rows) {
    const writes = Number(row.writes);
    if (!Number.isSafeInteger(writes) || writes <= 0) ignored += 1;
    else records.push({ sentAt: String(row.sent_at), writes });
  }
  return { records, ignored };
}

/** A Graph write's row (target, tenant_key, service, writes, sent_at) and the time before which rows are deleted. */
export function graphWriteValues(write: GraphWrite): {
  row: [string, string | null, string, number, string];
  deleteBefore: string;
} {
  const sentAt = requireText('graph write sentAt', write.sentAt);
  const at = Date.parse(sentAt);
  if (Number.isNaN(at)) throw new FleetStoreError(`graph write sentAt: expected an ISO time, got ${sentAt}`);
  if (!Number.isSafeInteger(write.writes) || write.writes <= 0) {
    throw new FleetStoreError(`graph write writes: expected a positive integer, got ${String(write.writes)}`);
  }
  return {
    row: [
      redact(requireText('graph write target', write.target)),
      optionalTenantKey('graph write tenantKey', write.tenantKey),
      requireText('graph write service', write.service),
      write.writes,
      new Date(at).toISOString(),
    ],
    // Never after now: a record dated in the future (a clock ahead) must not delete the others.
    deleteBefore: new Date(Math.min(at, Date.now()) - GRAPH_WRITES_KEPT_MS).toISOString(),
  };
}

/** The campaign columns set after creation, one at a time. */
export type CampaignColumn = 'status' | 'script_id' | 'deadline';

/**
 * The WHERE condition, on a campaign_devices row, that its campaign is not abandoned: a change to
 * `posting` carries it, so no device of an abandoned campaign is posted again, even by a runner
 * that started before `fleet abandon` (schema.ts, migration 4).
 */
export const NOT_ABANDONED =
  "NOT EXISTS (SELECT 1 FROM campaigns WHERE campaigns.id = campaign_devices.campaign_id AND campaigns.status = 'abandoned')";

export function campaignStatusValue(id: string, status: unknown): CampaignStatus {
  if (typeof status !== 'string' || !(CAMPAIGN_STATUSES as readonly string[]).includes(status)) {
    throw new FleetStoreError(
      `campaign ${id} status: expected one of ${CAMPAIGN_STATUSES.join(', ')}, got ${String(status)}`,
    );
  }
  return status as CampaignStatus;
}

/** A deadline as stored: an ISO 8601 time as toISOString() writes it (times sort as text). */
export function campaignDeadline(id: string, deadline: unknown): string {
  if (
    typeof deadline !== 'string' ||
    Number.isNaN(Date.parse(deadline)) ||
    new Date(deadline).toISOString() !== deadline
  ) {
    throw new FleetStoreError(
      `campaign ${id} deadline: expected an ISO time as toISOString() writes it, got ${String(deadline)}`,
    );
  }
  return deadline;
}

/** The optional columns a phase change may set, and the PhaseChange field each comes from. */
const OPTIONAL_COLUMNS = [
  ['posted_at', 'postedAt'],
  ['last_sync', 'lastSync'],
  ['compliant_at', 'compliantAt'],
  ['error', 'error'],
] as const;

export interface PhaseUpdate {
  deviceId: string;
  from: DevicePhase[];
  to: DevicePhase;
  /** Columns to set besides phase and updated_at, with their values (absent fields stay as they are). */
  set: Array<[column: string, value: string | null]>;
}

/** One change checked and prepared: `undefined` fields are left alone, `null` clears them. */
export function phaseUpdate(campaignId: string, change: PhaseChange): PhaseUpdate {
  const deviceId = requireText(`campaign ${campaignId} phase change deviceId`, change?.deviceId);
  const what = `campaign ${campaignId} device ${deviceId}`;
  if (!Array.isArray(change.from)) {
    throw new FleetStoreError(
      `${what} change.from: expected an array of phases, got ${describeValue(change.from)}`,
    );
  }
  const from = change.from.map((phase) => requirePhase(`${what} change.from`, phase));
  const to = requirePhase(`${what} change.to`, change.to);
  const set: Array<[string, string | null]> = [];
  for (const [column, field] of OPTIONAL_COLUMNS) {
    const value = change[field];
    if (value === undefined) continue;
    const checked = requireOptionalText(`${what} change.${field}`, value);
    // The error is Graph's code and message: redacted, since a message can quote a request.
    set.push([column, column === 'error' ? redactOptionalText(checked) : checked]);
  }
  return { deviceId, from, to, set };
}

/**
 * device_id, device_name, azure_ad_device_id, triage_class, clear_safety, last_sync, reasons,
 * manufacturer, model, tpm_manufacturer, tpm_version, firmware, setting_errors
 */
export type TriageRowValues = [
  string,
  string | null,
  string | null,
  string,
  string,
  string | null,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];

/**
 * A fact as stored: Graph's text, redacted (it reaches the console and logs) and bounded as triage
 * reads it (factText: no control characters, at most 200 characters, which the console's filter
 * accepts, whoever wrote the row); `unknown` when absent.
 */
function factValue(what: string, value: unknown): string {
  if (value === undefined) return UNKNOWN_FACT;
  return factText(redact(requireText(what, value)));
}

function settingErrorsJson(what: string, value: unknown): string {
  if (value === undefined) return '[]';
  if (!Array.isArray(value)) throw new FleetStoreError(`${what}: expected an array`);
  return JSON.stringify(
    value.map((e: unknown, i: number) => {
      const entry = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
      return {
        setting: factValue(`${what}[${i}].setting`, entry.setting),
        status: factValue(`${what}[${i}].status`, entry.status),
        errorCode: factValue(`${what}[${i}].errorCode`, entry.errorCode),
      };
    }),
  );
}

/**
 * A chunk's rows as values, one per device: when a device comes twice (a paged listing can
 * repeat a device that moved between pages), the later row wins, as it would in one upsert.
 */
export function triageRowValues(runId: number, rows: readonly TriageRow[]): TriageRowValues[] {
  if (!Array.isArray(rows)) {
    throw new FleetStoreError(`triage run ${runId} rows: expected an array, got ${describeValue(rows)}`);
  }
  const byDevice = new Map<string, TriageRowValues>();
  rows.forEach((row, index) => {
    const deviceId = requireText(`triage run ${runId} row ${index} deviceId`, row?.deviceId);
    const what = `triage run ${runId} device ${deviceId}`;
    if (!Array.isArray(row.reasons) || !row.reasons.every((reason: unknown) => typeof reason === 'string')) {
      throw new FleetStoreError(`${what} reasons: expected an array of strings`);
    }
    byDevice.delete(deviceId);
    byDevice.set(deviceId, [
      deviceId,
      redactOptionalText(requireOptionalText(`${what} deviceName`, row.deviceName)),
      requireOptionalText(`${what} azureAdDeviceId`, row.azureAdDeviceId),
      requireText(`${what} triageClass`, row.triageClass),
      requireText(`${what} clearSafety`, row.clearSafety),
      requireOptionalText(`${what} lastSync`, row.lastSync),
      JSON.stringify(row.reasons.map(redact)),
      factValue(`${what} facts.manufacturer`, row.facts?.manufacturer),
      factValue(`${what} facts.model`, row.facts?.model),
      factValue(`${what} facts.tpmManufacturer`, row.facts?.tpmManufacturer),
      factValue(`${what} facts.tpmVersion`, row.facts?.tpmVersion),
      factValue(`${what} facts.firmware`, row.facts?.firmware),
      settingErrorsJson(`${what} facts.settingErrors`, row.facts?.settingErrors),
    ]);
  });
  return [...byDevice.values()];
}

/** A run's summary as JSON text, redacted; `undefined` is stored as null. */
export function summaryJson(runId: number, summary: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(redactJsonValue(summary ?? null));
  } catch (error) {
    throw new FleetStoreError(
      `triage run ${runId} summary: expected a JSON-able value (${error instanceof Error ? error.message : 'not serialisable'})`,
    );
  }
  if (text === undefined) {
    throw new FleetStoreError(
      `triage run ${runId} summary: expected a JSON-able value, got a ${typeof summary}`,
    );
  }
  return text;
}

/** Where a triage run read its devices (Graph base URL and tenant id), checked and redacted. */
export function triageTarget(target: string): string {
  return redact(requireText('triage target', target));
}

/** A tenant key as stored: null when not known (a record of an older build reads as null too). */
export function optionalTenantKey(what: string, key: string | undefined | null): string | null {
  return key === undefined || key === null ? null : redact(requireText(what, key));
}

/** `now` for every timestamp the store writes itself. */
export function nowIso(): string {
  return new Date().toISOString();
}
