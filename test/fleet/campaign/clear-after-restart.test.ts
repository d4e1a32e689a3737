/**
 * A clear pending its restart is decided by the first detection after it: the package's next
 * finished run (deviceHealthScriptDeviceState, beta) finding nothing proves the clear took; still
 * finding the problem means it did not. Run states shaped as Microsoft's example
 * (test/contract/graph/device-health-script-device-states-list.json), a real SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CampaignTracker } from '../../../src/fleet/campaign/campaign-tracker.js';
import type { DeviceHealthScriptRunState } from '../../../src/fleet/graph/graph-types.js';
import type { IntuneApi } from '../../../src/fleet/graph/intune-api.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { contract } from '../../contract/graph/contract-fixtures.js';

const example = (
  contract('device-health-script-device-states-list') as { value: DeviceHealthScriptRunState[] }
).value[0]!;

let dir: string | undefined;
let store: SqliteFleetStore | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(
  deviceId: string,
  at: string,
  fields: Partial<DeviceHealthScriptRunState>,
): DeviceHealthScriptRunState {
  // Microsoft's example, for this device, with no clear report in its outputs (a real tenant).
  return {
    ...example,
    id: `script-1:${deviceId}`,
    managedDevice: { id: deviceId },
    lastStateUpdateDateTime: at,
    preRemediationDetectionScriptOutput: null,
    postRemediationDetectionScriptOutput: null,
    remediationScriptError: null,
    ...fields,
  };
}

it('remediationFailed → "clear requested, restart pending"; then the first detection after it decides', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-clear-restart-'));
  store = await SqliteFleetStore.open(path.join(dir, 'fleet.sqlite'));
  const start = Date.now();
  const at = (ms: number) => new Date(start + ms).toISOString();
  const campaign = await store.createCampaign({
    id: 'c1',
    action: 'clear',
    target: 'test',
    selection: 'test',
    deadline: at(3_600_000),
    devices: ['took', 'refused'].map((deviceId) => ({ deviceId, deviceName: null, baselineSync: null })),
  });
  await store.setCampaignScript(campaign.id, 'script-1');
  await store.changePhases(
    campaign.id,
    ['took', 'refused'].map((deviceId) => ({ deviceId, from: ['pending'], to: 'posted', postedAt: at(0) })),
  );

  let runs: DeviceHealthScriptRunState[] = [
    run('took', at(5_000), { detectionState: 'fail', remediationState: 'remediationFailed' }),
    run('refused', at(5_000), { detectionState: 'fail', remediationState: 'scriptError' }),
  ];
  const intune = {
    async *healthScriptRunStates() {
      yield runs;
    },
    async *nonCompliantSettingStates() {
      // Both still fail TpmRequired: only the detection can decide here.
      yield [
        {
          id: 'a',
          setting: 'x',
          settingName: null,
          deviceId: 'took',
          deviceName: null,
          state: 'nonCompliant',
        },
        {
          id: 'b',
          setting: 'x',
          settingName: null,
          deviceId: 'refused',
          deviceName: null,
          state: 'nonCompliant',
        },
      ];
    },
  } as unknown as IntuneApi;
  const loaded = (await store.getCampaign(campaign.id))!;
  const tracker = new CampaignTracker({
    intune,
    store,
    campaign: loaded,
    now: () => new Date(),
    maxReadsPerTick: 100,
  });

  await tracker.tick();
  const afterRequest = new Map((await store.campaignDevices(campaign.id)).map((d) => [d.deviceId, d]));
  for (const id of ['took', 'refused']) {
    expect(afterRequest.get(id)?.phase).toBe('synced');
    expect(afterRequest.get(id)?.error).toMatch(/^clear requested, restart pending/);
  }
  // Another tick with nothing new changes nothing.
  await tracker.tick();
  expect((await store.campaignDevices(campaign.id)).map((d) => d.phase)).toEqual(['synced', 'synced']);

  // After the restart: the package ran again (its schedule) and reported.
  runs = [
    run('took', at(60_000), { detectionState: 'success', remediationState: 'skipped' }),
    run('refused', at(60_000), { detectionState: 'fail', remediationState: 'remediationFailed' }),
  ];
  await tracker.tick();
  const decided = new Map((await store.campaignDevices(campaign.id)).map((d) => [d.deviceId, d]));
  expect(decided.get('took')).toMatchObject({ phase: 'compliant', error: null });
  expect(decided.get('refused')?.phase).toBe('failed');
  expect(decided.get('refused')?.error).toMatch(
    /first detection after the clear request still finds the problem/,
  );
});
