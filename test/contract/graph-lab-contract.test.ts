/**
 * The lab tenant against Microsoft's own examples and metadata: every entity a lab route returns
 * uses only property names Microsoft's example response for that call shows, with the same JSON
 * types, and never null where the v1.0 CSDL declares a property non-nullable
 * (test/contract/graph/: the examples verbatim, graph-metadata.json the CSDL's types). The lab also
 * refuses what Graph refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearScriptPackage } from '../../src/fleet/campaign/clear-script.js';
import { MANAGED_DEVICE_SELECT } from '../../src/fleet/graph/graph-types.js';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { deviceWith, graph, labToken } from '../lab/tenant/lab-http.js';
import { contract, jsonType, metadata, type PropertyMetadata } from './graph/contract-fixtures.js';

let lab: LabTenant;
let token: string;

beforeAll(async () => {
  lab = await startLabTenant({ devices: 400, seed: 9 });
  token = await labToken(lab);
});
afterAll(async () => {
  await lab?.close();
});

const ODATA_ANNOTATION = /^@odata\./;

/**
 * `entity` (from the lab) conforms to `example` (Microsoft's example of the same type): each of its
 * properties is one the example shows, of the same JSON type (objects checked inside); a null is
 * allowed only where the CSDL (`csdl`, v1.0 types) does not declare the property non-nullable.
 */
function expectConforms(
  entity: Record<string, unknown>,
  example: Record<string, unknown>,
  where: string,
  csdl?: Record<string, PropertyMetadata>,
  nested: Record<string, { example: Record<string, unknown>; csdl?: Record<string, PropertyMetadata> }> = {},
): void {
  for (const [name, value] of Object.entries(entity)) {
    if (ODATA_ANNOTATION.test(name)) continue;
    const at = `${where}.${name}`;
    expect(Object.hasOwn(example, name), `${at}: a property Microsoft's example shows`).toBe(true);
    if (value === null) {
      if (csdl?.[name] !== undefined)
        expect(csdl[name].nullable, `${at}: null, but the CSDL says non-nullable`).toBe(true);
      continue;
    }
    const expected = example[name];
    if (expected === null) continue;
    expect(jsonType(value), `${at}: JSON type`).toBe(jsonType(expected));
    const inner = nested[name];
    if (inner !== undefined && jsonType(value) === 'object') {
      expectConforms(value as Record<string, unknown>, inner.example, at, inner.csdl);
    }
  }
  // Non-nullable properties of the CSDL that the lab sent must not be null (checked above), and
  // those it left out are only the ones not selected.
}

function first<T>(body: unknown): T {
  const value = (body as { value: T[] }).value;
  expect(Array.isArray(value)).toBe(true);
  expect(value.length).toBeGreaterThan(0);
  return value[0]!;
}

const listExample = first<Record<string, unknown>>(contract('managed-devices-list'));
const betaGetExample = (contract('managed-device-get-beta') as { value: Record<string, unknown> }).value;
const dhaExample = betaGetExample.deviceHealthAttestationState as Record<string, unknown>;
const hwExample = betaGetExample.hardwareInformation as Record<string, unknown>;
const SELECT = MANAGED_DEVICE_SELECT.join(',');

