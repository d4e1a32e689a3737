import { TpmDoctorError } from '../../errors.js';
import type { Messages } from '../../text/messages/catalog.js';
import { EVIDENCE_SCRIPT_NAME } from '../campaign/evidence-script.js';
import { GraphError } from '../graph/graph-error.js';
import type { GraphStats } from '../graph/graph-events.js';
import {
  type BitlockerRecoveryKeyInfo,
  type DeviceCompliancePolicyState,
  type DeviceComplianceSettingState,
  type ManagedDevice,
  type ManagedDeviceDetails,
  TPM_RELATED_SETTINGS,
} from '../graph/graph-types.js';
import type { IntuneApi, Result } from '../graph/intune-api.js';
import { ReportTooLargeError } from '../graph/report-export.js';
import {
  type ClassifyOptions,
  classifyDevice,
  DEFAULT_CLASSIFY_OPTIONS,
  type DeviceTriageInput,
  detailsMatter,
} from './classify-device.js';
import { hasEntraDeviceId } from './clear-safety.js';
import { complianceDetailReasons } from './compliance-detail.js';
import { type DeviceEvidence, readDeviceEvidence } from './device-evidence.js';
import type { SettingError } from './device-facts.js';
import { type FleetExports, readFleetExports } from './fleet-exports.js';
import type { TriageResult } from './triage-result.js';
import { type TriageSummary, TriageTally } from './triage-summary.js';

/** The Remediations script package whose detection output is tpm-doctor's compact evidence. */

export interface TriageProgress {
  /** Devices listed so far. */
  listed: number;
  /** Devices classified and emitted. */
  classified: number;
  /** Devices whose per-device details were fetched. */
  detailsFetched: number;
  /** Devices waiting for details or an escrow check. */
  queued: number;
}

export interface TriageRunOptions extends Partial<ClassifyOptions> {
  /** Called once per device, healthy ones included, in listing order per chunk; awaited (backpressure). */
  onResult: (result: TriageResult) => void | Promise<void>;
  onProgress?: (progress: TriageProgress) => void;
  /**
   * The admin's language, for the words of the human reports (a device's own step); the class,
   * the JSON and the CSV do not depend on it. English by default.
   */
  messages?: Messages;
  /** The time classification is relative to (default: when the run starts). */
  now?: Date;
  /** The Remediations script to read evidence from (default 'tpm-doctor evidence'). */
  evidenceScriptName?: string;
  /**
   * How many devices wait before their details and escrow are fetched together (default 200).
   * IntuneApi batches them by 20 per $batch; a larger queue means fewer, fuller batches.
   */
  queueSize?: number;
  /** managedDevices page size (default: the client's, 1000). */
  pageSize?: number;
  /** The Graph client's counters, read at the end for the summary. */
  requestStats?: () => GraphStats;
  /**
   * Read the fleet's failing settings (with Intune's error codes) and its hardware inventory from
   * two report exports (fleet-exports.ts) instead of the per-setting listings and the per-device
   * policy states. When Graph refuses the exports (403) or one fails, triage says so once in its
   * warnings and reads them per call, as without this option.
   */
  reportExports?: boolean;
}

/** A Graph answer triage cannot use (a device without an id, a setting state without a device). */
export class TriageInputError extends TpmDoctorError {
  constructor(message: string) {
    super('fleet-triage-input', message);
  }
}

/** Setting states that are not failures (Graph's filter should leave them out; checked anyway). */
const NOT_FAILING = new Set(['compliant', 'notApplicable', 'notAssigned', 'remediated']);

interface Pending {
  input: DeviceTriageInput;
  needsDetails: boolean;
}

/**
 * `tpm-doctor fleet triage`: classifies every Windows device in the tenant, streaming.
 *
 * Graph's budget (2,000 requests per 20 s per app, Intune service limits) makes one request per
 * device cost minutes at fleet scale, so the healthy majority is classified from list fields:
 * (a) the tenant-wide non-compliant setting states for each TPM-related setting (a few pages)
 *     give the devices that fail one;
 * (b) the Remediations run states of the evidence script (pages) give the devices' own diagnoses;
 * (c) managedDevices pages are streamed: a device with no failing TPM setting is classified and
 *     emitted at once; the others are queued;
 * (d) queued devices get their details (hardwareInformation, health attestation) and, when a clear
 *     is the remedy, their BitLocker recovery key IDs, in batches, and are then emitted.
 * Only the failing devices and evidence digests are held; healthy devices are emitted and counted.
 */
