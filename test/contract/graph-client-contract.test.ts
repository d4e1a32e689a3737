/**
 * The Graph client against Microsoft's own examples: every call of docs/graph-calls.md is answered
 * with the example response from its Microsoft Learn reference page (test/contract/graph/NAME.json,
 * kept verbatim; NAME.source.json says where from), and the client must parse it. Where the page
 * shows an example request body, what the client sends must use the same property names and types.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearScriptPackage, findOrUploadClearScript } from '../../src/fleet/campaign/clear-script.js';
import { GraphClient } from '../../src/fleet/graph/graph-client.js';
import { IntuneClient } from '../../src/fleet/graph/intune-client.js';
import { type Arrival, GraphTestServer, sendJson } from '../fleet/graph/support/graph-test-server.js';
import { StaticCredential } from '../fleet/graph/support/static-credential.js';
import { contract, jsonType } from './graph/contract-fixtures.js';

const managedDevicesList = contract('managed-devices-list');
const managedDeviceGetBeta = contract('managed-device-get-beta');
const managedDeviceGetV1 = contract('managed-device-get-v1');
const settingStates = contract('device-compliance-setting-states-list');
const recoveryKeys = contract('bitlocker-recovery-keys-list');
const scriptsList = contract('device-health-scripts-list');
const scriptGet = contract('device-health-script-get');
const scriptCreate = contract('device-health-script-create');
const remediation = contract('initiate-on-demand-proactive-remediation');
const runStates = contract('device-health-script-device-states-list');
const batch = contract('batch');
const policyStates = contract('device-compliance-policy-states-list');
const assign = contract('device-health-script-assign');
const syncDevice = contract('sync-device');
const rebootNow = contract('reboot-now');
const executeAction = contract('execute-action');
const executeActionMetadata = contract('execute-action-metadata') as {
  bulkManagedDeviceActionResult: string[];
  managedDeviceRemoteAction: string[];
};

/** The example answer for one request path (version included), as its reference page shows it. */
function exampleFor(method: string, path: string): { status: number; body?: unknown } | undefined {
  const p = path.replace(/\?.*$/, '');
  if (method === 'POST') {
    if (p.endsWith('/syncDevice')) return { status: syncDevice.status as number };
    if (p.endsWith('/rebootNow')) return { status: rebootNow.status as number };
    if (p.endsWith('/initiateOnDemandProactiveRemediation')) return { status: remediation.status as number };
    if (p.endsWith('/assign')) return { status: assign.status as number };
    if (p === '/beta/deviceManagement/managedDevices/executeAction')
      return { status: executeAction.status as number, body: executeAction.response };
    if (p === '/beta/deviceManagement/deviceHealthScripts')
      return { status: scriptCreate.status as number, body: scriptCreate.response };
    return undefined;
  }
  if (p === '/v1.0/deviceManagement/managedDevices') return { status: 200, body: managedDevicesList };
  if (/^\/beta\/deviceManagement\/managedDevices\/[^/]+$/.test(p))
    return { status: 200, body: managedDeviceGetBeta };
  if (/^\/v1\.0\/deviceManagement\/managedDevices\/[^/]+$/.test(p))
    return { status: 200, body: managedDeviceGetV1 };
  if (/\/deviceManagement\/managedDevices\/[^/]+\/deviceCompliancePolicyStates$/.test(p))
    return { status: 200, body: policyStates };
  if (/\/deviceComplianceSettingStates$/.test(p)) return { status: 200, body: settingStates };
  if (p === '/v1.0/informationProtection/bitlocker/recoveryKeys') return { status: 200, body: recoveryKeys };
  if (p === '/beta/deviceManagement/deviceHealthScripts') return { status: 200, body: scriptsList };
  if (/\/deviceHealthScripts\/[^/]+\/deviceRunStates$/.test(p)) return { status: 200, body: runStates };
  if (/^\/beta\/deviceManagement\/deviceHealthScripts\/[^/]+$/.test(p))
    return { status: 200, body: scriptGet };
  return undefined;
}

let server: GraphTestServer;
let intune: IntuneClient;
let graph: GraphClient;

