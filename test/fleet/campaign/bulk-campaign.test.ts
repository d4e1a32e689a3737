/**
 * Sync and reboot campaigns posted with executeAction (beta, docs/graph-calls.md #19): against the
 * real lab tenant over loopback HTTP, the real Graph client and a real SQLite store, every device
 * is posted exactly once (the lab's own action counters are the witness), in ceil(N / 100) calls;
 * when the lab refuses executeAction the campaign falls back to one POST per device, still once
 * each; a Ctrl-C between calls and the resume never post twice. Then each list of executeAction's
 * answer, and each way the call can fail, against a Graph stand-in that answers exactly that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBulkPostPhase } from '../../../src/fleet/campaign/bulk-post-phase.js';
import { type RunCampaignOptions, runCampaign } from '../../../src/fleet/campaign/campaign-runner.js';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import type { DevicePhase } from '../../../src/fleet/store/fleet-store.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { GraphTestServer, graphErrorBody, sendJson } from '../graph/support/graph-test-server.js';
import { StaticCredential } from '../graph/support/static-credential.js';
import { type LabHarness, startLabHarness } from './support/lab-harness.js';

const UNKNOWN_DEVICE = '00000000-0000-4000-8000-00000000dead';
let harness: LabHarness | undefined;
let server: GraphTestServer | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await server?.close();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const FAST: Pick<RunCampaignOptions, 'pollIntervalMs' | 'concurrency' | 'bulk'> = {
  pollIntervalMs: 40,
  concurrency: 16,
  bulk: { batchSize: 100 },
};

function skewableClock(): { now: () => Date; jump: () => void } {
  let skewMs = 0;
  return { now: () => new Date(Date.now() + skewMs), jump: () => (skewMs = 48 * 3_600_000) };
}

async function phasesById(
  h: { store: SqliteFleetStore },
  campaignId: string,
): Promise<Map<string, DevicePhase>> {
  return new Map((await h.store.campaignDevices(campaignId)).map((d) => [d.deviceId, d.phase]));
}

describe('a sync campaign in executeAction calls, against the lab tenant', () => {
  it('250 devices and an unknown one: 3 calls, every device synced once, the unknown one failed as not found, no 429', async () => {
    const h = await startLabHarness({ devices: 600, seed: 21 });
    harness = h;
    const healthy = h.devicesIn('healthy', 250);
    const selected = [...healthy, UNKNOWN_DEVICE];
    await h.store.createCampaign(h.newCampaign('c-bulk', selected));
    const clock = skewableClock();
    const waitsAskedFor: number[] = [];
    const result = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-bulk',
      ...FAST,
      now: clock.now,
      writeWindowWaitMs: (writes) => {
        waitsAskedFor.push(writes);
        return 0;
      },
      onProgress: ({ counts }) => {
        if (counts.pending + counts.posting === 0 && counts.compliant === healthy.length) clock.jump();
      },
    });
    expect(result.status).toBe('finished');
    expect(result.bulk).toEqual({ calls: 3, refused: null });
    // "Waiting for the next write window" is the wait for a whole call's writes, never more than 100.
    expect(Math.max(...waitsAskedFor)).toBeGreaterThan(1);
    expect(Math.max(...waitsAskedFor)).toBeLessThanOrEqual(100);
    expect(h.tenant.bulkActions.calls).toBe(3);
    expect(result.sent).toBe(selected.length);
    for (const id of healthy) expect(h.actions.get(id)).toBe(1);
    expect(h.actions.size).toBe(healthy.length);
    const devices = new Map((await h.store.campaignDevices('c-bulk')).map((d) => [d.deviceId, d]));
    for (const id of healthy) expect(devices.get(id)?.phase).toBe('compliant');
    expect(devices.get(UNKNOWN_DEVICE)?.phase).toBe('failed');
    expect(devices.get(UNKNOWN_DEVICE)?.error).toMatch(/not found \(notFoundDeviceIds\)/);
    const app = Object.values(h.tenant.stats().apps)[0]!;
    expect(app.throttled).toBe(0);
    // Counted by the lab as one write per device named, as the client paces it.
    expect(app.writes).toBe(selected.length);
  });

  it('refused by Graph (403): the call acted on nothing, and every device is posted one by one, once', async () => {
    const h = await startLabHarness({ devices: 400, seed: 22 });
    harness = h;
    h.tenant.bulkActions.refusedWith = 403;
    const selected = h.devicesIn('healthy', 150);
    await h.store.createCampaign(h.newCampaign('c-refused', selected));
    const clock = skewableClock();
    const result = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-refused',
      ...FAST,
      now: clock.now,
      onProgress: ({ counts }) => {
        if (counts.pending + counts.posting === 0 && counts.compliant === selected.length) clock.jump();
      },
    });
    expect(result.status).toBe('finished');
    expect(result.bulk?.refused).toMatch(/HTTP 403 Forbidden/);
    expect(h.tenant.bulkActions.calls).toBe(0);
    expect(result.sent).toBe(selected.length);
    for (const id of selected) expect(h.actions.get(id)).toBe(1);
    const phases = await phasesById(h, 'c-refused');
    for (const id of selected) expect(phases.get(id)).toBe('compliant');
  });

  it('a reboot campaign sends rebootNow in bulk', async () => {
    const h = await startLabHarness({ devices: 300, seed: 23 });
    harness = h;
    const selected = h.devicesIn('healthy', 120);
    await h.store.createCampaign({ ...h.newCampaign('c-reboot', selected), action: 'reboot' });
    const rebooted: number[] = [];
    const rebootNow = h.tenant.devices.rebootNow.bind(h.tenant.devices);
    h.tenant.devices.rebootNow = (index) => {
      rebooted.push(index);
      rebootNow(index);
    };
    const result = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-reboot',
      ...FAST,
      postOnly: true,
    });
    expect(result.bulk).toEqual({ calls: 2, refused: null });
    expect(rebooted).toHaveLength(selected.length);
    expect(new Set(rebooted).size).toBe(selected.length);
  });

  it('Ctrl-C after the first call: the call in flight is recorded, the resume posts the rest, none twice', async () => {
    const h = await startLabHarness({ devices: 600, seed: 24 });
    harness = h;
    const selected = h.devicesIn('healthy', 400);
    await h.store.createCampaign(h.newCampaign('c-stop', selected));
    const controller = new AbortController();
    const syncDevice = h.tenant.devices.syncDevice.bind(h.tenant.devices);
    h.tenant.devices.syncDevice = (index) => {
      // A state, not a time: once the lab has acted on a first call, Ctrl-C.
      if (h.tenant.bulkActions.calls >= 1) controller.abort();
      syncDevice(index);
    };
    const first = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-stop',
      ...FAST,
      signal: controller.signal,
    });
    expect(first.status).toBe('stopped');
    expect(first.counts.posting).toBe(0);
    expect(first.counts.pending).toBeGreaterThan(0);
    const afterStop = await phasesById(h, 'c-stop');
    for (const id of selected) expect(h.actions.get(id) ?? 0).toBe(afterStop.get(id) === 'pending' ? 0 : 1);

    const clock = skewableClock();
    const second = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-stop',
      ...FAST,
      now: clock.now,
      onProgress: ({ counts }) => {
        if (counts.pending + counts.posting === 0 && counts.compliant === selected.length) clock.jump();
      },
    });
    expect(second.status).toBe('finished');
    expect(first.sent + second.sent).toBe(selected.length);
    for (const id of selected) expect(h.actions.get(id)).toBe(1);
  });
});

/** A Graph stand-in answering executeAction with `answer`, and a store holding one campaign. */
async function standIn(
  answer: (deviceIds: string[]) => { status: number; body?: unknown },
  deviceIds: readonly string[],
): Promise<{ store: SqliteFleetStore; intune: IntuneClient; calls: () => number }> {
  let calls = 0;
  server = await GraphTestServer.start((request, response) => {
    const url = new URL(request.url, 'http://x');
    if (request.method === 'POST' && url.pathname === '/beta/deviceManagement/managedDevices/executeAction') {
      calls++;
      const { deviceIds: ids } = JSON.parse(request.body) as { deviceIds: string[] };
      const { status, body } = answer(ids);
      return sendJson(response, status, body ?? {});
    }
    // Tracking reads: no device answers, so nothing moves past posted.
    return sendJson(response, 404, graphErrorBody('ResourceNotFound', 'not in this test'));
  });
  const graph = new GraphClient({
    baseUrl: server.url,
    credential: new StaticCredential(),
    timeoutMs: 2_000,
    maxRetries: 1,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-bulk-'));
  dirs.push(dir);
  const store = await SqliteFleetStore.open(path.join(dir, 'fleet.sqlite'));
  await store.createCampaign({
    id: 'c',
    action: 'sync',
    target: `${server.url} tenant test`,
    selection: 'test devices',
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
    devices: deviceIds.map((deviceId) => ({ deviceId, deviceName: null, baselineSync: null })),
  });
  return { store, intune: new IntuneClient(graph), calls: () => calls };
}

const IDS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '33333333-3333-4333-8333-333333333333',
  '44444444-4444-4444-8444-444444444444',
  '55555555-5555-4555-8555-555555555555',
];

describe("each device's outcome is recorded once, from executeAction's answer", () => {
  it('successful → posted; failed, not found, not supported → failed saying which; unlisted → unconfirmed', async () => {
    const [ok, failed, notFound, notSupported, unlisted] = IDS as [string, string, string, string, string];
    const t = await standIn(
      () => ({
        status: 200,
        // Microsoft's example wraps the result in "value"; ids in another case are the same ids.
        body: {
          value: {
            '@odata.type': 'microsoft.graph.bulkManagedDeviceActionResult',
            successfulDeviceIds: [ok.toUpperCase()],
            failedDeviceIds: [failed],
            notFoundDeviceIds: [notFound],
            notSupportedDeviceIds: [notSupported],
          },
        },
      }),
      IDS,
    );
    try {
      const result = await runCampaign({
        intune: t.intune,
        store: t.store,
        campaignId: 'c',
        ...FAST,
        postOnly: true,
      });
      expect(t.calls()).toBe(1);
      expect(result.sent).toBe(5);
      const devices = new Map((await t.store.campaignDevices('c')).map((d) => [d.deviceId, d]));
      expect(devices.get(ok)?.phase).toBe('posted');
      expect(devices.get(failed)).toMatchObject({
        phase: 'failed',
        error: expect.stringMatching(/failedDeviceIds/),
      });
      expect(devices.get(notFound)).toMatchObject({
        phase: 'failed',
        error: expect.stringMatching(/notFoundDeviceIds/),
      });
      expect(devices.get(notSupported)).toMatchObject({
        phase: 'failed',
        error: expect.stringMatching(/notSupportedDeviceIds/),
      });
      expect(devices.get(unlisted)).toMatchObject({
        phase: 'unconfirmed',
        error: expect.stringMatching(/without listing this device/),
      });
    } finally {
      await t.store.close();
    }
  });

  it('a 504 (Graph may have acted): every device of the call unconfirmed, none sent again', async () => {
    const t = await standIn(() => ({ status: 504, body: graphErrorBody('GatewayTimeout', 'late') }), IDS);
    try {
      const result = await runCampaign({
        intune: t.intune,
        store: t.store,
        campaignId: 'c',
        ...FAST,
        postOnly: true,
      });
      expect(t.calls()).toBe(1);
      expect(result.counts.unconfirmed).toBe(IDS.length);
      expect(result.bulk).toEqual({ calls: 1, refused: null });
    } finally {
      await t.store.close();
    }
  });

  it('a 200 whose answer is not a bulkManagedDeviceActionResult: every device unconfirmed, and the run stops for a human', async () => {
    const t = await standIn(() => ({ status: 200, body: { successfulDeviceIds: 'all of them' } }), IDS);
    try {
      await expect(
        runCampaign({ intune: t.intune, store: t.store, campaignId: 'c', ...FAST, postOnly: true }),
      ).rejects.toThrow(/MalformedResponse/);
      expect(t.calls()).toBe(1);
      const phases = await phasesById(t, 'c');
      for (const id of IDS) expect(phases.get(id)).toBe('unconfirmed');
    } finally {
      await t.store.close();
    }
  });

  it('a 503 past the retries (Graph did not process it): the devices stay pending and the run stops', async () => {
    const t = await standIn(() => ({ status: 503, body: graphErrorBody('ServiceUnavailable', 'busy') }), IDS);
    try {
      await expect(
        runCampaign({ intune: t.intune, store: t.store, campaignId: 'c', ...FAST, postOnly: true }),
      ).rejects.toThrow(/503/);
      // The first attempt and the one retry, both refused: never a POST per device.
      expect(t.calls()).toBe(2);
      expect(server?.arrivals.filter((a) => a.url.endsWith('/syncDevice'))).toHaveLength(0);
      const phases = await phasesById(t, 'c');
      for (const id of IDS) expect(phases.get(id)).toBe('pending');
    } finally {
      await t.store.close();
    }
  });

  it("a device another runner marked first is left out of the call (and out of this runner's records)", async () => {
    const bodies: string[][] = [];
    const t = await standIn((deviceIds) => {
      bodies.push(deviceIds);
      return { status: 200, body: { successfulDeviceIds: deviceIds } };
    }, IDS);
    try {
      const [taken, ...rest] = IDS as [string, ...string[]];
      // The other runner's mark: its POST is its own business.
      await t.store.changePhases('c', [{ deviceId: taken, from: ['pending'], to: 'posting' }]);
      const devices = await t.store.campaignDevices('c');
      const result = await runBulkPostPhase({
        store: t.store,
        campaignId: 'c',
        intune: t.intune,
        action: 'syncDevice',
        batchSize: 100,
        concurrency: 2,
        devices,
        signal: new AbortController().signal,
        deadline: new Date(Date.now() + 3_600_000),
        now: () => new Date(),
      });
      expect(result).toMatchObject({ sent: rest.length, calls: 1 });
      expect(bodies).toEqual([rest]);
      const phases = await phasesById(t, 'c');
      expect(phases.get(taken)).toBe('posting');
      for (const id of rest) expect(phases.get(id)).toBe('posted');
    } finally {
      await t.store.close();
    }
  });

  for (const status of [400, 404, 405, 501]) {
    it(`a ${status} refuses the call as a whole: the devices are posted one by one`, async () => {
      const t = await standIn(
        () => ({ status, body: graphErrorBody('Refused', `refused with ${status}`) }),
        IDS,
      );
      try {
        const result = await runCampaign({
          intune: t.intune,
          store: t.store,
          campaignId: 'c',
          ...FAST,
          postOnly: true,
        });
        expect(result.bulk?.refused).toContain(`HTTP ${status}`);
        const perDevice = server!.arrivals.filter((a) => a.url.endsWith('/syncDevice')).map((a) => a.url);
        expect(perDevice.sort()).toEqual(
          IDS.map((id) => `/v1.0/deviceManagement/managedDevices/${id}/syncDevice`).sort(),
        );
      } finally {
        await t.store.close();
      }
    });
  }
});
