import { redactThenTruncate } from '../../snapshot/redact-secrets.js';
import type { CsvTable } from './csv-table.js';
import type { BatchItemResult, BatchRequest, GraphClient, GraphVersion } from './graph-client.js';
import { GraphError } from './graph-error.js';
import {
  type BitlockerRecoveryKeyInfo,
  type BulkDeviceAction,
  type BulkManagedDeviceActionResult,
  type DeviceCompliancePolicyState,
  type DeviceComplianceSettingState,
  type DeviceHealthScript,
  type DeviceHealthScriptRunState,
  MANAGED_DEVICE_SELECT,
  type ManagedDevice,
  type ManagedDeviceDetails,
  type TpmRelatedSetting,
} from './graph-types.js';
import type { IntuneApi, Result } from './intune-api.js';
import { odataString, withQuery } from './odata-query.js';
import { exportReport, type ReportExportOptions, type ReportExportRequest } from './report-export.js';
import {
  expectEntity,
  expectObject,
  expectPage,
  isJsonObject,
  ResponseShapeError,
} from './response-shape.js';

/**
 * The most device ids tpm-doctor puts in one executeAction. The Graph page publishes no limit;
 * 100 is ours: it bounds the devices one lost answer leaves in doubt ("unconfirmed", never re-sent),
 * and one call paced as 100 writes fits half of the per-app write window (200 per 20 s).
 */
export const BULK_ACTION_MAX_DEVICES = 100;

const MANAGED_DEVICES = '/deviceManagement/managedDevices';
const HEALTH_SCRIPTS = '/deviceManagement/deviceHealthScripts';
const DETAILS_SELECT = 'id,hardwareInformation,deviceHealthAttestationState';
const RUN_STATE_SELECT =
  'id,detectionState,remediationState,lastStateUpdateDateTime,preRemediationDetectionScriptOutput,' +
  'preRemediationDetectionScriptError,remediationScriptError,postRemediationDetectionScriptOutput';
/**
 * The states that are not a problem; everything else is listed (docs/graph-calls.md call 4).
 * `not(state eq ...)`, not `ne`: Intune's documentation never shows `ne` on this collection.
 */
const NOT_A_PROBLEM_FILTER =
  "not(state eq 'compliant') and not(state eq 'notApplicable') and not(state eq 'notAssigned')";

/**
 * The Intune calls of docs/graph-calls.md, exactly, over GraphClient (which paces, retries, pages
 * and batches). Versions as listed there: v1.0 wherever Graph has the call, beta for
 * hardwareInformation and Remediations.
 */
export class IntuneClient implements IntuneApi {
  constructor(
    private readonly graph: GraphClient,
    private readonly exportOptions: ReportExportOptions = {},
  ) {}

  /** Call 1. */
  async *managedDevices(
    options: { filter?: string; pageSize?: number } = {},
  ): AsyncIterable<ManagedDevice[]> {
    const windows = `operatingSystem eq ${odataString('Windows')}`;
    const path = withQuery(MANAGED_DEVICES, {
      $filter: options.filter ? `${windows} and (${options.filter})` : windows,
      $select: MANAGED_DEVICE_SELECT.join(','),
      $top: String(options.pageSize ?? 1000),
    });
    yield* this.graph.pages('v1.0', path, (item) => expectEntity<ManagedDevice>(item, 'a managedDevice'));
  }

  /** Call 3, batched. */
  managedDevicesById(ids: readonly string[]): Promise<Map<string, Result<ManagedDevice>>> {
    return this.batchedGet('v1.0', ids, (id) =>
      withQuery(`${MANAGED_DEVICES}/${encodeURIComponent(id)}`, { $select: MANAGED_DEVICE_SELECT.join(',') }),
    ).then((answers) =>
      mapResults(answers, (body) => expectEntity<ManagedDevice>(singleEntity(body), 'a managedDevice')),
    );
  }

  /** Call 2, batched (beta: hardwareInformation is beta-only). */
  deviceDetails(ids: readonly string[]): Promise<Map<string, Result<ManagedDeviceDetails>>> {
    return this.batchedGet('beta', ids, (id) =>
      withQuery(`${MANAGED_DEVICES}/${encodeURIComponent(id)}`, { $select: DETAILS_SELECT }),
    ).then((answers) =>
      mapResults(answers, (body) => {
        const details = expectEntity<ManagedDeviceDetails>(
          singleEntity(body),
          'a managedDevice with details',
        );
        return {
          id: details.id,
          hardwareInformation: isJsonObject(details.hardwareInformation) ? details.hardwareInformation : null,
          deviceHealthAttestationState: isJsonObject(details.deviceHealthAttestationState)
            ? details.deviceHealthAttestationState
            : null,
        };
      }),
    );
  }

