import { MANAGED_DEVICE_SELECT } from '../../fleet/graph/graph-types.js';
import type { BulkActions } from './bulk-actions.js';
import type { DeviceSimulation } from './device-simulation.js';
import { isLabSetting, LAB_SETTINGS } from './fleet-mix.js';
import { badRequest, GraphError, notFound } from './graph-error.js';
import type { GraphViews } from './graph-views.js';
import {
  checkFilter,
  checkSelect,
  makeSkipToken,
  matchesFilter,
  type ODataQuery,
  parseODataQuery,
  pick,
} from './odata-query.js';
import type { ReportExports } from './report-exports.js';
import type { ScriptCatalog } from './script-catalog.js';

export type GraphVersion = 'v1.0' | 'beta';

/** One Graph request, on its own or from inside a $batch, with the path after the version. */
export interface GraphRequest {
  method: string;
  version: GraphVersion;
  /** "/deviceManagement/managedDevices", without the version and without the query. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  body: unknown;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface RouteContext {
  devices: DeviceSimulation;
  scripts: ScriptCatalog;
  views: GraphViews;
  /** Report export jobs (calls 16-18). */
  exports: ReportExports;
  /** executeAction's calls and its refusal fault (call 19). */
  bulkActions: BulkActions;
  /** The lab's base URL ("http://127.0.0.1:PORT"): nextLinks and @odata.context are absolute under it. */
  baseUrl: string;
  /** The most items a page holds (Graph: 1,000 for managedDevices). */
  pageSize: number;
}

/** POST, PUT, PATCH and DELETE count against Intune's write limit (graph-limits.ts). */
export function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

const LIST_DEVICE_PROPERTIES = [
  ...MANAGED_DEVICE_SELECT,
  'hardwareInformation',
  'deviceHealthAttestationState',
];
const RUN_STATE_PROPERTIES = [
  'id',
  'detectionState',
  'remediationState',
  'lastStateUpdateDateTime',
  'lastSyncDateTime',
  'preRemediationDetectionScriptOutput',
  'preRemediationDetectionScriptError',
  'remediationScriptError',
  'postRemediationDetectionScriptOutput',
];
const RECOVERY_KEY_PROPERTIES = ['id', 'createdDateTime', 'volumeType', 'deviceId'];
const SCRIPT_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'publisher',
  'runAsAccount',
  'runAs32Bit',
  'enforceSignatureCheck',
  'detectionScriptContent',
  'remediationScriptContent',
];

/**
 * managedDeviceRemoteAction (beta enum), every member, for validating executeAction's actionName
 * (https://learn.microsoft.com/graph/api/resources/intune-devices-manageddeviceremoteaction?view=graph-rest-beta).
 */
const MANAGED_DEVICE_REMOTE_ACTIONS: ReadonlySet<string> = new Set([
  'retire',
  'delete',
  'fullScan',
  'quickScan',
  'signatureUpdate',
  'wipe',
  'customTextNotification',
  'rebootNow',
  'setDeviceName',
  'syncDevice',
  'deprovision',
  'disable',
  'reenable',
  'moveDeviceToOrganizationalUnit',
  'activateDeviceEsim',
  'collectDiagnostics',
  'initiateMobileDeviceManagementKeyRecovery',
  'initiateOnDemandProactiveRemediation',
  'unknownFutureValue',
  'initiateDeviceAttestation',
]);

/**
 * The most device ids the lab takes in one executeAction. Graph publishes no limit; the lab holds
 * the client's own (BULK_ACTION_MAX_DEVICES), so a client sending more is caught here.
 */
const LAB_BULK_MAX_DEVICES = 100;

const EXECUTE_ACTION_PATH = '/deviceManagement/managedDevices/executeAction';

/**
 * What a request costs in the lab's throttle, as the client paces it: one request (and one write
 * for POST, PUT, PATCH, DELETE), and for executeAction one per device it names. Microsoft does not
 * publish how executeAction counts against Intune's limits; the lab takes this, the conservative
 * reading, so a client that paces otherwise is throttled here.
 */
