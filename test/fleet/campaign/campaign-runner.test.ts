/**
 * Campaigns end to end, against the real lab tenant over loopback HTTP, the real Graph client and
 * a real SQLite store: every device posted exactly once, each tracked to the end its lab condition
 * dictates, Ctrl-C then resume, and a crash between the posting mark and Graph's answer.
 *
 * Deadlines: instead of waiting out a real deadline, the runner's clock is moved past it once every
 * device that can finish has finished (the lab keeps real time). No assertion depends on speed.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { errorReport } from '../../../src/errors.js';
import { EXIT } from '../../../src/exit-codes.js';
import { CampaignError } from '../../../src/fleet/campaign/campaign-error.js';
import { formatProgressLine } from '../../../src/fleet/campaign/campaign-progress.js';
import { type RunCampaignOptions, runCampaign } from '../../../src/fleet/campaign/campaign-runner.js';
import { campaignStatus, renderCampaignStatus } from '../../../src/fleet/campaign/campaign-status.js';
import { createCampaign } from '../../../src/fleet/campaign/create-campaign.js';
import { GraphError } from '../../../src/fleet/graph/graph-error.js';
import type { DevicePhase } from '../../../src/fleet/store/fleet-store.js';
import { type LabHarness, startLabHarness } from './support/lab-harness.js';

const UNKNOWN_DEVICE = '00000000-0000-4000-8000-00000000dead';
let harness: LabHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A clock that can jump forward, for the runner only. */
function skewableClock(): { now: () => Date; jump: () => void } {
  let skewMs = 0;
  return { now: () => new Date(Date.now() + skewMs), jump: () => (skewMs = 48 * 3_600_000) };
}

const FAST: Pick<RunCampaignOptions, 'pollIntervalMs' | 'concurrency'> = {
  pollIntervalMs: 40,
  concurrency: 16,
};

async function phasesById(h: LabHarness, campaignId: string): Promise<Map<string, DevicePhase>> {
  return new Map((await h.store.campaignDevices(campaignId)).map((d) => [d.deviceId, d.phase]));
}

