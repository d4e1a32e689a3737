/**
 * One budget per Intune service, as Microsoft publishes the limits (Microsoft Graph throttling
 * limits, "Intune service limits"): the compliance-setting calls belong to the device configuration
 * service (1,000 requests / 100 writes per 20 s per app), everything else tpm-doctor calls in
 * Intune to the devices service (2,000 / 200). The client paces each service on its own, and the
 * lab throttles each on its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import {
  INTUNE_DEVICE_CONFIGURATION_LIMITS,
  INTUNE_LIMITS,
  intuneServiceOf,
  serviceLimits,
} from '../../../src/fleet/graph/graph-limits.js';
import { ThrottleBudget } from '../../../src/fleet/graph/throttle-budget.js';
import { AppThrottle } from '../../../src/lab/tenant/throttle.js';
import { GraphTestServer, sendJson } from './support/graph-test-server.js';
import { StaticCredential } from './support/static-credential.js';

let server: GraphTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('which service each call of docs/graph-calls.md belongs to', () => {
  it.each([
    ['/deviceManagement/managedDevices?$top=1000', 'devices'],
    ['/deviceManagement/managedDevices/abc?$select=id', 'devices'],
    ['/deviceManagement/managedDevices/abc/syncDevice', 'devices'],
    ['/deviceManagement/managedDevices/executeAction', 'devices'],
    ['/deviceManagement/managedDevices/abc/initiateOnDemandProactiveRemediation', 'devices'],
    ['/deviceManagement/deviceHealthScripts/s/deviceRunStates', 'devices'],
    ['/informationProtection/bitlocker/recoveryKeys?$filter=x', 'devices'],
    [
      '/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates',
      'deviceConfiguration',
    ],
    ['/deviceManagement/managedDevices/abc/deviceCompliancePolicyStates', 'deviceConfiguration'],
  ])('%s → %s', (path, service) => {
    expect(intuneServiceOf(path)).toBe(service);
  });

  it('the published limits, and the same proportion for a lab window or a --graph-share', () => {
    expect(serviceLimits(INTUNE_LIMITS)).toEqual({
      devices: INTUNE_LIMITS,
      deviceConfiguration: INTUNE_DEVICE_CONFIGURATION_LIMITS,
    });
    expect(INTUNE_DEVICE_CONFIGURATION_LIMITS).toEqual({
      windowMs: 20_000,
      requestsPerWindow: 1_000,
      writesPerWindow: 100,
    });
    expect(
      serviceLimits({ windowMs: 200, requestsPerWindow: 1_000, writesPerWindow: 100 }).deviceConfiguration,
    ).toEqual({ windowMs: 200, requestsPerWindow: 500, writesPerWindow: 50 });
  });
});

describe('the client keeps one budget per service', () => {
  it('a compliance-setting read costs the device configuration budget, a device read the devices budget', async () => {
    server = await GraphTestServer.start((_request, response) => sendJson(response, 200, { value: [] }));
    const graph = new GraphClient({ baseUrl: server.url, credential: new StaticCredential() });
    expect(graph.budgets.deviceConfiguration.limits).toEqual(INTUNE_DEVICE_CONFIGURATION_LIMITS);
    expect(graph.budgets.devices).toBe(graph.budget);
    const devicesAcquire = graph.budgets.devices.acquire.bind(graph.budgets.devices);
    const configAcquire = graph.budgets.deviceConfiguration.acquire.bind(graph.budgets.deviceConfiguration);
    const costs: string[] = [];
    graph.budgets.devices.acquire = (cost, signal) => {
      costs.push(`devices ${cost.requests}`);
      return devicesAcquire(cost, signal);
    };
    graph.budgets.deviceConfiguration.acquire = (cost, signal) => {
      costs.push(`deviceConfiguration ${cost.requests}`);
      return configAcquire(cost, signal);
    };
    await graph.get('v1.0', '/deviceManagement/managedDevices');
    await graph.get(
      'v1.0',
      '/deviceManagement/deviceCompliancePolicySettingStateSummaries/Windows10CompliancePolicy.TpmRequired/deviceComplianceSettingStates',
    );
    expect(costs).toEqual(['devices 1', 'deviceConfiguration 1']);
  });

  it('a $batch mixing services goes out as one envelope per service, each costing its own budget', async () => {
    server = await GraphTestServer.start((request, response) => {
      const { requests } = JSON.parse(request.body) as { requests: { id: string }[] };
      return sendJson(response, 200, {
        responses: requests.map((r) => ({ id: r.id, status: 200, body: {} })),
      });
    });
    const graph = new GraphClient({ baseUrl: server.url, credential: new StaticCredential() });
    const answers = await graph.batch('v1.0', [
      { key: 'a', method: 'GET', url: '/deviceManagement/managedDevices/a' },
      { key: 'b', method: 'GET', url: '/deviceManagement/managedDevices/a/deviceCompliancePolicyStates' },
      { key: 'c', method: 'GET', url: '/deviceManagement/managedDevices/c' },
    ]);
    expect([...answers.keys()]).toEqual(['a', 'b', 'c']);
    const envelopes = server.arrivals.map((a) =>
      (JSON.parse(a.body) as { requests: { url: string }[] }).requests.map((r) => r.url),
    );
    expect(envelopes).toEqual([
      ['/deviceManagement/managedDevices/a', '/deviceManagement/managedDevices/c'],
      ['/deviceManagement/managedDevices/a/deviceCompliancePolicyStates'],
    ]);
  });
});

describe('the wait a progress line shows', () => {
  it('waitMs: 0 while the write window has room, then the time until the oldest write leaves it', async () => {
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 10, writesPerWindow: 1 },
      { safetyMarginMs: 0 },
    );
    expect(budget.waitMs({ requests: 1, writes: 1 })).toBe(0);
    (await budget.acquire({ requests: 1, writes: 1 })).settle();
    const wait = budget.waitMs({ requests: 1, writes: 1 });
    expect(wait).toBeGreaterThan(900);
    expect(wait).toBeLessThanOrEqual(1_000);
    // A read still has room.
    expect(budget.waitMs({ requests: 1, writes: 0 })).toBe(0);
  });
});

describe('the lab throttles each service on its own', () => {
  it('the 1,001st device configuration request in a window is a 429; the devices service still answers', () => {
    const throttle = new AppThrottle(INTUNE_LIMITS);
    for (let i = 0; i < 1_000; i++) expect(throttle.admit(1_000, false, 'deviceConfiguration').ok).toBe(true);
    expect(throttle.admit(1_000, false, 'deviceConfiguration').ok).toBe(false);
    for (let i = 0; i < 100; i++) expect(throttle.admit(1_000, false, 'devices').ok).toBe(true);
    // The window moves on: room again.
    expect(throttle.admit(1_000 + 20_001, false, 'deviceConfiguration').ok).toBe(true);
  });

  it('100 writes per window in the device configuration service, 200 in the devices service', () => {
    const throttle = new AppThrottle(INTUNE_LIMITS);
    for (let i = 0; i < 100; i++) expect(throttle.admit(0, true, 'deviceConfiguration').ok).toBe(true);
    expect(throttle.admit(0, true, 'deviceConfiguration').ok).toBe(false);
    for (let i = 0; i < 200; i++) expect(throttle.admit(0, true, 'devices').ok).toBe(true);
    expect(throttle.admit(0, true, 'devices').ok).toBe(false);
  });
});