export function throttleUnits(req: Pick<GraphRequest, 'method' | 'path' | 'body'>): number {
  if (req.method !== 'POST' || req.path !== EXECUTE_ACTION_PATH) return 1;
  const ids = (req.body as { deviceIds?: unknown } | null | undefined)?.deviceIds;
  return Array.isArray(ids) ? Math.min(LAB_BULK_MAX_DEVICES, Math.max(1, new Set(ids).size)) : 1;
}

const GUID = '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  versions: readonly GraphVersion[];
  handle(ctx: RouteContext, req: GraphRequest, query: ODataQuery, params: string[]): GraphResponse;
}

/** The calls in docs/graph-calls.md, numbered as there. */
const ROUTES: readonly Route[] = [
  // 1: the fleet listing.
  {
    method: 'GET',
    pattern: /^\/deviceManagement\/managedDevices$/,
    versions: ['v1.0', 'beta'],
    handle(ctx, req, query) {
      checkFilter(
        query.filter,
        { operatingSystem: ['eq'], complianceState: ['eq', 'not-eq'] },
        'managedDevices',
      );
      const select = checkSelect(query.select, devicePropertiesIn(req.version), 'managedDevice');
      if (query.filter.length > 0) ctx.devices.settleAll();
      return page(ctx, req, query, 'deviceManagement/managedDevices', select, 1000, (i) => {
        const device = ctx.views.managedDevice(i);
        const record = device as unknown as Record<string, string | null>;
        if (!matchesFilter(query.filter, (f) => record[f] ?? null)) return null;
        // Graph leaves these two null in list calls (graph-docs issues #8667, #7971).
        return pick({ ...device, hardwareInformation: null, deviceHealthAttestationState: null }, select);
      });
    },
  },
  // 2 and 3: one device, inside $batch.
  {
    method: 'GET',
    pattern: new RegExp(`^/deviceManagement/managedDevices/${GUID}$`),
    versions: ['v1.0', 'beta'],
    handle(ctx, req, query, [id]) {
      noFilter(query);
      const select = checkSelect(query.select, devicePropertiesIn(req.version), 'managedDevice');
      const index = deviceIndex(ctx, id!);
      const full = {
        ...ctx.views.managedDevice(index),
        hardwareInformation: req.version === 'beta' ? ctx.views.hardwareInformation(index) : undefined,
        deviceHealthAttestationState: ctx.views.healthAttestation(index),
      };
      return ok({
        '@odata.context': `${ctx.baseUrl}/${req.version}/$metadata#deviceManagement/managedDevices(${select.join(',')})/$entity`,
        ...pick(full, select),
      });
    },
  },
  // 4: tenant-wide setting states.
  {
    method: 'GET',
    pattern:
      /^\/deviceManagement\/deviceCompliancePolicySettingStateSummaries\/([^/]+)\/deviceComplianceSettingStates$/,
    // The setting-state summaries are in v1.0 as well as beta (v1.0 CSDL, deviceManagement).
    versions: ['v1.0', 'beta'],
    handle(ctx, req, query, [setting]) {
      const name = decodeURIComponent(setting!);
      if (!isLabSetting(name)) throw notFound(`No setting state summary '${name}' in this tenant.`);
      checkFilter(query.filter, { state: ['eq', 'not-eq'] }, 'deviceComplianceSettingStates');
      const select = checkSelect(
        query.select,
        [
          'id',
          'setting',
          'settingName',
          'deviceId',
          'deviceName',
          'state',
          'complianceGracePeriodExpirationDateTime',
        ],
        'deviceComplianceSettingState',
      );
      ctx.devices.settleAll();
      return page(
        ctx,
        req,
        query,
        `deviceManagement/deviceCompliancePolicySettingStateSummaries('${name}')/deviceComplianceSettingStates`,
        select,
        ctx.pageSize,
        (i) => {
          const failing = ctx.views.failingSettings(i).find((f) => f.setting === name);
          const state = failing ? failing.state : 'compliant';
          if (!matchesFilter(query.filter, () => state)) return null;
          return pick(ctx.views.settingState(i, name, state), select);
        },
      );
    },
  },
  // 14: one device's compliance policy states, setting states embedded (inside $batch).
  {
    method: 'GET',
    pattern: new RegExp(`^/deviceManagement/managedDevices/${GUID}/deviceCompliancePolicyStates$`),
    versions: ['v1.0', 'beta'],
    handle(ctx, req, query, [id]) {
      noFilter(query);
      const index = deviceIndex(ctx, id!);
      ctx.devices.settle(index);
      const failing = new Map(ctx.views.failingSettings(index).map((f) => [f.setting, f.state]));
      // The lab has one compliance policy; its settings are the ones the seeded mix can fail.
      const settingStates = LAB_SETTINGS.map((setting) => {
        const state = failing.get(setting) ?? 'compliant';
        return {
          setting,
          // Real tenants repeat the class-qualified ID here (or leave it null), never a short name.
          settingName: setting,
          state,
          // Intune reports 0 for a compliant setting and -2016281112 ("not compliant") otherwise.
          errorCode: state === 'compliant' ? 0 : -2016281112,
          errorDescription: null,
          currentValue: state === 'compliant' ? 'true' : 'false',
        };
      });
      const policyState =
        failing.size === 0 ? 'compliant' : [...failing.values()].includes('error') ? 'error' : 'nonCompliant';
      return ok({
        '@odata.context': `${ctx.baseUrl}/${req.version}/$metadata#deviceManagement/managedDevices('${id}')/deviceCompliancePolicyStates`,
        value: [
          {
            id: `lab-windows-compliance_${id}`,
            displayName: 'Windows 10/11 compliance (LAB)',
            state: policyState,
            platformType: 'windows10AndLater',
            settingCount: settingStates.length,
            settingStates,
            version: 1,
          },
        ],
      });
    },
  },
  // 15: assign a script package to a group.
  {
    method: 'POST',
    pattern: new RegExp(`^/deviceManagement/deviceHealthScripts/${GUID}/assign$`),
    versions: ['beta'],
    handle(ctx, _req, query, [scriptId]) {
      noFilter(query);
      if (!ctx.scripts.get(scriptId!)) throw notFound(`No deviceHealthScript with id '${scriptId}'.`);
      const assignments = (_req.body as { deviceHealthScriptAssignments?: unknown } | null)
        ?.deviceHealthScriptAssignments;
      const valid =
        Array.isArray(assignments) &&
        assignments.length > 0 &&
        assignments.every((a) => {
          const target = (a as { target?: { groupId?: unknown; '@odata.type'?: unknown } } | null)?.target;
          return typeof target?.groupId === 'string' && typeof target['@odata.type'] === 'string';
        });
      if (!valid) {
        throw badRequest(
          'expected {"deviceHealthScriptAssignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "..."}, ...}]}',
        );
      }
      return { status: 204, headers: {}, body: undefined };
    },
  },
  // 5: BitLocker recovery key ids by Entra device id.
  {
    method: 'GET',
    pattern: /^\/informationProtection\/bitlocker\/recoveryKeys$/,
    versions: ['v1.0', 'beta'],
    handle(ctx, req, query) {
      if (!req.headers['user-agent']) {
        // The BitLocker recovery key API requires a User-Agent (bitlockerRecoveryKey: list, v1.0).
        throw badRequest('The User-Agent header is required by the BitLocker recovery key API.');
      }
      checkFilter(query.filter, { deviceId: ['eq'] }, 'recoveryKeys');
      const clause = query.filter[0];
      if (query.filter.length !== 1 || !clause) {
        throw badRequest(
          "This lab lists recovery keys only by device: $filter=deviceId eq '{azureADDeviceId}'.",
        );
      }
      if (query.select?.includes('key')) {
        throw new GraphError(403, 'Forbidden', 'The lab tenant holds no BitLocker key material.');
      }
      const select = checkSelect(query.select, RECOVERY_KEY_PROPERTIES, 'bitlockerRecoveryKey');
      const index = ctx.devices.indexOfAadId(clause.value);
      const keys = index === undefined ? [] : ctx.views.recoveryKeys(index);
      return ok({
        '@odata.context': `${ctx.baseUrl}/${req.version}/$metadata#informationProtection/bitlocker/recoveryKeys`,
        value: keys.map((k) => pick(k, select)),
      });
    },
  },
  // 19: one action for many devices (beta executeAction), answered with a bulkManagedDeviceActionResult.
  {
    method: 'POST',
    pattern: /^\/deviceManagement\/managedDevices\/executeAction$/,
    versions: ['beta'],
    handle(ctx, req, query) {
      noFilter(query);
      ctx.bulkActions.checkAllowed();
      const actionName = field(req.body, 'actionName', 'string');
      if (!MANAGED_DEVICE_REMOTE_ACTIONS.has(actionName)) {
        throw badRequest(
          `Cannot convert the literal '${actionName}' to the expected type 'microsoft.graph.managedDeviceRemoteAction'.`,
        );
      }
      const deviceIds = (req.body as { deviceIds?: unknown }).deviceIds;
      if (
        !Array.isArray(deviceIds) ||
        deviceIds.length === 0 ||
        !deviceIds.every((id): id is string => typeof id === 'string')
      ) {
        throw badRequest("Property 'deviceIds' is required: expected a non-empty array of device ids.");
      }
      if (deviceIds.length > LAB_BULK_MAX_DEVICES) {
        throw badRequest(
          `This lab takes at most ${LAB_BULK_MAX_DEVICES} deviceIds per executeAction, got ${deviceIds.length}.`,
        );
      }
      const result = {
        successfulDeviceIds: [] as string[],
        failedDeviceIds: [] as string[],
        notFoundDeviceIds: [] as string[],
        notSupportedDeviceIds: [] as string[],
      };
      // A device named twice is acted on once and listed once.
      for (const id of new Set(deviceIds)) {
        const index = new RegExp(`^${GUID}$`).test(id) ? ctx.devices.indexOf(id.toLowerCase()) : undefined;
        if (index === undefined) result.notFoundDeviceIds.push(id);
        else if (actionName === 'syncDevice') {
          ctx.devices.syncDevice(index);
          result.successfulDeviceIds.push(id);
        } else if (actionName === 'rebootNow') {
          ctx.devices.rebootNow(index);
          result.successfulDeviceIds.push(id);
        } else {
          // The lab simulates sync and reboot only; every other action does not apply to its devices.
          result.notSupportedDeviceIds.push(id);
        }
      }
      ctx.bulkActions.calls++;
      return ok({
        '@odata.context': `${ctx.baseUrl}/beta/$metadata#microsoft.graph.bulkManagedDeviceActionResult`,
        ...result,
      });
    },
  },
  // 6, 7, 10: device actions.
  {
    method: 'POST',
    pattern: new RegExp(
      `^/deviceManagement/managedDevices/${GUID}/(syncDevice|rebootNow|initiateOnDemandProactiveRemediation)$`,
    ),
    versions: ['v1.0', 'beta'],
    handle(ctx, req, query, [id, action]) {
      noFilter(query);
      const index = deviceIndex(ctx, id!);
      if (action === 'syncDevice') ctx.devices.syncDevice(index);
      else if (action === 'rebootNow') ctx.devices.rebootNow(index);
      else {
        if (req.version !== 'beta') throw badRequest(`Resource not found for the segment '${action}'.`);
        const scriptId = field(req.body, 'scriptPolicyId', 'string');
        if (!ctx.scripts.get(scriptId)) throw notFound(`No deviceHealthScript with id '${scriptId}'.`);
        ctx.devices.runScript(index, scriptId);
      }
      return { status: 204, headers: {}, body: undefined };
    },
  },
  // 8: find our script package by name.
  {
    method: 'GET',
    pattern: /^\/deviceManagement\/deviceHealthScripts$/,
    versions: ['beta'],
    handle(ctx, _req, query) {
      checkFilter(query.filter, { displayName: ['eq'] }, 'deviceHealthScripts');
      const select = checkSelect(query.select, SCRIPT_PROPERTIES, 'deviceHealthScript');
      const scripts = ctx.views
        .scripts()
        .filter((s) => matchesFilter(query.filter, (f) => (f === 'displayName' ? s.displayName : null)));
      return ok({
        '@odata.context': `${ctx.baseUrl}/beta/$metadata#deviceManagement/deviceHealthScripts`,
        value: scripts.map((s) => pick(s, select)),
      });
    },
  },
  // 8b: one script package by id, with its script bodies (the list call leaves them empty).
  {
    method: 'GET',
    pattern: new RegExp(`^/deviceManagement/deviceHealthScripts/${GUID}$`),
    versions: ['beta'],
    handle(ctx, _req, query, [scriptId]) {
      noFilter(query);
      const select = checkSelect(query.select, SCRIPT_PROPERTIES, 'deviceHealthScript');
      const script = ctx.views.script(scriptId!);
      if (script === undefined) throw notFound(`No deviceHealthScript with id '${scriptId}'.`);
      return ok({
        '@odata.context': `${ctx.baseUrl}/beta/$metadata#deviceManagement/deviceHealthScripts/$entity`,
        ...pick(script, select),
      });
    },
  },
  // 9: upload a script package.
  {
    method: 'POST',
    pattern: /^\/deviceManagement\/deviceHealthScripts$/,
    versions: ['beta'],
    handle(ctx, req, query) {
      noFilter(query);
      const body = req.body;
      const displayName = field(body, 'displayName', 'string');
      const detection = field(body, 'detectionScriptContent', 'string');
      const remediation = optionalField(body, 'remediationScriptContent', 'string');
      for (const [name, value] of [
        ['detectionScriptContent', detection],
        ['remediationScriptContent', remediation],
      ] as const) {
        if (value !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
          throw badRequest(`${name}: expected base64 (Edm.Binary), got something else.`);
        }
      }
      const created = ctx.scripts.create({
        displayName,
        description: optionalField(body, 'description', 'string') ?? null,
        publisher: optionalField(body, 'publisher', 'string') ?? null,
        runAsAccount: optionalField(body, 'runAsAccount', 'string') === 'user' ? 'user' : 'system',
        runAs32Bit: optionalField(body, 'runAs32Bit', 'boolean') ?? false,
        enforceSignatureCheck: optionalField(body, 'enforceSignatureCheck', 'boolean') ?? false,
        detectionScriptContent: detection,
        remediationScriptContent: remediation ?? '',
      });
      return {
        status: 201,
        headers: {
          location: `${ctx.baseUrl}/beta/deviceManagement/deviceHealthScripts('${created.entity.id}')`,
        },
        body: {
          '@odata.context': `${ctx.baseUrl}/beta/$metadata#deviceManagement/deviceHealthScripts/$entity`,
          ...created.entity,
        },
      };
    },
  },
  // 11: run states of a script.
  {
    method: 'GET',
    pattern: new RegExp(`^/deviceManagement/deviceHealthScripts/${GUID}/deviceRunStates$`),
    versions: ['beta'],
    handle(ctx, req, query, [scriptId]) {
      noFilter(query);
      if (!ctx.scripts.get(scriptId!)) throw notFound(`No deviceHealthScript with id '${scriptId}'.`);
      const expand = query.expand?.replace(/\s+/g, '') ?? null;
      if (expand !== null && expand !== 'managedDevice($select=id)' && expand !== 'managedDevice') {
        throw badRequest(
          `$expand '${query.expand}' is not supported here; this lab supports managedDevice($select=id).`,
        );
      }
      const select = checkSelect(query.select, RUN_STATE_PROPERTIES, 'deviceHealthScriptDeviceState');
      ctx.devices.settleAll();
      return page(
        ctx,
        req,
        query,
        `deviceManagement/deviceHealthScripts('${scriptId}')/deviceRunStates`,
        select,
        ctx.pageSize,
        (i) => {
          const run = ctx.views.runState(scriptId!, i);
          if (!run) return null;
          return { ...pick(run, select), ...(expand === null ? {} : { managedDevice: run.managedDevice }) };
        },
      );
    },
  },
  // 16: create a report export job (201, the job notStarted).
  {
    method: 'POST',
    pattern: /^\/deviceManagement\/reports\/exportJobs$/,
    versions: ['v1.0', 'beta'],
    handle(ctx, req, query) {
      noFilter(query);
      const job = ctx.exports.create(req.body, ctx.baseUrl, req.version);
      return {
        status: 201,
        headers: {
          location: `${ctx.baseUrl}/${req.version}/deviceManagement/reports/exportJobs('${job.id}')`,
        },
        body: job,
      };
    },
  },
  // 17: read an export job, by key segment or in parentheses (the Intune page polls exportJobs('id')).
  {
    method: 'GET',
    pattern: /^\/deviceManagement\/reports\/exportJobs(?:\/([^/()]+)|\('([^/()']+)'\))$/,
    versions: ['v1.0', 'beta'],
    handle(ctx, _req, query, [segment, quoted]) {
      noFilter(query);
      return ok(ctx.exports.get(decodeURIComponent(segment ?? quoted ?? ''), ctx.baseUrl));
    },
  },
];