describe('a sync campaign against the lab tenant', () => {
  it('posts every device once and tracks each to its end: compliant, timed out, or failed', async () => {
    const h = await startLabHarness({ devices: 2_000, seed: 7 });
    harness = h;
    const healthy = h.devicesIn('healthy', 250);
    const syncStale = h.devicesIn('sync-stale');
    const staysBroken = h.devicesIn('stays-broken');
    const needsClear = h.devicesIn('tpm-needs-clear', 10);
    expect(syncStale.length).toBeGreaterThan(0);
    expect(staysBroken.length).toBeGreaterThan(0);
    expect(needsClear.length).toBeGreaterThan(0);
    const selected = [...healthy, ...syncStale, ...staysBroken, ...needsClear, UNKNOWN_DEVICE];
    await h.store.createCampaign(h.newCampaign('c-sync', selected));

    const clock = skewableClock();
    const lines: string[] = [];
    const result = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-sync',
      ...FAST,
      now: clock.now,
      onProgress: (progress) => {
        lines.push(formatProgressLine(progress));
        const { counts } = progress;
        const settled =
          counts.pending + counts.posting === 0 &&
          counts.compliant === healthy.length + syncStale.length &&
          counts.synced === needsClear.length &&
          counts.failed === 1;
        if (settled) clock.jump();
      },
    });

    expect(result.status).toBe('finished');
    expect(result.sent).toBe(selected.length);
    // Exactly one action per lab device, none twice.
    for (const id of selected.filter((id) => id !== UNKNOWN_DEVICE)) expect(h.actions.get(id)).toBe(1);
    expect(h.actions.size).toBe(selected.length - 1);

    const phases = await phasesById(h, 'c-sync');
    for (const id of [...healthy, ...syncStale]) expect(phases.get(id)).toBe('compliant');
    for (const id of [...staysBroken, ...needsClear]) expect(phases.get(id)).toBe('timed-out');
    expect(phases.get(UNKNOWN_DEVICE)).toBe('failed');

    const devices = new Map((await h.store.campaignDevices('c-sync')).map((d) => [d.deviceId, d]));
    expect(devices.get(UNKNOWN_DEVICE)?.error).toMatch(/404 ResourceNotFound/);
    expect(devices.get(staysBroken[0]!)?.error).toMatch(/^posted, no sync seen at the campaign deadline/);
    expect(devices.get(needsClear[0]!)?.error).toMatch(/^synced, TPM settings still not compliant/);
    const compliant = devices.get(healthy[0]!)!;
    expect(compliant.postedAt).not.toBeNull();
    expect(compliant.compliantAt).not.toBeNull();
    expect(Date.parse(compliant.lastSync!)).toBeGreaterThan(Date.parse(compliant.baselineSync!));

    const status = await campaignStatus(h.store, 'c-sync');
    expect(status).toMatchObject({ status: 'finished', lab: true, total: selected.length, open: 0 });
    expect(status.counts.compliant + status.counts['timed-out'] + status.counts.failed).toBe(selected.length);

    // No credential anywhere: the store's bytes, the progress lines, the status text and JSON.
    expect(h.tokens.length).toBeGreaterThan(0);
    const outputs = [h.storeBytes(), lines.join('\n'), renderCampaignStatus(status), JSON.stringify(status)];
    for (const output of outputs) {
      expect(output).not.toContain(h.tenant.clientSecret);
      for (const token of h.tokens) expect(output).not.toContain(token);
    }
  });

  it('Ctrl-C mid-campaign stops with in-flight posts recorded; resuming posts the rest, none twice', async () => {
    const h = await startLabHarness({ devices: 400, seed: 11 });
    harness = h;
    const selected = [...h.devicesIn('healthy', 280), ...h.devicesIn('sync-stale')];
    await h.store.createCampaign(h.newCampaign('c-abort', selected));

    const controller = new AbortController();
    const first = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-abort',
      ...FAST,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.sentThisRun >= 100) controller.abort();
      },
    });
    expect(first.status).toBe('stopped');
    expect((await h.store.getCampaign('c-abort'))?.status).toBe('stopped');
    const counts = first.counts;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(selected.length);
    expect(counts.posting).toBe(0);
    expect(counts.pending).toBeGreaterThan(0);
    expect(first.sent).toBeGreaterThanOrEqual(100);
    expect(first.sent).toBeLessThan(selected.length);

    // What the store says was sent is exactly what the lab received.
    const afterStop = await phasesById(h, 'c-abort');
    for (const id of selected) {
      expect(h.actions.get(id) ?? 0).toBe(afterStop.get(id) === 'pending' ? 0 : 1);
    }

    const second = await runCampaign({ intune: h.intune, store: h.store, campaignId: 'c-abort', ...FAST });
    expect(second.status).toBe('finished');
    expect(first.sent + second.sent).toBe(selected.length);
    expect(second.counts.compliant).toBe(selected.length);
    for (const id of selected) expect(h.actions.get(id)).toBe(1);
  });

  it('after a crash between the posting mark and the answer, those devices are tracked, never re-posted', async () => {
    const h = await startLabHarness({ devices: 200, seed: 3 });
    harness = h;
    const selected = h.devicesIn('healthy', 40);
    await h.store.createCampaign(h.newCampaign('c-crash', selected));
    // The crashed run had marked 20 devices `posting` and sent 10 of them; no answer was recorded.
    const marked = selected.slice(0, 20);
    const sentBeforeCrash = marked.slice(0, 10);
    const neverSent = marked.slice(10);
    await h.store.changePhases(
      'c-crash',
      marked.map((deviceId) => ({ deviceId, from: ['pending'], to: 'posting' })),
    );
    for (const id of sentBeforeCrash) await h.intune.syncDevice(id);

    const clock = skewableClock();
    const result = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-crash',
      ...FAST,
      now: clock.now,
      onProgress: ({ counts }) => {
        if (counts.pending + counts.posting === 0 && counts.compliant === 30) clock.jump();
      },
    });

    expect(result.status).toBe('finished');
    expect(result.sent).toBe(20);
    for (const id of sentBeforeCrash) expect(h.actions.get(id)).toBe(1);
    for (const id of neverSent) expect(h.actions.get(id)).toBeUndefined();
    for (const id of selected.slice(20)) expect(h.actions.get(id)).toBe(1);

    const devices = new Map((await h.store.campaignDevices('c-crash')).map((d) => [d.deviceId, d]));
    // Sent before the crash: its sync shows, so it ends compliant without a second POST.
    for (const id of sentBeforeCrash) expect(devices.get(id)?.phase).toBe('compliant');
    // Never sent: we could not know, so it was not sent, and it times out saying why.
    for (const id of neverSent) {
      expect(devices.get(id)?.phase).toBe('timed-out');
      expect(devices.get(id)?.error).toMatch(/^post unconfirmed, no sync seen/);
    }
    for (const id of selected.slice(20)) expect(devices.get(id)?.phase).toBe('compliant');
  });

  it('Graph still busy after the retries: the campaign stops, saved, and exits as a Graph failure (14)', async () => {
    const h = await startLabHarness({ devices: 100, seed: 3 });
    harness = h;
    const selected = h.devicesIn('healthy', 10);
    await h.store.createCampaign(h.newCampaign('c-busy', selected));
    const busy = new GraphError({
      status: 503,
      code: 'ServiceUnavailable',
      message: 'try later',
      requestId: 'req-503',
      method: 'POST',
      path: '/v1.0/deviceManagement/managedDevices/x/syncDevice',
    });
    // Admitted and marked, then Graph answers 503 past the client's retries: "not processed".
    const intune = Object.create(h.intune) as typeof h.intune;
    intune.syncDevice = async (_id, beforeSend) => {
      await beforeSend?.();
      throw busy;
    };
    const stopped = await runCampaign({ intune, store: h.store, campaignId: 'c-busy', ...FAST }).catch(
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(CampaignError);
    expect((stopped as CampaignError).message).toMatch(
      /^campaign c-busy stopped: .*HTTP 503 ServiceUnavailable/,
    );
    expect((stopped as CampaignError).cause).toBe(busy);
    expect(errorReport(stopped as CampaignError).exit).toBe(EXIT.GRAPH_FAILED);
    expect((await phasesById(h, 'c-busy')).get(selected[0]!)).toBe('pending');
  });
});