  /**
   * Call 4 (v1.0). A setting that no compliance policy in the tenant carries may have no summary
   * at all: Graph answers the first page 404, which means no device fails it, not an error.
   */
  async *nonCompliantSettingStates(
    setting: TpmRelatedSetting,
  ): AsyncIterable<DeviceComplianceSettingState[]> {
    const path = withQuery(
      `/deviceManagement/deviceCompliancePolicySettingStateSummaries/${encodeURIComponent(setting)}/deviceComplianceSettingStates`,
      { $filter: NOT_A_PROBLEM_FILTER },
    );
    let first = true;
    try {
      for await (const page of this.graph.pages('v1.0', path, (item) =>
        expectEntity<DeviceComplianceSettingState>(item, 'a deviceComplianceSettingState'),
      )) {
        first = false;
        yield page;
      }
    } catch (error) {
      if (first && error instanceof GraphError && error.status === 404) return;
      throw error;
    }
  }

  /** Call 14, batched (v1.0; settingStates are embedded in each policy state). */
  compliancePolicyStates(
    ids: readonly string[],
  ): Promise<Map<string, Result<DeviceCompliancePolicyState[]>>> {
    return this.batchedGet(
      'v1.0',
      ids,
      (id) => `${MANAGED_DEVICES}/${encodeURIComponent(id)}/deviceCompliancePolicyStates`,
    ).then((answers) =>
      mapResults(answers, (body) =>
        expectPage(body).value.map((item) => {
          const state = expectEntity<DeviceCompliancePolicyState>(item, 'a deviceCompliancePolicyState');
          if (!Array.isArray(state.settingStates)) {
            throw new ResponseShapeError(
              'a deviceCompliancePolicyState with a settingStates array',
              state.settingStates,
            );
          }
          return state;
        }),
      ),
    );
  }

  /**
   * Call 5, batched; a device with more keys than one page holds is continued with plain GETs of
   * its nextLink. Never selects `key`: the listing returns IDs only.
   */
  async recoveryKeyIds(
    azureAdDeviceIds: readonly string[],
  ): Promise<Map<string, Result<BitlockerRecoveryKeyInfo[]>>> {
    const answers = await this.batchedGet('v1.0', azureAdDeviceIds, (id) =>
      withQuery('/informationProtection/bitlocker/recoveryKeys', {
        $filter: `deviceId eq ${odataString(id)}`,
      }),
    );
    const parseKey = (item: unknown) => {
      const key = expectEntity<BitlockerRecoveryKeyInfo>(item, 'a bitlockerRecoveryKey');
      // volumeType decides whether a key covers the OS volume: a wrong type is bad data, never null.
      if (key.volumeType !== undefined && key.volumeType !== null && typeof key.volumeType !== 'string') {
        throw new ResponseShapeError(
          'a bitlockerRecoveryKey whose "volumeType" is a string or null',
          key.volumeType,
        );
      }
      return key;
    };
    const results = new Map<string, Result<BitlockerRecoveryKeyInfo[]>>();
    for (const [id, answer] of answers) {
      const first = toResult(answer, (body) => expectPage(body));
      if (!first.ok) {
        results.set(id, first);
        continue;
      }
      let keys: BitlockerRecoveryKeyInfo[];
      try {
        keys = first.value.value.map(parseKey);
      } catch (error) {
        results.set(id, {
          ok: false,
          status: 200,
          code: 'MalformedResponse',
          message: (error as Error).message,
        });
        continue;
      }
      if (first.value.nextLink) {
        for await (const page of this.graph.continuePages(first.value.nextLink, parseKey)) keys.push(...page);
      }
      results.set(id, { ok: true, value: keys });
    }
    return results;
  }

  /** Call 6: 204. */
  async syncDevice(id: string, beforeSend?: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    await this.graph.post('v1.0', `${MANAGED_DEVICES}/${encodeURIComponent(id)}/syncDevice`, {
      signal,
      beforeSend,
    });
  }