beforeAll(async () => {
  server = await GraphTestServer.start((request: Arrival, response) => {
    const path = decodeURIComponent(request.url);
    if (path.endsWith('/$batch')) {
      const { requests } = JSON.parse(request.body) as {
        requests: { id: string; method: string; url: string }[];
      };
      const version = path.startsWith('/beta') ? '/beta' : '/v1.0';
      return sendJson(response, 200, {
        responses: requests.map((inner) => {
          const example = exampleFor(inner.method, `${version}${decodeURIComponent(inner.url)}`);
          return example === undefined
            ? { id: inner.id, status: 404, body: { error: { code: 'NotInContract', message: inner.url } } }
            : { id: inner.id, status: example.status, body: example.body };
        }),
      });
    }
    const example = exampleFor(request.method, path);
    if (example === undefined)
      return sendJson(response, 404, { error: { code: 'NotInContract', message: path } });
    if (example.body === undefined) {
      response.writeHead(example.status);
      return response.end();
    }
    return sendJson(response, example.status, example.body);
  });
  graph = new GraphClient({ baseUrl: server.url, credential: new StaticCredential(), timeoutMs: 2_000 });
  intune = new IntuneClient(graph);
});
afterAll(async () => {
  await server?.close();
});

function lastArrival(suffix: string): Arrival {
  const arrival = server.arrivals
    .filter((a) => decodeURIComponent(a.url).split('?')[0]!.endsWith(suffix))
    .at(-1);
  if (arrival === undefined) throw new Error(`no request to ${suffix}`);
  return arrival;
}