/** Routes one request (a top-level one or one from inside a $batch). Throws GraphError. */
export function routeGraphRequest(ctx: RouteContext, req: GraphRequest): GraphResponse {
  const query = parseODataQuery(req.query);
  let pathKnown = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    pathKnown = true;
    if (route.method !== req.method) continue;
    if (!route.versions.includes(req.version)) {
      throw badRequest(
        `Resource not found for the segment '${req.path.split('/')[1] ?? ''}' in ${req.version}.`,
      );
    }
    return route.handle(ctx, req, query, m.slice(1));
  }
  if (pathKnown)
    throw new GraphError(405, 'MethodNotAllowed', `${req.method} is not allowed on ${req.path}.`);
  throw badRequest(
    `Resource not found for the segment '${req.path.split('/').filter(Boolean).at(-1) ?? ''}'.`,
  );
}

/** managedDevice's properties in a version: hardwareInformation is beta-only (not in the v1.0 CSDL). */
function devicePropertiesIn(version: GraphVersion): readonly string[] {
  return version === 'beta'
    ? LIST_DEVICE_PROPERTIES
    : LIST_DEVICE_PROPERTIES.filter((p) => p !== 'hardwareInformation');
}

function ok(body: unknown): GraphResponse {
  return { status: 200, headers: {}, body };
}