export async function triageFleet(api: IntuneApi, options: TriageRunOptions): Promise<TriageSummary> {
  const startedAt = new Date();
  const now = options.now ?? startedAt;
  const classify: ClassifyOptions = {
    staleSyncDays: options.staleSyncDays ?? DEFAULT_CLASSIFY_OPTIONS.staleSyncDays,
    attestationStaleDays: options.attestationStaleDays ?? DEFAULT_CLASSIFY_OPTIONS.attestationStaleDays,
    evidenceMaxAgeDays: options.evidenceMaxAgeDays ?? DEFAULT_CLASSIFY_OPTIONS.evidenceMaxAgeDays,
  };
  const queueSize = Math.max(1, options.queueSize ?? 200);
  const warnings: string[] = [];
  const tally = new TriageTally(now);
  const progress: TriageProgress = { listed: 0, classified: 0, detailsFetched: 0, queued: 0 };
  const lookups = { details: 0, detailsFailed: 0, recoveryKeys: 0, recoveryKeysFailed: 0 };

  const exports = options.reportExports ? await fleetExports(api, warnings) : undefined;
  const failing = exports?.failing ?? (await failingSettingsByDevice(api));
  const evidence = await evidenceByDevice(
    api,
    options.evidenceScriptName ?? EVIDENCE_SCRIPT_NAME,
    now,
    warnings,
    options.messages,
  );

  const emit = async (result: TriageResult) => {
    await options.onResult(result);
    tally.add(result);
    progress.classified++;
  };

  let queue: Pending[] = [];
  const flush = async () => {
    const batch = queue;
    queue = [];
    await completeQueued(api, batch, now, classify, lookups, warnings, emit, exports);
    progress.detailsFetched = lookups.details;
    progress.queued = 0;
    options.onProgress?.({ ...progress });
  };

  for await (const page of api.managedDevices(
    options.pageSize === undefined ? {} : { pageSize: options.pageSize },
  )) {
    if (!Array.isArray(page)) {
      throw new TriageInputError(
        `managedDevices: expected a page (an array of managedDevice), found ${typeof page}`,
      );
    }
    for (const raw of page) {
      const device = checkManagedDevice(raw);
      progress.listed++;
      // The exports key devices by lower-case id (a GUID's case is not significant); the lists by id.
      const key = exports === undefined ? device.id : device.id.toLowerCase();
      const input: DeviceTriageInput = {
        device,
        failingSettings: failing.get(key) ?? [],
        evidence: evidence.byDevice.get(device.id),
        ...(exports === undefined
          ? {}
          : { inventory: exports.inventory.get(key), settingErrors: exports.errors.get(key) ?? [] }),
      };
      const first = classifyDevice(input, now, classify);
      const needsDetails = detailsMatter(input, now, classify);
      if (!needsDetails && first.escrow !== 'not-checked') {
        await emit(first);
        continue;
      }
      queue.push({ input, needsDetails });
      if (queue.length >= queueSize) await flush();
    }
    progress.queued = queue.length;
    options.onProgress?.({ ...progress });
  }
  if (queue.length > 0) await flush();

  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: classify,
    devices: tally.devices,
    needingAction: tally.needingAction,
    byClass: tally.byClass,
    byClearSafety: tally.byClearSafety,
    lastSyncAge: tally.lastSyncAge,
    evidence: {
      scriptFound: evidence.scriptFound,
      devicesWithOutput: evidence.byDevice.size,
      unreadable: evidence.unreadable,
    },
    lookups,
    graphRequests: options.requestStats?.() ?? null,
    warnings,
  };
}

/**
 * The two report exports, or undefined (with one warning) when Graph refuses them, one is larger
 * than the reader keeps, or one fails: triage then reads the same facts per call.
 */
async function fleetExports(api: IntuneApi, warnings: string[]): Promise<FleetExports | undefined> {
  try {
    return await readFleetExports(api);
  } catch (e) {
    const why =
      e instanceof GraphError && e.status === 403
        ? 'Graph refused the report exports (403: the app may not export reports)'
        : e instanceof ReportTooLargeError
          ? e.message
          : `the report exports failed (${errorText(e)})`;
    warnings.push(
      `${why}: triage read the failing settings per setting and their error codes per device instead.`,
    );
    return undefined;
  }
}

/** (a) deviceId → its failing TPM-related setting states, one listing per setting, tenant-wide. */
async function failingSettingsByDevice(api: IntuneApi): Promise<Map<string, DeviceComplianceSettingState[]>> {
  const byDevice = new Map<string, DeviceComplianceSettingState[]>();
  for (const setting of TPM_RELATED_SETTINGS) {
    for await (const page of api.nonCompliantSettingStates(setting)) {
      for (const state of page) {
        if (typeof state?.deviceId !== 'string' || state.deviceId === '' || typeof state.state !== 'string') {
          throw new TriageInputError(
            `${setting} setting states: expected each state to have a deviceId and a state (strings), found ${describeGraphValue(state)}`,
          );
        }
        if (NOT_FAILING.has(state.state)) continue;
        const list = byDevice.get(state.deviceId) ?? [];
        // Several policies may carry the same setting: one entry per setting is enough.
        if (!list.some((s) => s.setting === state.setting))
          list.push({ ...state, setting: state.setting ?? setting });
        byDevice.set(state.deviceId, list);
      }
    }
  }
  return byDevice;
}