/** Every property the client sends appears in Microsoft's example request, with the same JSON type. */
function expectSameNamesAndTypes(sent: unknown, example: unknown, where: string): void {
  if (Array.isArray(sent)) {
    expect(Array.isArray(example), where).toBe(true);
    for (const item of sent) expectSameNamesAndTypes(item, (example as unknown[])[0], `${where}[]`);
    return;
  }
  if (typeof sent !== 'object' || sent === null) {
    expect(jsonType(sent), where).toBe(jsonType(example));
    return;
  }
  for (const [name, value] of Object.entries(sent)) {
    // A derived type's own properties (groupAssignmentTarget.groupId, a daily schedule's time) are
    // not on the base type the example shows; the @odata.type names it.
    const base = example as Record<string, unknown>;
    if (!Object.hasOwn(base, name) && isObject(sent) && typeof sent['@odata.type'] === 'string') continue;
    expect(Object.hasOwn(base, name), `${where}.${name} is in Microsoft's example`).toBe(true);
    expectSameNamesAndTypes(value, base[name], `${where}.${name}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

describe("the client parses Microsoft's example responses", () => {
  it('#1 managedDevices (v1.0)', async () => {
    const devices = [];
    for await (const page of intune.managedDevices()) devices.push(...page);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      id: '705c034c-034c-705c-4c03-5c704c035c70',
      complianceState: 'compliant',
      lastSyncDateTime: '2017-01-01T00:02:49.3205976-08:00',
      isEncrypted: true,
    });
  });

  it('#2 one device with hardwareInformation and deviceHealthAttestationState (beta, the page wraps it in "value")', async () => {
    const details = await intune.deviceDetails(['705c034c-034c-705c-4c03-5c704c035c70']);
    const result = details.get('705c034c-034c-705c-4c03-5c704c035c70');
    expect(result?.ok).toBe(true);
    if (!result?.ok) return;
    expect(result.value.hardwareInformation).toMatchObject({
      tpmManufacturer: 'Tpm Manufacturer value',
      tpmVersion: 'Tpm Version value',
      tpmSpecificationVersion: 'Tpm Specification Version value',
    });
    expect(result.value.deviceHealthAttestationState).toMatchObject({
      issuedDateTime: '2016-12-31T23:58:22.1231038-08:00',
      // An Edm.String: the example's own value is no date at all.
      lastUpdateDateTime: 'Last Update Date Time value',
      restartCount: 12,
    });
  });

  it('#3 one device by id (v1.0)', async () => {
    const read = await intune.managedDevicesById(['705c034c-034c-705c-4c03-5c704c035c70']);
    expect(read.get('705c034c-034c-705c-4c03-5c704c035c70')).toMatchObject({
      ok: true,
      value: {
        id: '705c034c-034c-705c-4c03-5c704c035c70',
        lastSyncDateTime: '2017-01-01T00:02:49.3205976-08:00',
      },
    });
  });

  it('#4 setting states (v1.0), with not(state eq ...) rather than ne', async () => {
    const states = [];
    for await (const page of intune.nonCompliantSettingStates('Windows10CompliancePolicy.TpmRequired'))
      states.push(...page);
    expect(states).toEqual([
      expect.objectContaining({ id: '9905f955-f955-9905-55f9-059955f90599', state: 'notApplicable' }),
    ]);
    const sent = decodeURIComponent(lastArrival('/deviceComplianceSettingStates').url);
    expect(sent.startsWith('/v1.0/')).toBe(true);
    expect(sent).toContain("$filter=not(state eq 'compliant') and not(state eq 'notApplicable')");
    expect(sent).not.toMatch(/ ne /);
  });

  it('#5 BitLocker recovery key IDs (v1.0, the filtered example)', async () => {
    const keys = await intune.recoveryKeyIds(['1ab40ab2-32a8-4b00-b6b5-ba724e407de9']);
    expect(keys.get('1ab40ab2-32a8-4b00-b6b5-ba724e407de9')).toEqual({
      ok: true,
      value: [expect.objectContaining({ id: 'b465e4e8-e4e8-b465-e8e4-65b4e8e465b4', volumeType: '1' })],
    });
  });

  it('#6, #7 syncDevice and rebootNow: no body, 204', async () => {
    await intune.syncDevice('705c034c-034c-705c-4c03-5c704c035c70');
    await intune.rebootNow('705c034c-034c-705c-4c03-5c704c035c70');
    expect(lastArrival('/syncDevice').body).toBe('');
    expect(lastArrival('/rebootNow').body).toBe('');
  });

  it('#19 executeAction: the example request body’s names and types; the example answer (wrapped in "value") parses into its four lists', async () => {
    const ids = ['705c034c-034c-705c-4c03-5c704c035c70', '8f1e3d7a-0c2b-4e5f-9a6b-7c8d9e0f1a2b'];
    for (const action of ['syncDevice', 'rebootNow'] as const) {
      expect(executeActionMetadata.managedDeviceRemoteAction).toContain(action);
      const { sent, result } = await intune.executeDeviceAction(action, ids);
      expect(sent).toEqual(ids);
      const body = JSON.parse(lastArrival('/executeAction').body);
      expect(body).toEqual({ actionName: action, deviceIds: ids });
      expectSameNamesAndTypes(body, executeAction.request, 'body');
      // The four lists of the beta complex type, exactly (msgraph-metadata type mappings).
      expect(Object.keys(result).sort()).toEqual(
        [...executeActionMetadata.bulkManagedDeviceActionResult].sort(),
      );
      expect(result).toEqual({
        successfulDeviceIds: ['Successful Device Ids value'],
        failedDeviceIds: ['Failed Device Ids value'],
        notFoundDeviceIds: ['Not Found Device Ids value'],
        notSupportedDeviceIds: ['Not Supported Device Ids value'],
      });
    }
    // One write per device named, against the devices service (docs/campaigns.md, "Bulk actions").
    await expect(intune.executeDeviceAction('syncDevice', [])).rejects.toThrow(RangeError);
    await expect(
      intune.executeDeviceAction(
        'syncDevice',
        Array.from({ length: 101 }, (_, i) => `id-${i}`),
      ),
    ).rejects.toThrow(/1 to 100/);
  });

  it('#8 the package list, #8b the package by id (wrapped in "value" on its page)', async () => {
    const listed = await intune.findHealthScript('Display Name value');
    expect(listed?.id).toBe('bcb60502-0502-bcb6-0205-b6bc0205b6bc');
    const read = await intune.healthScript('bcb60502-0502-bcb6-0205-b6bc0205b6bc');
    expect(read).toMatchObject({
      id: 'bcb60502-0502-bcb6-0205-b6bc0205b6bc',
      detectionScriptContent: 'ZGV0ZWN0aW9uU2NyaXB0Q29udGVudA==',
      remediationScriptContent: 'cmVtZWRpYXRpb25TY3JpcHRDb250ZW50',
    });
  });

  it('#9 creating a package: the request uses the example request body’s names and types; the 201 parses', async () => {
    const created = await intune.createHealthScript(
      clearScriptPackage('# detection', { approvedBy: 'A. Admin', ticket: 'CHG-1' }),
    );
    expect(created.id).toBe('bcb60502-0502-bcb6-0205-b6bc0205b6bc');
    expectSameNamesAndTypes(
      JSON.parse(lastArrival('/deviceHealthScripts').body),
      scriptCreate.request,
      'deviceHealthScript',
    );
  });

  it('#10 initiateOnDemandProactiveRemediation: the example request body’s shape, 204', async () => {
    await intune.runHealthScriptOnDevice('705c034c-034c-705c-4c03-5c704c035c70', 'script-id');
    const sent = JSON.parse(lastArrival('/initiateOnDemandProactiveRemediation').body);
    expect(Object.keys(sent)).toEqual(Object.keys(remediation.request as object));
    expectSameNamesAndTypes(sent, remediation.request, 'body');
  });

  it('#11 run states', async () => {
    const runs = [];
    for await (const page of intune.healthScriptRunStates('script-id')) runs.push(...page);
    expect(runs).toEqual([
      expect.objectContaining({
        id: 'fd2e4505-4505-fd2e-0545-2efd05452efd',
        detectionState: 'success',
        remediationState: 'skipped',
        postRemediationDetectionScriptOutput: 'Post Remediation Detection Script Output value',
      }),
    ]);
  });

  it('#12 $batch: the example request shape, and every answer under its id whatever its status', async () => {
    const request = batch.request as { requests: { id: string; method: string; url: string }[] };
    const answers = await graph.batch(
      'v1.0',
      request.requests.map((r) => ({
        key: `k${r.id}`,
        method: r.method as 'GET',
        url: `/contract-batch/${r.id}`,
      })),
    );
    // Our stand-in routes unknown URLs to 404; the envelope itself is what is checked here.
    expect([...answers.keys()]).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    const sent = JSON.parse(lastArrival('/$batch').body) as { requests: Record<string, unknown>[] };
    for (const inner of sent.requests) {
      for (const name of Object.keys(inner))
        expect(['id', 'method', 'url', 'headers', 'body']).toContain(name);
    }
  });

  it("#12 $batch: Microsoft's example answer parses, statuses and error bodies per id", async () => {
    const local = await GraphTestServer.start((_request, response) =>
      sendJson(response, 200, batch.response),
    );
    try {
      const client = new GraphClient({
        baseUrl: local.url,
        credential: new StaticCredential(),
        maxRetries: 0,
      });
      const answers = await client.batch(
        'v1.0',
        ['1', '2', '3', '4', '5'].map((id) => ({ key: id, method: 'GET' as const, url: `/x/${id}` })),
      );
      expect([...answers.values()].map((a) => a.status)).toEqual([200, 403, 403, 405, 200]);
      expect(answers.get('3')?.body).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
    } finally {
      await local.close();
    }
  });

  it('#14 compliance policy states with setting states (v1.0; the page shows type names as values)', async () => {
    const states = await intune.compliancePolicyStates(['705c034c-034c-705c-4c03-5c704c035c70']);
    const result = states.get('705c034c-034c-705c-4c03-5c704c035c70');
    expect(result?.ok).toBe(true);
    if (result?.ok) expect(result.value[0]?.settingStates).toHaveLength(1);
  });

  it('#15 assign: the request uses the example request body’s names and types; 204', async () => {
    await intune.assignHealthScript('bcb60502-0502-bcb6-0205-b6bc0205b6bc', 'group-id');
    expectSameNamesAndTypes(JSON.parse(lastArrival('/assign').body), assign.request, 'body');
  });
});

describe('package reuse reads the package by id (#8b): the list call leaves the script bodies empty', () => {
  it('a package whose list entry has no script bodies is compared by what the read by id returns', async () => {
    const approval = { approvedBy: 'A. Admin', ticket: 'CHG-77' };
    const wanted = clearScriptPackage('# detection', approval);
    const listedEmpty = {
      id: 'pkg-1',
      displayName: wanted.displayName,
      detectionScriptContent: null,
      remediationScriptContent: null,
    };
    const local = await GraphTestServer.start((request, response) => {
      const path = decodeURIComponent(request.url).split('?')[0];
      if (path === '/beta/deviceManagement/deviceHealthScripts')
        return sendJson(response, 200, { value: [listedEmpty] });
      if (path === '/beta/deviceManagement/deviceHealthScripts/pkg-1')
        return sendJson(response, 200, { ...wanted, id: 'pkg-1' });
      return sendJson(response, 404, { error: { code: 'NotFound', message: 'x' } });
    });
    try {
      const client = new IntuneClient(
        new GraphClient({ baseUrl: local.url, credential: new StaticCredential() }),
      );
      const found = await findOrUploadClearScript(client, '# detection', approval);
      expect(found).toMatchObject({ uploaded: false, script: { id: 'pkg-1' } });
      expect(local.arrivals.map((a) => `${a.method} ${decodeURIComponent(a.url).split('?')[0]}`)).toEqual([
        'GET /beta/deviceManagement/deviceHealthScripts',
        'GET /beta/deviceManagement/deviceHealthScripts/pkg-1',
      ]);
    } finally {
      await local.close();
    }
  });
});