  /** Call 7: 204. */
  async rebootNow(id: string, beforeSend?: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    await this.graph.post('v1.0', `${MANAGED_DEVICES}/${encodeURIComponent(id)}/rebootNow`, {
      signal,
      beforeSend,
    });
  }

  /**
   * Call 19 (beta): executeAction, 200 with a bulkManagedDeviceActionResult. Counted against the
   * devices service's budget as one request and one write per device named: Microsoft publishes
   * neither how Graph counts it nor a limit of its own (docs/campaigns.md, "Bulk actions").
   */
  async executeDeviceAction(
    action: BulkDeviceAction,
    deviceIds: readonly string[],
    options: {
      admit?: (deviceIds: readonly string[]) => Promise<readonly string[]>;
      signal?: AbortSignal;
    } = {},
  ): Promise<{ sent: readonly string[]; result: BulkManagedDeviceActionResult }> {
    if (deviceIds.length === 0 || deviceIds.length > BULK_ACTION_MAX_DEVICES) {
      throw new RangeError(
        `executeAction takes 1 to ${BULK_ACTION_MAX_DEVICES} device ids, got ${deviceIds.length}`,
      );
    }
    let sent: readonly string[] = [...deviceIds];
    const admit = options.admit;
    const result = await this.graph.post('beta', `${MANAGED_DEVICES}/executeAction`, {
      body: { actionName: action, deviceIds: sent },
      cost: { requests: deviceIds.length, writes: deviceIds.length },
      parse: parseBulkActionResult,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(admit !== undefined
        ? {
            beforeSend: async () => {
              sent = [...(await admit(deviceIds))];
            },
            bodyAtSend: () => ({ actionName: action, deviceIds: sent }),
          }
        : {}),
    });
    if (result === undefined) {
      throw new GraphError({
        status: 204,
        code: 'MalformedResponse',
        message: 'expected a bulkManagedDeviceActionResult, got no body',
        requestId: null,
        method: 'POST',
        path: '/beta/deviceManagement/managedDevices/executeAction',
      });
    }
    return { sent, result };
  }

  /** Calls 16-18 (v1.0): a report export, created, polled and downloaded (report-export.ts). */
  exportReport(request: ReportExportRequest): Promise<CsvTable> {
    return exportReport(this.graph, request, this.exportOptions);
  }

  /** Call 8 (beta). Graph's eq is case-insensitive; the exact name wins when several match. */
  async findHealthScript(displayName: string): Promise<DeviceHealthScript | undefined> {
    const path = withQuery(HEALTH_SCRIPTS, { $filter: `displayName eq ${odataString(displayName)}` });
    let fallback: DeviceHealthScript | undefined;
    for await (const page of this.graph.pages('beta', path, (item) =>
      expectEntity<DeviceHealthScript>(item, 'a deviceHealthScript'),
    )) {
      for (const script of page) {
        if (script.displayName === displayName) return script;
        fallback ??= script;
      }
    }
    return fallback;
  }