/**
 * (b) deviceId → the device's own diagnosis, from the evidence script's run states. Evidence is
 * optional: no script, or a failure reading it, leaves triage on Intune's data with a warning.
 */
async function evidenceByDevice(
  api: IntuneApi,
  scriptName: string,
  now: Date,
  warnings: string[],
  messages: Messages | undefined,
): Promise<{
  scriptFound: boolean;
  unreadable: number;
  byDevice: Map<string, DeviceEvidence | { error: string }>;
}> {
  const byDevice = new Map<string, DeviceEvidence | { error: string }>();
  let unreadable = 0;
  let scriptId: string;
  try {
    const script = await api.findHealthScript(scriptName);
    if (script === undefined) {
      warnings.push(
        `No Remediations script named '${scriptName}' in the tenant: triage used Intune's data only (deploy it with tpm-doctor fleet remediate for device-level diagnoses).`,
      );
      return { scriptFound: false, unreadable, byDevice };
    }
    scriptId = script.id;
  } catch (e) {
    warnings.push(
      `The Remediations script could not be looked up (${errorText(e)}): triage used Intune's data only.`,
    );
    return { scriptFound: false, unreadable, byDevice };
  }
  try {
    for await (const page of api.healthScriptRunStates(scriptId)) {
      for (const state of page) {
        const deviceId = state?.managedDevice?.id ?? deviceIdFromRunStateId(state?.id);
        const output = state?.preRemediationDetectionScriptOutput;
        if (deviceId === null || typeof output !== 'string' || output.trim() === '') continue;
        try {
          byDevice.set(
            deviceId,
            readDeviceEvidence(output, `Remediations output of device ${deviceId}`, now, messages),
          );
        } catch (e) {
          unreadable++;
          byDevice.set(deviceId, { error: errorText(e) });
        }
      }
    }
  } catch (e) {
    warnings.push(
      `Reading the Remediations run states stopped (${errorText(e)}): ${byDevice.size} devices' evidence was read, the rest were triaged from Intune's data.`,
    );
  }
  return { scriptFound: true, unreadable, byDevice };
}

/** deviceHealthScriptDeviceState ids are "{scriptId}:{deviceId}" when managedDevice is not expanded. */
function deviceIdFromRunStateId(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const colon = id.lastIndexOf(':');
  return colon === -1 || colon === id.length - 1 ? null : id.slice(colon + 1);
}

/** (d) Details for the devices whose class depends on them, then escrow where a clear is the remedy. */
async function completeQueued(
  api: IntuneApi,
  batch: Pending[],
  now: Date,
  classify: ClassifyOptions,
  lookups: TriageSummary['lookups'],
  warnings: string[],
  emit: (result: TriageResult) => Promise<void>,
  exports: FleetExports | undefined,
): Promise<void> {
  const detailIds = batch.filter((p) => p.needsDetails).map((p) => p.input.device.id);
  if (detailIds.length > 0) {
    const details = await readBatch(
      () => api.deviceDetails(detailIds),
      detailIds,
      'device details',
      warnings,
    );
    for (const p of batch) {
      if (!p.needsDetails) continue;
      const answer = details.get(p.input.device.id) ?? missingAnswer<ManagedDeviceDetails>();
      p.input = { ...p.input, details: answer };
      lookups.details++;
      if (!answer.ok) lookups.detailsFailed++;
    }
  }
  // The policy states behind each failing TPM setting (error code, current value), for the reasons;
  // the settings export already gave the error codes.
  const policyIds =
    exports === undefined
      ? batch.filter((p) => p.input.failingSettings.length > 0).map((p) => p.input.device.id)
      : [];
  const policies =
    policyIds.length > 0
      ? await readBatch(
          () => api.compliancePolicyStates(policyIds),
          policyIds,
          'compliance policy states',
          warnings,
        )
      : new Map<string, Result<DeviceCompliancePolicyState[]>>();
  if (exports === undefined) {
    for (const p of batch) {
      const states = policies.get(p.input.device.id);
      if (states?.ok === true) p.input = { ...p.input, settingErrors: policySettingErrors(states.value) };
    }
  }
  const results = batch.map((p) => ({ p, result: classifyDevice(p.input, now, classify) }));
  const keyIds = [
    ...new Set(
      results
        .filter(({ result }) => result.escrow === 'not-checked' && hasEntraDeviceId(result.azureAdDeviceId))
        .map(({ result }) => result.azureAdDeviceId as string),
    ),
  ];
  if (keyIds.length > 0) {
    const keys = await readBatch(() => api.recoveryKeyIds(keyIds), keyIds, 'recovery key IDs', warnings);
    for (const entry of results) {
      if (entry.result.escrow !== 'not-checked' || entry.result.azureAdDeviceId === null) continue;
      const answer = keys.get(entry.result.azureAdDeviceId) ?? missingAnswer<BitlockerRecoveryKeyInfo[]>();
      lookups.recoveryKeys++;
      if (!answer.ok) lookups.recoveryKeysFailed++;
      entry.p.input = { ...entry.p.input, recoveryKeys: answer };
      entry.result = classifyDevice(entry.p.input, now, classify);
    }
  }
  for (const { p, result } of results) {
    const detail =
      exports === undefined
        ? complianceDetailReasons(policies.get(p.input.device.id), result.failingSettings)
        : exportedDetailReasons(result.facts.settingErrors);
    await emit(detail.length > 0 ? { ...result, reasons: [...result.reasons, ...detail] } : result);
  }
}