function noFilter(query: ODataQuery): void {
  if (query.filter.length > 0) throw badRequest('$filter is not supported on this resource.');
}

function deviceIndex(ctx: RouteContext, id: string): number {
  const index = ctx.devices.indexOf(id.toLowerCase());
  if (index === undefined) throw notFound(`No managedDevice with id '${id}'.`);
  return index;
}

/**
 * One page of a collection over device indices: items from `query.skip` on, at most
 * min($top, max) of them, and an absolute @odata.nextLink with a $skiptoken when more remain.
 */
function page(
  ctx: RouteContext,
  req: GraphRequest,
  query: ODataQuery,
  contextPath: string,
  select: readonly string[],
  max: number,
  itemAt: (index: number) => Record<string, unknown> | null,
): GraphResponse {
  const size = Math.min(query.top ?? max, max, ctx.pageSize);
  const value: Record<string, unknown>[] = [];
  let next: number | null = null;
  for (let i = query.skip; i < ctx.devices.size; i++) {
    const item = itemAt(i);
    if (item === null) continue;
    if (value.length === size) {
      next = i;
      break;
    }
    value.push(item);
  }
  const selected = query.select === null ? '' : `(${select.join(',')})`;
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.baseUrl}/${req.version}/$metadata#${contextPath}${selected}`,
    value,
  };
  if (next !== null) body['@odata.nextLink'] = nextLink(ctx, req, next);
  return ok(body);
}

function nextLink(ctx: RouteContext, req: GraphRequest, start: number): string {
  const parts: string[] = [];
  for (const [key, value] of req.query) {
    if (key !== '$skiptoken') parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  parts.push(`$skiptoken=${makeSkipToken(start)}`);
  return `${ctx.baseUrl}/${req.version}${req.path}?${parts.join('&')}`;
}

type FieldType = 'string' | 'boolean';
type FieldValue<T extends FieldType> = T extends 'string' ? string : boolean;

function optionalField<T extends FieldType>(body: unknown, name: string, type: T): FieldValue<T> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Expected a JSON object as the request body.');
  }
  const value = (body as Record<string, unknown>)[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) {
    throw badRequest(
      `Property '${name}': expected a ${type}, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
    );
  }
  return value as FieldValue<T>;
}

function field<T extends FieldType>(body: unknown, name: string, type: T): FieldValue<T> {
  const value = optionalField(body, name, type);
  if (value === undefined) throw badRequest(`Property '${name}' is required: expected a ${type}.`);
  return value;
}