describe("the lab's entities have Microsoft's property names, types and nullability", () => {
  it('#1 managedDevices (v1.0)', async () => {
    const r = await graph(lab, token, `/v1.0/deviceManagement/managedDevices?$select=${SELECT}&$top=50`);
    expect(r.status).toBe(200);
    for (const device of (r.body as { value: Record<string, unknown>[] }).value) {
      expectConforms(device, listExample, 'managedDevice', metadata.v1.managedDevice);
    }
  });

  it('#2 one device with its details (beta), and #3 (v1.0)', async () => {
    for (const condition of ['healthy', 'tpm-needs-clear', 'attestation-stale', 'tpm-lockout']) {
      const id = lab.views.managedDevice(deviceWith(lab, condition)).id;
      const beta = await graph(
        lab,
        token,
        `/beta/deviceManagement/managedDevices/${id}?$select=id,hardwareInformation,deviceHealthAttestationState`,
      );
      expect(beta.status).toBe(200);
      expectConforms(beta.body, betaGetExample, 'managedDevice', metadata.v1.managedDevice, {
        deviceHealthAttestationState: { example: dhaExample, csdl: metadata.v1.deviceHealthAttestationState },
        hardwareInformation: { example: hwExample },
      });
      const v1 = await graph(lab, token, `/v1.0/deviceManagement/managedDevices/${id}?$select=${SELECT}`);
      expect(v1.status).toBe(200);
      expectConforms(v1.body, listExample, 'managedDevice', metadata.v1.managedDevice);
    }
  });

  it('#4 setting states (v1.0): settingName null or the class-qualified ID, never a short name; dates never null', async () => {
    const filter = encodeURIComponent("not(state eq 'compliant') and not(state eq 'notApplicable')");
    const r = await graph(
      lab,
      token,
      `/v1.0/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates?$filter=${filter}`,
    );
    expect(r.status).toBe(200);
    const example = first<Record<string, unknown>>(contract('device-compliance-setting-states-list'));
    const states = (r.body as { value: Record<string, unknown>[] }).value;
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) {
      expectConforms(
        state,
        example,
        'deviceComplianceSettingState',
        metadata.v1.deviceComplianceSettingState,
      );
      expect([null, 'Windows10CompliancePolicy.TpmRequired']).toContain(state.settingName);
      expect(metadata.v1Enums.complianceStatus).toContain(state.state);
    }
  });

  it('#5 BitLocker recovery key IDs', async () => {
    const index = deviceWith(lab, 'healthy');
    const aad = lab.devices.fleet.aadIds[index]!;
    const r = await graph(
      lab,
      token,
      `/v1.0/informationProtection/bitlocker/recoveryKeys?$filter=${encodeURIComponent(`deviceId eq '${aad}'`)}`,
    );
    expect(r.status).toBe(200);
    const example = first<Record<string, unknown>>(contract('bitlocker-recovery-keys-list'));
    for (const key of (r.body as { value: Record<string, unknown>[] }).value) {
      expectConforms(key, example, 'bitlockerRecoveryKey', metadata.v1.bitlockerRecoveryKey);
    }
  });

  it('#8, #8b, #9: a package created from our body; the list leaves the script bodies empty, the read by id has them', async () => {
    const body = clearScriptPackage('# detection', { approvedBy: 'A. Admin', ticket: 'CHG-5' });
    const created = await graph(lab, token, '/beta/deviceManagement/deviceHealthScripts', {
      method: 'POST',
      body,
    });
    expect(created.status).toBe(201);
    const createExample = contract('device-health-script-create').response as Record<string, unknown>;
    expectConforms(created.body, createExample, 'deviceHealthScript');
    const id = (created.body as { id: string }).id;

    const listed = await graph(
      lab,
      token,
      `/beta/deviceManagement/deviceHealthScripts?$filter=${encodeURIComponent(`displayName eq '${body.displayName}'`)}`,
    );
    const listExampleScript = first<Record<string, unknown>>(contract('device-health-scripts-list'));
    const entry = first<Record<string, unknown>>(listed.body);
    expectConforms(entry, listExampleScript, 'deviceHealthScript');
    expect(entry.detectionScriptContent ?? '').toBe('');
    expect(entry.remediationScriptContent ?? '').toBe('');

    const read = await graph(lab, token, `/beta/deviceManagement/deviceHealthScripts/${id}`);
    expect(read.status).toBe(200);
    const getExample = (contract('device-health-script-get') as { value: Record<string, unknown> }).value;
    expectConforms(read.body, getExample, 'deviceHealthScript');
    expect(read.body).toMatchObject({
      detectionScriptContent: body.detectionScriptContent,
      remediationScriptContent: body.remediationScriptContent,
    });
  });

  it("#9 accepts Microsoft's example request body as it stands", async () => {
    const created = await graph(lab, token, '/beta/deviceManagement/deviceHealthScripts', {
      method: 'POST',
      body: contract('device-health-script-create').request,
    });
    expect(created.status).toBe(201);
  });

  it('#10, #11: a run requested with the example body shape; run states in the example shape', async () => {
    const body = clearScriptPackage('# detection', { approvedBy: 'A. Admin', ticket: 'CHG-6' });
    const created = await graph(lab, token, '/beta/deviceManagement/deviceHealthScripts', {
      method: 'POST',
      body,
    });
    const scriptId = (created.body as { id: string }).id;
    const id = lab.views.managedDevice(deviceWith(lab, 'tpm-needs-clear')).id;
    const run = await graph(
      lab,
      token,
      `/beta/deviceManagement/managedDevices/${id}/initiateOnDemandProactiveRemediation`,
      {
        method: 'POST',
        body: {
          ...(contract('initiate-on-demand-proactive-remediation').request as object),
          scriptPolicyId: scriptId,
        },
      },
    );
    expect(run.status).toBe(204);
    const states = await graph(
      lab,
      token,
      `/beta/deviceManagement/deviceHealthScripts/${scriptId}/deviceRunStates?$expand=managedDevice($select=id)`,
    );
    expect(states.status).toBe(200);
    const example = first<Record<string, unknown>>(contract('device-health-script-device-states-list'));
    for (const state of (states.body as { value: Record<string, unknown>[] }).value) {
      const { managedDevice: _expanded, ...own } = state;
      expectConforms(own, example, 'deviceHealthScriptDeviceState');
      expect(metadata.betaEnums.runState).toContain(state.detectionState);
      expect(metadata.betaEnums.remediationState).toContain(state.remediationState);
    }
  });

  it("#19 executeAction: Microsoft's example request as it stands, and sync/reboot; the answer has the four lists, nothing else", async () => {
    const names = contract('execute-action-metadata') as {
      bulkManagedDeviceActionResult: string[];
      managedDeviceRemoteAction: string[];
    };
    const example = (contract('execute-action').response as { value: Record<string, unknown> }).value;
    const expectResult = (body: Record<string, unknown>): void => {
      expectConforms(body, example, 'bulkManagedDeviceActionResult');
      const own = Object.keys(body).filter((name) => !ODATA_ANNOTATION.test(name));
      expect(own.sort()).toEqual([...names.bulkManagedDeviceActionResult].sort());
      for (const name of own)
        expect((body[name] as unknown[]).every((id) => typeof id === 'string')).toBe(true);
    };
    const asExample = await graph(lab, token, '/beta/deviceManagement/managedDevices/executeAction', {
      method: 'POST',
      body: contract('execute-action').request,
    });
    expect(asExample.status).toBe(200);
    expectResult(asExample.body);
    // "Device Ids value" is no device of this tenant.
    expect(asExample.body.notFoundDeviceIds).toEqual(['Device Ids value']);

    const a = lab.views.managedDevice(0).id;
    const b = lab.views.managedDevice(1).id;
    const before = [lab.devices.postCount(0), lab.devices.postCount(1)];
    for (const actionName of ['syncDevice', 'rebootNow']) {
      const r = await graph(lab, token, '/beta/deviceManagement/managedDevices/executeAction', {
        method: 'POST',
        body: { actionName, deviceIds: [a, b] },
      });
      expect(r.status).toBe(200);
      expectResult(r.body);
      expect(r.body.successfulDeviceIds).toEqual([a, b]);
    }
    expect([lab.devices.postCount(0), lab.devices.postCount(1)]).toEqual([before[0]! + 2, before[1]! + 2]);
    // Every member of the enum is a valid actionName; the lab simulates sync and reboot only.
    for (const actionName of names.managedDeviceRemoteAction.filter(
      (n) => n !== 'syncDevice' && n !== 'rebootNow',
    )) {
      const r = await graph(lab, token, '/beta/deviceManagement/managedDevices/executeAction', {
        method: 'POST',
        body: { actionName, deviceIds: [a] },
      });
      expect(r.status, actionName).toBe(200);
      expect(r.body.notSupportedDeviceIds).toEqual([a]);
    }
  });

  it('#12 $batch answers in the example envelope shape', async () => {
    const id = lab.views.managedDevice(0).id;
    const r = await graph(lab, token, '/v1.0/$batch', {
      method: 'POST',
      body: {
        requests: [{ id: '1', method: 'GET', url: `/deviceManagement/managedDevices/${id}?$select=id` }],
      },
    });
    expect(r.status).toBe(200);
    const example = (contract('batch').response as { responses: Record<string, unknown>[] }).responses[0]!;
    for (const answer of (r.body as { responses: Record<string, unknown>[] }).responses) {
      for (const name of Object.keys(answer)) expect(Object.hasOwn(example, name), name).toBe(true);
      expect(typeof answer.status).toBe('number');
    }
  });

  it('#14 compliance policy states and their setting states: CSDL names, never null where non-nullable', async () => {
    const id = lab.views.managedDevice(deviceWith(lab, 'tpm-needs-clear')).id;
    const r = await graph(
      lab,
      token,
      `/v1.0/deviceManagement/managedDevices/${id}/deviceCompliancePolicyStates`,
    );
    expect(r.status).toBe(200);
    // The page's example shows type names as values: the CSDL is the reference for types here.
    const policyCsdl = metadata.v1.deviceCompliancePolicyState!;
    const settingCsdl = metadata.v1.deviceCompliancePolicySettingState!;
    for (const policy of (r.body as { value: Record<string, unknown>[] }).value) {
      for (const [name, value] of Object.entries(policy)) {
        if (name === 'id') continue;
        expect(Object.hasOwn(policyCsdl, name), name).toBe(true);
        if (value === null) expect(policyCsdl[name]!.nullable, name).toBe(true);
      }
      for (const [name, meta] of Object.entries(policyCsdl))
        if (!meta.nullable) expect(policy[name], name).not.toBeNull();
      for (const setting of policy.settingStates as Record<string, unknown>[]) {
        for (const [name, value] of Object.entries(setting)) {
          expect(Object.hasOwn(settingCsdl, name), name).toBe(true);
          if (value === null) expect(settingCsdl[name]!.nullable, name).toBe(true);
        }
        expect(String(setting.setting)).toMatch(/^\w+\.\w+$/);
        expect([null, setting.setting]).toContain(setting.settingName);
      }
    }
  });
});

