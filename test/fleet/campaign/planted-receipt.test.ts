/**
 * A receipt a standard user planted on a device (docs/security.md, "A standard user on a managed
 * device") must never make a clear campaign record "cleared, proven": a finishedAt after Intune
 * recorded the output, a run ID, SRK Name or time out of its format, and the evidence script's
 * "untrusted" answer (receipt-report.ts) all end the device `failed` with the reason. Run states
 * shaped as Microsoft's example, the output in them as the lab's carry it, a real SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CampaignTracker } from '../../../src/fleet/campaign/campaign-tracker.js';
import { type ClearReport, clearReportObject } from '../../../src/fleet/campaign/clear-report.js';
import { NOT_INSTALLED_MESSAGE } from '../../../src/fleet/campaign/clear-script.js';
import type { CsvTable } from '../../../src/fleet/graph/csv-table.js';
import { GraphError } from '../../../src/fleet/graph/graph-error.js';
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

const PROVEN: Omit<ClearReport, 'tpmdoctor'> = {
  result: 'cleared',
  runId: 'clear-20261207T101500000Z-a1b2c3',
  reason: null,
  message: 'TPM cleared and proven by the run receipt on the device.',
  blocking: [],
  srkNameBefore: '000b1111',
  srkNameAfter: '000b2222',
  proven: true,
};

/** The evidence script's line with `clr` as given. */
const evidenceWith = (clr: unknown) =>
  JSON.stringify({ tpmdoctor: 'evidence/compact/v1', exit: 1, why: [], clr });

/** One tick over devices whose run states carry these detection outputs (Graph refuses the export). */
async function trackOutputs(outputs: Record<string, string>) {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-planted-receipt-'));
  store = await SqliteFleetStore.open(path.join(dir, 'fleet.sqlite'));
  const start = Date.now();
  const ids = Object.keys(outputs);
  const created = await store.createCampaign({
    id: 'c1',
    action: 'clear',
    target: 'test',
    selection: 'test',
    deadline: new Date(start + 3_600_000).toISOString(),
    devices: ids.map((deviceId) => ({ deviceId, deviceName: null, baselineSync: null })),
  });
  await store.setCampaignScript(created.id, '0a1b2c3d-0000-4000-8000-000000000001');
  await store.changePhases(
    created.id,
    ids.map((deviceId) => ({ deviceId, from: ['pending'], to: 'posted', postedAt: created.createdAt })),
  );
  const campaign = (await store.getCampaign(created.id))!;
  const runs = ids.map((deviceId) => ({
    ...example,
    id: `script:${deviceId}`,
    managedDevice: { id: deviceId },
    lastStateUpdateDateTime: new Date(start + 5_000).toISOString(),
    detectionState: 'fail',
    remediationState: 'scriptError',
    // The review's repro: tpm-doctor never ran (the user's folder made it refuse, or it is missing).
    remediationScriptError: `${NOT_INSTALLED_MESSAGE} C:\\Program Files\\tpm-doctor\\tpm-doctor.exe`,
    preRemediationDetectionScriptOutput: outputs[deviceId]!,
    postRemediationDetectionScriptOutput: null,
  }));
  const intune = {
    // TpmRequired still fails everywhere: only the clear report can move a device.
    async *nonCompliantSettingStates() {
      yield ids.map((deviceId) => ({
        id: `s-${deviceId}`,
        setting: 'Windows10CompliancePolicy.TpmRequired',
        settingName: null,
        deviceId,
        deviceName: null,
        state: 'nonCompliant',
      }));
    },
    async *healthScriptRunStates() {
      yield runs;
    },
    async exportReport(): Promise<CsvTable> {
      throw new GraphError({
        status: 403,
        code: 'Forbidden',
        message: 'Application is not authorized to perform this operation.',
        requestId: null,
        method: 'POST',
        path: '/deviceManagement/reports/exportJobs',
      });
    },
  } as unknown as IntuneApi;
  const tracker = new CampaignTracker({
    intune,
    store,
    campaign,
    now: () => new Date(),
    maxReadsPerTick: 100,
  });
  await tracker.tick();
  return new Map((await store.campaignDevices(campaign.id)).map((d) => [d.deviceId, d]));
}

it('a receipt dated after Intune recorded the output (2099) is not a proof: failed, with why', async () => {
  const devices = await trackOutputs({
    'dev-2099': evidenceWith(clearReportObject({ ...PROVEN, finishedAt: '2099-01-01T00:00:00.000Z' })),
    // After the post (made below), within the clock tolerance of the recorded run.
    'dev-now': evidenceWith(
      clearReportObject({ ...PROVEN, finishedAt: new Date(Date.now() + 60_000).toISOString() }),
    ),
  });
  expect(devices.get('dev-2099')?.phase).toBe('failed');
  expect(devices.get('dev-2099')?.error).toMatch(
    /^unreadable clear report: its run ended at 2099-01-01T00:00:00\.000Z, after Intune recorded the output \(/,
  );
  // A time within the clock tolerance of the recorded run is still the proof.
  expect(devices.get('dev-now')).toMatchObject({
    phase: 'synced',
    error: 'clear report (run state): cleared, proven; SRK Name 000b1111 -> 000b2222',
  });
});

it('the evidence script saying the receipts are untrusted is never proven: failed, with its key', async () => {
  const devices = await trackOutputs({
    'dev-owner': evidenceWith({ tpmdoctor: 'clear-report/v1', untrusted: 'folder-owner' }),
    'dev-odd': evidenceWith({ tpmdoctor: 'clear-report/v1', untrusted: 'x'.repeat(500), proven: true }),
  });
  expect(devices.get('dev-owner')).toMatchObject({
    phase: 'failed',
    error:
      "unreadable clear report: the device's clear receipts are not trusted (folder-owner): their folder or files could have been written by someone other than SYSTEM or Administrators",
  });
  expect(devices.get('dev-odd')?.phase).toBe('failed');
  expect(devices.get('dev-odd')?.error).toContain('are not trusted (?)');
});

it('a run ID, SRK Name or time out of its format is unreadable, not proven (and cannot flood the note)', async () => {
  const at = new Date(Date.now() + 60_000).toISOString();
  const devices = await trackOutputs({
    'dev-long-id': evidenceWith(clearReportObject({ ...PROVEN, runId: 'r'.repeat(2_000), finishedAt: at })),
    'dev-srk': evidenceWith(clearReportObject({ ...PROVEN, srkNameAfter: 'not hex at all', finishedAt: at })),
    'dev-local-time': evidenceWith(clearReportObject({ ...PROVEN, finishedAt: '2026-12-07T10:00:00+09:00' })),
    'dev-string-true': evidenceWith({ ...clearReportObject({ ...PROVEN, finishedAt: at }), proven: 'true' }),
  });
  for (const device of devices.values()) {
    expect(device.phase, device.deviceId).toBe('failed');
    expect(device.error, device.deviceId).toMatch(/^unreadable clear report: /);
    expect(device.error!.length, device.deviceId).toBeLessThan(200);
  }
  expect(devices.get('dev-long-id')?.error).toContain('"runId": expected a run ID');
  expect(devices.get('dev-srk')?.error).toContain('"srkNameAfter": expected a TPM Name in hex');
  expect(devices.get('dev-local-time')?.error).toContain('"finishedAt": expected an ISO 8601 time in UTC');
  expect(devices.get('dev-string-true')?.error).toContain('"proven": expected true, false or null');
});