/** Error codes of the settings that do not comply, from a device's policy states (call 14). */
function policySettingErrors(states: readonly DeviceCompliancePolicyState[]): SettingError[] {
  const errors: SettingError[] = [];
  for (const policy of states) {
    for (const setting of policy.settingStates) {
      if (setting.state === 'compliant' || errors.some((e) => e.setting === setting.setting)) continue;
      errors.push({
        setting: setting.setting,
        status: setting.state,
        errorCode: setting.errorCode === null ? 'unknown' : String(setting.errorCode),
      });
    }
  }
  return errors;
}

/** One line per failing setting the settings export gave an error code for, as the reasons carry them. */
function exportedDetailReasons(errors: readonly SettingError[]): string[] {
  return errors
    .filter((e) => e.errorCode !== 'unknown' && e.errorCode !== '0')
    .map((e) => `${e.setting}: ${e.status}, error ${e.errorCode} (report export)`);
}

/**
 * A batched read. The client retries what can be retried; if the whole call still fails, every
 * device in it gets the error as its answer (classified `unknown` where it mattered) rather than
 * losing the run.
 */
async function readBatch<T>(
  read: () => Promise<Map<string, Result<T>>>,
  ids: readonly string[],
  what: string,
  warnings: string[],
): Promise<Map<string, Result<T>>> {
  try {
    return await read();
  } catch (e) {
    const message = errorText(e);
    warnings.push(`Reading ${what} for ${ids.length} devices failed: ${message}`);
    // Graph's code, as a device's own failed answer carries it (Result, intune-api.ts).
    const code = e instanceof GraphError ? e.graphCode : 'error';
    return new Map(ids.map((id) => [id, { ok: false, status: 0, code, message }]));
  }
}

function missingAnswer<T>(): Result<T> {
  return { ok: false, status: 0, code: 'missing', message: 'the device was not in the batch answer' };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What kind of value Graph sent where another was expected, without its content: the content is
 * the tenant's (names, possibly an echoed secret) and would reach a terminal and the logs.
 */
function describeGraphValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with ${keys.length} properties`;
  }
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `a ${typeof value}`;
}

/** The list fields triage relies on, checked so a malformed page fails clearly, not silently. */
function checkManagedDevice(value: unknown): ManagedDevice {
  const v = value as Partial<ManagedDevice> | null;
  if (typeof v !== 'object' || v === null || typeof v.id !== 'string' || v.id === '') {
    throw new TriageInputError(
      `managedDevices: expected a managedDevice with a string id, found ${describeGraphValue(value)}`,
    );
  }
  if (typeof v.complianceState !== 'string') {
    throw new TriageInputError(
      `managedDevices: device ${v.id}: expected complianceState to be a string, found ${typeof v.complianceState}`,
    );
  }
  for (const key of ['lastSyncDateTime', 'deviceName', 'azureADDeviceId', 'userPrincipalName'] as const) {
    const f = v[key];
    if (f !== undefined && f !== null && typeof f !== 'string') {
      throw new TriageInputError(
        `managedDevices: device ${v.id}: expected ${key} to be a string or null, found ${typeof f}`,
      );
    }
  }
  return {
    ...(v as ManagedDevice),
    deviceName: v.deviceName ?? null,
    azureADDeviceId: v.azureADDeviceId ?? null,
    lastSyncDateTime: v.lastSyncDateTime ?? null,
    isEncrypted: v.isEncrypted ?? null,
    userPrincipalName: v.userPrincipalName ?? null,
  };
}
