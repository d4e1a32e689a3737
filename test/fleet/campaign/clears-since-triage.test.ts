/**
 * Which devices a triage's "safe to clear" no longer speaks for (src/fleet/campaign/clears-since-triage.ts),
 * read from a real SQLite store: only a device a clear campaign of the same tenant may have reached
 * since the triage began, or one in an open clear campaign, is refused; never posted, refused by
 * Graph before posting, another tenant, another action and a clear before the triage are not.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { selectClearSafe } from '../../../src/fleet/campaign/clear-selection.js';
import type { CampaignAction, DevicePhase, FleetStore } from '../../../src/fleet/store/fleet-store.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';

const TARGET = 'https://lab.invalid tenant t-1';
let dir: string;
let store: FleetStore;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-clears-since-'));
  store = await SqliteFleetStore.open(path.join(dir, 'fleet.sqlite'));
});
afterAll(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Waits until the clock reads later than `iso`: what follows is stored strictly after it. */
async function clockPast(iso: string): Promise<void> {
  while (new Date().toISOString() <= iso) await new Promise((resolve) => setImmediate(resolve));
}

async function campaign(
  id: string,
  action: CampaignAction,
  devices: Record<string, DevicePhase>,
  options: { target?: string; postedAt?: string | null } = {},
): Promise<void> {
  const ids = Object.keys(devices);
  await store.createCampaign({
    id,
    action,
    target: options.target ?? TARGET,
    selection: 'test',
    deadline: '2999-01-01T00:00:00.000Z',
    devices: ids.map((deviceId) => ({ deviceId, deviceName: null, baselineSync: null })),
  });
  await store.changePhases(
    id,
    ids
      .filter((deviceId) => devices[deviceId] !== 'pending')
      .map((deviceId) => ({
        deviceId,
        from: ['pending'],
        to: devices[deviceId] as DevicePhase,
        postedAt: options.postedAt === undefined ? new Date().toISOString() : options.postedAt,
      })),
  );
}

it('refuses only the devices a clear may have reached since the triage began, and those of an open clear campaign', async () => {
  // Cleared and finished before the triage began: the triage saw the device after its clear.
  await campaign('c-before', 'clear', { before: 'compliant' });
  await store.setCampaignStatus('c-before', 'finished');
  await clockPast((await store.getCampaign('c-before'))!.updatedAt);

  const runId = await store.beginTriage(TARGET);
  const devices = [
    'before',
    'never-posted',
    'refused-by-graph',
    'refused-on-device',
    'compliant',
    'unconfirmed',
    'other-tenant',
    'synced-only',
    'open-pending',
  ];
  await store.addTriageRows(
    runId,
    devices.map((deviceId) => ({
      deviceId,
      deviceName: null,
      azureAdDeviceId: null,
      triageClass: 'tpm-clear-safe',
      clearSafety: 'safe',
      lastSync: null,
      reasons: [],
    })),
  );
  const run = await store.finishTriage(runId, {});
  await clockPast(run.createdAt);

  await campaign('c-abandoned', 'clear', { 'never-posted': 'pending', unconfirmed: 'unconfirmed' });
  await store.setCampaignStatus('c-abandoned', 'abandoned');
  await campaign('c-graph', 'clear', { 'refused-by-graph': 'failed' }, { postedAt: null });
  await store.setCampaignStatus('c-graph', 'finished');
  await campaign('c-done', 'clear', { 'refused-on-device': 'failed', compliant: 'compliant' });
  await store.setCampaignStatus('c-done', 'finished');
  await campaign(
    'c-other',
    'clear',
    { 'other-tenant': 'compliant' },
    { target: 'https://other.invalid tenant t-2' },
  );
  await store.setCampaignStatus('c-other', 'finished');
  await campaign('c-sync', 'sync', { 'synced-only': 'compliant' });
  await store.setCampaignStatus('c-sync', 'finished');
  await campaign('c-open', 'clear', { 'open-pending': 'pending' });
  await store.setCampaignStatus('c-open', 'stopped');

  const chosen = await selectClearSafe(store, { kind: 'triage', runId }, { display: TARGET });
  expect(chosen.devices.map((d) => d.deviceId).sort()).toEqual(
    ['before', 'never-posted', 'other-tenant', 'refused-by-graph', 'synced-only'].sort(),
  );
  const refused = new Map(chosen.refused.map((r) => [r.deviceId, r]));
  expect([...refused.keys()].sort()).toEqual([
    'compliant',
    'open-pending',
    'refused-on-device',
    'unconfirmed',
  ]);
  expect(refused.get('compliant')?.reason).toBe(
    `cleared by campaign c-done (compliant) after triage ${runId} was taken: run \`fleet triage\` again to see whether it still needs a clear`,
  );
  expect(refused.get('refused-on-device')?.reason).toMatch(/^cleared by campaign c-done \(refused or failed/);
  expect(refused.get('unconfirmed')?.clearCampaign).toEqual({
    campaignId: 'c-abandoned',
    campaignStatus: 'abandoned',
    phase: 'unconfirmed',
    open: false,
    triageRunId: runId,
  });
  expect(refused.get('open-pending')?.reason).toMatch(
    /^in open clear campaign c-open \(stopped; this device: not posted yet\)/,
  );

  // The same for devices given by id, whose clear safety comes from the same triage.
  const byId = await selectClearSafe(
    store,
    { kind: 'devices', deviceIds: ['compliant', 'before'], runId },
    { display: TARGET },
  );
  expect(byId.devices.map((d) => d.deviceId)).toEqual(['before']);
  expect(byId.refused.map((r) => r.clearCampaign?.campaignId)).toEqual(['c-done']);
});