describe('the lab refuses what Graph refuses', () => {
  it('$select=hardwareInformation on v1.0 (beta-only: not in the v1.0 CSDL), listed or by id', async () => {
    expect(Object.hasOwn(metadata.v1.managedDevice!, 'hardwareInformation')).toBe(false);
    const id = lab.views.managedDevice(0).id;
    for (const path of [
      '/v1.0/deviceManagement/managedDevices?$select=id,hardwareInformation',
      `/v1.0/deviceManagement/managedDevices/${id}?$select=id,hardwareInformation`,
    ]) {
      const r = await graph(lab, token, path);
      expect(r.status, path).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'BadRequest' } });
    }
  });

  it('executeAction: only in beta, only members of managedDeviceRemoteAction, at most 100 device ids; the refusal fault', async () => {
    const id = lab.views.managedDevice(2).id;
    const post = (version: string, body: unknown) =>
      graph(lab, token, `/${version}/deviceManagement/managedDevices/executeAction`, {
        method: 'POST',
        body,
      });
    expect((await post('v1.0', { actionName: 'syncDevice', deviceIds: [id] })).status).toBe(400);
    expect((await post('beta', { actionName: 'sync', deviceIds: [id] })).status).toBe(400);
    expect((await post('beta', { actionName: 'syncDevice', deviceIds: [] })).status).toBe(400);
    expect((await post('beta', { actionName: 'syncDevice', deviceIds: id })).status).toBe(400);
    const tooMany = Array.from({ length: 101 }, (_, i) => lab.views.managedDevice(i).id);
    expect((await post('beta', { actionName: 'syncDevice', deviceIds: tooMany })).status).toBe(400);
    const before = lab.devices.postCount(2);
    for (const status of [400, 403, 404, 405, 501] as const) {
      lab.bulkActions.refusedWith = status;
      try {
        const refused = await post('beta', { actionName: 'syncDevice', deviceIds: [id] });
        expect(refused.status).toBe(status);
        expect(refused.body).toHaveProperty('error.code');
      } finally {
        lab.bulkActions.refusedWith = null;
      }
    }
    expect(lab.devices.postCount(2)).toBe(before);
  });

  it('`ne` in $filter, where not(... eq ...) is the documented form', async () => {
    for (const path of [
      `/v1.0/deviceManagement/managedDevices?$filter=${encodeURIComponent("complianceState ne 'compliant'")}`,
      `/v1.0/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates?$filter=${encodeURIComponent("state ne 'compliant'")}`,
    ]) {
      const r = await graph(lab, token, path);
      expect(r.status, path).toBe(400);
    }
    const not = await graph(
      lab,
      token,
      `/v1.0/deviceManagement/managedDevices?$filter=${encodeURIComponent("not(complianceState eq 'compliant')")}&$select=id,complianceState`,
    );
    expect(not.status).toBe(200);
    for (const d of (not.body as { value: { complianceState: string }[] }).value)
      expect(d.complianceState).not.toBe('compliant');
  });
});