describe('creating campaigns', () => {
  it('remediate: finds the evidence script package, runs it once per device, and tracks the evidence', async () => {
    const h = await startLabHarness({ devices: 300, seed: 5 });
    harness = h;
    const healthy = h.devicesIn('healthy', 12);
    const needsClear = h.devicesIn('tpm-needs-clear', 3);
    const staysBroken = h.devicesIn('stays-broken', 1);
    expect(staysBroken.length).toBe(1);
    const created = await createCampaign({
      intune: h.intune,
      store: h.store,
      action: 'remediate',
      selection: { kind: 'devices', deviceIds: [...healthy, ...needsClear, ...staysBroken, UNKNOWN_DEVICE] },
      target: `${h.tenant.url} tenant ${h.tenant.tenantId}`,
      detectionScript: readFileSync('scripts/collect-evidence.ps1', 'utf8'),
      id: 'c-remediate',
    });
    // The lab is seeded with the package from an earlier evidence run: found, not uploaded again.
    expect(created.scriptUploaded).toBe(false);
    expect(created.campaign.scriptId).not.toBeNull();
    expect(created.skipped).toEqual([
      { deviceId: UNKNOWN_DEVICE, reason: 'not an Intune managed device (HTTP 404)' },
    ]);
    expect(created.campaign.selection).toBe('17 device ids given, 1 skipped');

    const clock = skewableClock();
    const result = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-remediate',
      ...FAST,
      now: clock.now,
      onProgress: ({ counts }) => {
        if (counts.pending + counts.posting === 0 && counts.synced === healthy.length + needsClear.length) {
          clock.jump();
        }
      },
    });
    expect(result.status).toBe('finished');
    const phases = await phasesById(h, 'c-remediate');
    for (const id of [...healthy, ...needsClear]) {
      expect(phases.get(id)).toBe('synced');
      expect(h.actions.get(id)).toBe(1);
    }
    expect(phases.get(staysBroken[0]!)).toBe('timed-out');
    expect(h.actions.get(staysBroken[0]!)).toBe(1);
  });

  it('from a triage selection, with --no-wait posting then a later run tracking, nothing posted twice', async () => {
    const h = await startLabHarness({ devices: 300, seed: 9 });
    harness = h;
    const runId = await h.store.beginTriage('lab');
    const rows = [
      ...h.devicesIn('healthy', 20).map((id) => ({ id, triageClass: 'healthy' })),
      ...h.devicesIn('sync-stale').map((id) => ({ id, triageClass: 'sync-stale' })),
    ].map(({ id, triageClass }) => {
      const device = h.tenant.views.managedDevice(h.tenant.devices.indexOf(id)!);
      return {
        deviceId: id,
        deviceName: device.deviceName,
        azureAdDeviceId: device.azureADDeviceId,
        triageClass,
        clearSafety: 'not-the-remedy',
        lastSync: device.lastSyncDateTime,
        reasons: [],
      };
    });
    const stale = rows.filter((row) => row.triageClass === 'sync-stale');
    expect(stale.length).toBeGreaterThan(0);
    await h.store.addTriageRows(runId, rows);
    await h.store.finishTriage(runId, { devices: rows.length });

    const created = await createCampaign({
      intune: h.intune,
      store: h.store,
      action: 'sync',
      selection: { kind: 'triage', classes: ['sync-stale'] },
      target: h.tenant.url,
      id: 'c-triage',
    });
    expect(created.campaign.selection).toBe(`triage ${runId}, class sync-stale`);
    const devices = await h.store.campaignDevices('c-triage');
    expect(devices.map((d) => d.deviceId).sort()).toEqual(stale.map((row) => row.deviceId).sort());
    expect(devices.every((d) => d.baselineSync !== null)).toBe(true);

    const posted = await runCampaign({
      intune: h.intune,
      store: h.store,
      campaignId: 'c-triage',
      ...FAST,
      postOnly: true,
    });
    expect(posted.status).toBe('stopped');
    expect(posted.counts.pending + posted.counts.posting).toBe(0);
    const tracked = await runCampaign({ intune: h.intune, store: h.store, campaignId: 'c-triage', ...FAST });
    expect(tracked).toMatchObject({ status: 'finished', sent: 0 });
    expect(tracked.counts.compliant).toBe(stale.length);
    for (const row of stale) expect(h.actions.get(row.deviceId)).toBe(1);
  });
});
