import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGED_DEVICE_SELECT } from '../../../src/fleet/graph/graph-types.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { allPages, deviceWith, graph, labToken } from './lab-http.js';

const SELECT = MANAGED_DEVICE_SELECT.join(',');
const LIST = `/v1.0/deviceManagement/managedDevices?$filter=${encodeURIComponent("operatingSystem eq 'Windows'")}&$select=${SELECT}`;

describe('lab tenant: Graph reads', () => {
  let lab: LabTenant;
  let token: string;
  beforeAll(async () => {
    lab = await startLabTenant({ devices: 1250, seed: 5 });
    token = await labToken(lab);
  });
  afterAll(() => lab.close());

  it('pages managedDevices 1,000 at a time with absolute nextLinks to the end; counts match the seed', async () => {
    const pages = await allPages<Record<string, unknown>>(lab, token, `${LIST}&$top=1000`);
    expect(pages.map((p) => p.value.length)).toEqual([1000, 250]);
    expect(pages[0]!['@odata.context']).toBe(
      `${lab.url}/v1.0/$metadata#deviceManagement/managedDevices(${SELECT})`,
    );
    const next = pages[0]!['@odata.nextLink']!;
    expect(next.startsWith(`${lab.url}/v1.0/deviceManagement/managedDevices?`)).toBe(true);
    expect(next).toContain('$skiptoken=');
    expect(pages[1]!['@odata.nextLink']).toBeUndefined();
    const ids = pages.flatMap((p) => p.value.map((d) => d.id));
    expect(ids).toEqual(lab.devices.fleet.ids);
  });

  it('honours a smaller $top and caps $top at 1,000', async () => {
    const small = await allPages(lab, token, `${LIST}&$top=500`);
    expect(small.map((p) => p.value.length)).toEqual([500, 500, 250]);
    const big = await graph<{ value: unknown[] }>(lab, token, `${LIST}&$top=5000`);
    expect(big.body.value.length).toBe(1000);
  });

  it('returns only the $select-ed properties; lists leave the details null', async () => {
    const r = await graph<{ value: Record<string, unknown>[] }>(
      lab,
      token,
      // hardwareInformation is beta-only: v1.0 refuses it (test/contract/graph-lab-contract.test.ts).
      '/beta/deviceManagement/managedDevices?$select=id,deviceName,hardwareInformation&$top=3',
    );
    expect(r.status).toBe(200);
    for (const d of r.body.value) {
      expect(Object.keys(d).sort()).toEqual(['deviceName', 'hardwareInformation', 'id']);
      expect(d.hardwareInformation).toBeNull();
    }
    const full = await graph<{ value: Record<string, unknown>[] }>(lab, token, `${LIST}&$top=1`);
    expect(Object.keys(full.body.value[0]!).sort()).toEqual([...MANAGED_DEVICE_SELECT].sort());
    expect(full.body.value[0]).toMatchObject({ operatingSystem: 'Windows', managementAgent: 'mdm' });
  });

  it('answers 400 BadRequest, in Graph shape, for an unknown filter, property, option or skiptoken', async () => {
    const bad = [
      `/v1.0/deviceManagement/managedDevices?$filter=${encodeURIComponent("deviceName eq 'x'")}`,
      `/v1.0/deviceManagement/managedDevices?$filter=${encodeURIComponent("startswith(deviceName,'x')")}`,
      '/v1.0/deviceManagement/managedDevices?$select=id,favouriteColour',
      '/v1.0/deviceManagement/managedDevices?$orderby=deviceName',
      '/v1.0/deviceManagement/managedDevices?$skiptoken=garbage',
      '/v1.0/deviceManagement/notAThing',
    ];
    for (const path of bad) {
      const r = await graph<{ error: { code: string; message: string; innerError: Record<string, string> } }>(
        lab,
        token,
        path,
      );
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe('BadRequest');
      expect(r.body.error.message.length).toBeGreaterThan(10);
      expect(r.body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof r.body.error.innerError.date).toBe('string');
    }
  });

  it('filters by complianceState as the state says', async () => {
    const filter = encodeURIComponent("operatingSystem eq 'Windows' and complianceState eq 'noncompliant'");
    const pages = await allPages<{ id: string; complianceState: string }>(
      lab,
      token,
      `/v1.0/deviceManagement/managedDevices?$filter=${filter}&$select=id,complianceState`,
    );
    const listed = pages.flatMap((p) => p.value);
    const expected = lab.devices.fleet.ids.filter((_, i) => lab.views.complianceState(i) === 'noncompliant');
    expect(listed.map((d) => d.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('reads one device with its details on beta; v1.0 has no hardwareInformation', async () => {
    const index = deviceWith(lab, 'tpm-vulnerable-firmware');
    const id = lab.devices.fleet.ids[index]!;
    const beta = await graph<Record<string, unknown>>(
      lab,
      token,
      `/beta/deviceManagement/managedDevices/${id}?$select=id,hardwareInformation,deviceHealthAttestationState`,
    );
    expect(beta.status).toBe(200);
    expect(beta.body).toMatchObject({
      id,
      hardwareInformation: {
        tpmManufacturer: lab.devices.profile(index).tpm.id,
        tpmSpecificationVersion: expect.any(String),
      },
      deviceHealthAttestationState: { tpmVersion: '2.0' },
    });
    const v1 = await graph(
      lab,
      token,
      `/v1.0/deviceManagement/managedDevices/${id}?$select=id,hardwareInformation`,
    );
    expect(v1.status).toBe(400);
    const missing = await graph(
      lab,
      token,
      '/v1.0/deviceManagement/managedDevices/00000000-0000-4000-8000-000000000000',
    );
    expect(missing.status).toBe(404);
  });

  it('lists non-compliant setting states tenant-wide, and only those', async () => {
    const filter = encodeURIComponent(
      "not(state eq 'compliant') and not(state eq 'notApplicable') and not(state eq 'notAssigned')",
    );
    const pages = await allPages<{ deviceId: string; state: string; setting: string }>(
      lab,
      token,
      `/v1.0/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates?$filter=${filter}`,
    );
    const listed = pages.flatMap((p) => p.value);
    const tpmConditions = [
      'tpm-needs-clear',
      'tpm-needs-clear-no-escrow',
      'tpm-lockout',
      'tpm-vulnerable-firmware',
      'stays-broken',
    ];
    const expected = lab.devices.fleet.ids.filter((_, i) => tpmConditions.includes(lab.devices.condition(i)));
    expect(listed.map((s) => s.deviceId)).toEqual(expected);
    for (const s of listed) {
      expect(['nonCompliant', 'error']).toContain(s.state);
      expect(s.setting).toBe('Windows10CompliancePolicy.TpmRequired');
    }
    // The summaries exist in beta too (the v1.0 CSDL has them as well: they used to be refused
    // there), and `ne` is refused where the documented not(... eq ...) is taken.
    const beta = await graph(
      lab,
      token,
      '/beta/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates',
    );
    expect(beta.status).toBe(200);
    const ne = await graph(
      lab,
      token,
      `/v1.0/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates?$filter=${encodeURIComponent("state ne 'compliant'")}`,
    );
    expect(ne.status).toBe(400);
  });

  it('lists recovery key ids by Entra device id, never key material, and needs a User-Agent', async () => {
    const index = deviceWith(lab, 'tpm-needs-clear');
    const aad = lab.devices.fleet.aadIds[index]!;
    const path = `/v1.0/informationProtection/bitlocker/recoveryKeys?$filter=${encodeURIComponent(`deviceId eq '${aad}'`)}`;
    const r = await graph<{ value: Record<string, unknown>[] }>(lab, token, path);
    expect(r.status).toBe(200);
    expect(r.body.value).toEqual([
      {
        id: lab.devices.keyIds(index).recoveryProtectorId.toLowerCase(),
        createdDateTime: expect.any(String),
        volumeType: '1',
        deviceId: aad,
      },
    ]);
    expect(JSON.stringify(r.body)).not.toMatch(/"key"/);
    const key = await graph(lab, token, `${path}&$select=key`);
    expect(key.status).toBe(403);
    const noUa = await fetch(`${lab.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, 'user-agent': '' },
    });
    expect(noUa.status).toBe(400);
  });
});