  /** Call 8b (beta): one package by id; only this read carries the script bodies. */
  async healthScript(id: string): Promise<DeviceHealthScript | undefined> {
    try {
      return await this.graph.get('beta', `${HEALTH_SCRIPTS}/${encodeURIComponent(id)}`, {
        parse: (body) => expectEntity<DeviceHealthScript>(singleEntity(body), 'a deviceHealthScript'),
      });
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Call 9 (beta): 201 with the created script. */
  async createHealthScript(script: Omit<DeviceHealthScript, 'id'>): Promise<DeviceHealthScript> {
    const created = await this.graph.post('beta', HEALTH_SCRIPTS, {
      body: script,
      parse: (body) => expectEntity<DeviceHealthScript>(body, 'the created deviceHealthScript'),
    });
    if (!created)
      throw new Error('Graph answered the script upload without a body (expected 201 with the script)');
    return created;
  }

  /** Call 15 (beta): 204. A daily schedule, detection only (our package has no remediation script). */
  async assignHealthScript(scriptId: string, groupId: string): Promise<void> {
    await this.graph.post('beta', `${HEALTH_SCRIPTS}/${encodeURIComponent(scriptId)}/assign`, {
      body: {
        deviceHealthScriptAssignments: [
          {
            target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId },
            runRemediationScript: false,
            runSchedule: {
              '@odata.type': '#microsoft.graph.deviceHealthScriptDailySchedule',
              interval: 1,
              useUtc: false,
              time: '09:00:00',
            },
          },
        ],
      },
    });
  }

  /** Call 10 (beta): 204. */
  async runHealthScriptOnDevice(
    deviceId: string,
    scriptId: string,
    beforeSend?: () => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.graph.post(
      'beta',
      `${MANAGED_DEVICES}/${encodeURIComponent(deviceId)}/initiateOnDemandProactiveRemediation`,
      { body: { scriptPolicyId: scriptId }, signal, beforeSend },
    );
  }

  /** Call 11 (beta). */
  async *healthScriptRunStates(scriptId: string): AsyncIterable<DeviceHealthScriptRunState[]> {
    const path = withQuery(`${HEALTH_SCRIPTS}/${encodeURIComponent(scriptId)}/deviceRunStates`, {
      $select: RUN_STATE_SELECT,
      $expand: 'managedDevice($select=id)',
    });
    yield* this.graph.pages('beta', path, (item) =>
      expectEntity<DeviceHealthScriptRunState>(item, 'a deviceHealthScriptDeviceState'),
    );
  }

  /** One GET per distinct id, batched (call 12); answers keyed by id. */
  private batchedGet(
    version: GraphVersion,
    ids: readonly string[],
    pathFor: (id: string) => string,
  ): Promise<Map<string, BatchItemResult>> {
    const requests: BatchRequest[] = [...new Set(ids)].map((id) => ({
      key: id,
      method: 'GET',
      url: pathFor(id),
    }));
    return this.graph.batch(version, requests);
  }
}

/**
 * executeAction's answer: a bulkManagedDeviceActionResult, bare (OData's form of a single complex
 * value, with its @odata.context) or wrapped in "value" as on the Learn page's example
 * (test/contract/graph/execute-action.json). A list Graph leaves out is read as empty; one that is
 * not an array of strings is a malformed answer.
 */
function parseBulkActionResult(body: unknown): BulkManagedDeviceActionResult {
  let object = expectObject(body, 'a bulkManagedDeviceActionResult');
  const lists = [
    'successfulDeviceIds',
    'failedDeviceIds',
    'notFoundDeviceIds',
    'notSupportedDeviceIds',
  ] as const;
  if (lists.every((name) => object[name] === undefined) && isJsonObject(object.value)) object = object.value;
  const read = (name: (typeof lists)[number]): string[] => {
    const value = object[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
      throw new ResponseShapeError(`"${name}" to be an array of device ids`, value);
    }
    return value as string[];
  };
  return {
    successfulDeviceIds: read('successfulDeviceIds'),
    failedDeviceIds: read('failedDeviceIds'),
    notFoundDeviceIds: read('notFoundDeviceIds'),
    notSupportedDeviceIds: read('notSupportedDeviceIds'),
  };
}

/**
 * A single entity's body. Graph answers a GET of one entity with the entity itself; the generated
 * Intune examples on Microsoft Learn wrap it in `"value"` (test/contract/graph/*-get*.json), so a
 * body without an id whose `value` is an object is read as that object.
 */
function singleEntity(body: unknown): unknown {
  if (isJsonObject(body) && body.id === undefined && isJsonObject(body.value)) return body.value;
  return body;
}

function mapResults<T>(
  answers: Map<string, BatchItemResult>,
  parse: (body: unknown) => T,
): Map<string, Result<T>> {
  const results = new Map<string, Result<T>>();
  for (const [id, answer] of answers) results.set(id, toResult(answer, parse));
  return results;
}

/** A batch item as a Result: Graph's error for a non-2xx, MalformedResponse for a bad body. */
function toResult<T>(answer: BatchItemResult, parse: (body: unknown) => T): Result<T> {
  if (answer.status >= 200 && answer.status < 300) {
    try {
      return { ok: true, value: parse(answer.body) };
    } catch (error) {
      return {
        ok: false,
        status: answer.status,
        code: 'MalformedResponse',
        message: error instanceof Error ? error.message : String(error),
      };
    }
  }
  const error = isJsonObject(answer.body) && isJsonObject(answer.body.error) ? answer.body.error : {};
  // Graph's words go into reasons, warnings and the store: secrets out first, then bounded.
  return {
    ok: false,
    status: answer.status,
    code: typeof error.code === 'string' ? redactThenTruncate(error.code, 100) : `HTTP${answer.status}`,
    message:
      typeof error.message === 'string'
        ? redactThenTruncate(error.message, 1000)
        : `HTTP ${answer.status} inside $batch`,
  };
}
