import { afterEach, expect, it } from 'vitest';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import { LabCredential } from '../../../src/fleet/graph/lab-credential.js';
import { GraphTestServer, graphErrorBody, sendJson } from './support/graph-test-server.js';

let server: GraphTestServer | undefined;
afterEach(async () => {
  await server?.close();
});

/** A tiny tenant: token endpoint (Entra's shape), and the calls of docs/graph-calls.md. */
async function tenant(): Promise<{ intune: IntuneClient; target: GraphTestServer }> {
  const target = await GraphTestServer.start((request, response) => {
    const url = new URL(request.url, 'http://x');
    if (url.pathname === '/lab-tenant/oauth2/v2.0/token') {
      const form = new URLSearchParams(request.body);
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== 'lab-secret') {
        return sendJson(response, 401, { error: 'invalid_client', error_description: 'bad secret' });
      }
      return sendJson(response, 200, { token_type: 'Bearer', expires_in: 3599, access_token: 'lab-token' });
    }
    if (request.headers.authorization !== 'Bearer lab-token')
      return sendJson(response, 401, graphErrorBody('InvalidAuthenticationToken', 'x'));
    if (url.pathname.endsWith('/$batch')) {
      const { requests } = JSON.parse(request.body) as { requests: { id: string; url: string }[] };
      return sendJson(response, 200, {
        responses: requests.map((inner) => {
          const innerUrl = new URL(inner.url, 'http://x');
          if (innerUrl.pathname === '/informationProtection/bitlocker/recoveryKeys') {
            const filter = innerUrl.searchParams.get('$filter') ?? '';
            return {
              id: inner.id,
              status: 200,
              body: {
                value: [{ id: `key-for ${filter}`, createdDateTime: 'x', volumeType: '1', deviceId: 'aad' }],
              },
            };
          }
          if (inner.url.includes('/missing'))
            return { id: inner.id, status: 404, body: graphErrorBody('ResourceNotFound', 'no such device') };
          return {
            id: inner.id,
            status: 200,
            body: {
              id: decodeURIComponent(innerUrl.pathname.split('/').pop() ?? ''),
              hardwareInformation: { tpmVersion: '2.0' },
              deviceHealthAttestationState: null,
            },
          };
        }),
      });
    }
    if (request.method === 'POST' && url.pathname === '/beta/deviceManagement/deviceHealthScripts') {
      return sendJson(response, 201, { id: 'script-1', ...JSON.parse(request.body) });
    }
    if (request.method === 'POST') {
      response.writeHead(204);
      return response.end();
    }
    sendJson(response, 200, { value: [{ id: 'item-1', displayName: "O'Brien's script" }] });
  });
  server = target;
  const credential = new LabCredential({
    labUrl: target.url,
    tenantId: 'lab-tenant',
    clientId: 'app',
    clientSecret: 'lab-secret',
  });
  const graph = new GraphClient({ baseUrl: target.url, credential, timeoutMs: 2_000 });
  return { intune: new IntuneClient(graph), target };
}

it('makes exactly the calls of docs/graph-calls.md, v1.0 or beta as listed', async () => {
  const { intune, target } = await tenant();
  for await (const _page of intune.managedDevices()) break;
  for await (const _page of intune.nonCompliantSettingStates('Windows10CompliancePolicy.TpmRequired')) break;
  for await (const _page of intune.healthScriptRunStates('script-1')) break;
  await intune.syncDevice('dev-1');
  await intune.rebootNow('dev-1');
  await intune.runHealthScriptOnDevice('dev-1', 'script-1');
  const created = await intune.createHealthScript({ displayName: 'tpm-doctor evidence' });
  expect(created.id).toBe('script-1');

  const calls = target.arrivals
    .filter((a) => !a.url.includes('oauth2'))
    .map((a) => `${a.method} ${decodeURIComponent(a.url)}`);
  expect(calls).toEqual([
    "GET /v1.0/deviceManagement/managedDevices?$filter=operatingSystem eq 'Windows'&$select=id,deviceName,azureADDeviceId,operatingSystem,osVersion,complianceState,lastSyncDateTime,isEncrypted,managementAgent,deviceRegistrationState,userPrincipalName,serialNumber,manufacturer,model&$top=1000",
    "GET /v1.0/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates?$filter=not(state eq 'compliant') and not(state eq 'notApplicable') and not(state eq 'notAssigned')",
    'GET /beta/deviceManagement/deviceHealthScripts/script-1/deviceRunStates?$select=id,detectionState,remediationState,lastStateUpdateDateTime,preRemediationDetectionScriptOutput,preRemediationDetectionScriptError,remediationScriptError,postRemediationDetectionScriptOutput&$expand=managedDevice($select=id)',
    'POST /v1.0/deviceManagement/managedDevices/dev-1/syncDevice',
    'POST /v1.0/deviceManagement/managedDevices/dev-1/rebootNow',
    'POST /beta/deviceManagement/managedDevices/dev-1/initiateOnDemandProactiveRemediation',
    'POST /beta/deviceManagement/deviceHealthScripts',
  ]);
  const remediation = target.arrivals.find((a) => a.url.endsWith('initiateOnDemandProactiveRemediation'));
  expect(JSON.parse(remediation?.body ?? '')).toEqual({ scriptPolicyId: 'script-1' });
  // The lab token was fetched once, form-encoded, as Entra's client-credentials flow.
  expect(target.arrivals.filter((a) => a.url.includes('oauth2'))).toHaveLength(1);
});

it('escapes single quotes in OData string literals', async () => {
  const { intune, target } = await tenant();
  const script = await intune.findHealthScript("O'Brien's script");
  expect(script?.id).toBe('item-1');
  const last = target.arrivals.at(-1);
  expect(decodeURIComponent(last?.url ?? '')).toBe(
    "/beta/deviceManagement/deviceHealthScripts?$filter=displayName eq 'O''Brien''s script'",
  );
});

it('batched reads come back per id, with Graph’s error for the ones that failed', async () => {
  const { intune, target } = await tenant();
  const details = await intune.deviceDetails(['dev-1', 'missing', 'dev-1']);
  expect([...details.keys()]).toEqual(['dev-1', 'missing']);
  expect(details.get('dev-1')).toEqual({
    ok: true,
    value: { id: 'dev-1', hardwareInformation: { tpmVersion: '2.0' }, deviceHealthAttestationState: null },
  });
  expect(details.get('missing')).toEqual({
    ok: false,
    status: 404,
    code: 'ResourceNotFound',
    message: 'no such device',
  });
  const batch = JSON.parse(target.arrivals.at(-1)?.body ?? '') as {
    requests: { url: string; method: string }[];
  };
  expect(target.arrivals.at(-1)?.url).toBe('/beta/$batch');
  expect(batch.requests.map((r) => `${r.method} ${decodeURIComponent(r.url)}`)).toEqual([
    'GET /deviceManagement/managedDevices/dev-1?$select=id,hardwareInformation,deviceHealthAttestationState',
    'GET /deviceManagement/managedDevices/missing?$select=id,hardwareInformation,deviceHealthAttestationState',
  ]);

  const keys = await intune.recoveryKeyIds(["aad-1'"]);
  expect(target.arrivals.at(-1)?.url).toBe('/v1.0/$batch');
  expect(keys.get("aad-1'")).toMatchObject({ ok: true, value: [{ id: "key-for deviceId eq 'aad-1'''" }] });

  const devices = await intune.managedDevicesById(['dev-2']);
  expect(devices.get('dev-2')).toMatchObject({ ok: true, value: { id: 'dev-2' } });
});
