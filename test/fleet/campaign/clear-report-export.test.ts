/**
 * A clear campaign reads each device's clear report from the DeviceRunStatesByProactiveRemediation
 * export (docs/graph-calls.md calls 16-18), where real Graph carries the script outputs for every
 * device, and falls back to the run states' own outputs when Graph refuses the export (403). Run
 * states shaped as Microsoft's example (no outputs, as on a real tenant), a real SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { CampaignTracker } from '../../../src/fleet/campaign/campaign-tracker.js';
import { clearReportObject, formatClearReport } from '../../../src/fleet/campaign/clear-report.js';
import type { CsvTable } from '../../../src/fleet/graph/csv-table.js';
import { GraphError } from '../../../src/fleet/graph/graph-error.js';
import type { DeviceHealthScriptRunState } from '../../../src/fleet/graph/graph-types.js';
import type { IntuneApi } from '../../../src/fleet/graph/intune-api.js';
import { ReportTooLargeError } from '../../../src/fleet/graph/report-export.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { contract } from '../../contract/graph/contract-fixtures.js';

const example = (
  contract('device-health-script-device-states-list') as { value: DeviceHealthScriptRunState[] }
).value[0]!;

const CLEARED = formatClearReport({
  result: 'cleared',
  runId: 'run-1',
  reason: null,
  message: 'TPM cleared and proven.',
  blocking: [],
  srkNameBefore: '000b1111',
  srkNameAfter: '000b2222',
  proven: true,
});
const REFUSED = formatClearReport({
  result: 'refused',
  runId: null,
  reason: 'gate-not-passed',
  message: 'The gate refused.',
  blocking: ['escrow.verified'],
  srkNameBefore: null,
  srkNameAfter: null,
  proven: null,
});

/** Every device still fails TpmRequired: the restart has not happened yet, so they stay synced. */
async function* stillFailing(): AsyncGenerator<unknown[]> {
  yield ['DEV-A', 'dev-a', 'dev-b'].map((deviceId) => ({
    id: `s-${deviceId}`,
    setting: 'Windows10CompliancePolicy.TpmRequired',
    settingName: null,
    deviceId,
    deviceName: null,
    state: 'nonCompliant',
  }));
}

let dir: string | undefined;
let store: SqliteFleetStore | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function campaignWith(devices: string[]) {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-clear-export-'));
  store = await SqliteFleetStore.open(path.join(dir, 'fleet.sqlite'));
  const start = Date.now();
  const campaign = await store.createCampaign({
    id: 'c1',
    action: 'clear',
    target: 'test',
    selection: 'test',
    deadline: new Date(start + 3_600_000).toISOString(),
    devices: devices.map((deviceId) => ({ deviceId, deviceName: null, baselineSync: null })),
  });
  await store.setCampaignScript(campaign.id, '0a1b2c3d-0000-4000-8000-000000000001');
  await store.changePhases(
    campaign.id,
    devices.map((deviceId) => ({ deviceId, from: ['pending'], to: 'posted', postedAt: campaign.createdAt })),
  );
  const runs = devices.map((deviceId) => ({
    ...example,
    id: `script:${deviceId}`,
    managedDevice: { id: deviceId },
    lastStateUpdateDateTime: new Date(start + 5_000).toISOString(),
    detectionState: 'success',
    remediationState: 'success',
    // A real tenant's run state: no clear report in it.
    preRemediationDetectionScriptOutput: null,
    postRemediationDetectionScriptOutput: null,
  }));
  return { campaign: (await store.getCampaign(campaign.id))!, runs };
}

it('the clear report comes from one export for every device, and its summary is the note', async () => {
  const { campaign, runs } = await campaignWith(['DEV-A', 'dev-b']);
  const asked: unknown[] = [];
  const intune = {
    nonCompliantSettingStates: stillFailing,
    async *healthScriptRunStates() {
      yield runs;
    },
    async exportReport(request: unknown): Promise<CsvTable> {
      asked.push(request);
      return {
        columns: [
          'DeviceId',
          'ModifiedTime',
          'PreRemediationDetectionScriptOutput',
          'PostRemediationDetectionScriptOutput',
        ],
        rows: [
          {
            DeviceId: 'dev-a',
            ModifiedTime: '',
            PreRemediationDetectionScriptOutput: CLEARED,
            PostRemediationDetectionScriptOutput: '',
          },
          {
            DeviceId: 'dev-b',
            ModifiedTime: '',
            PreRemediationDetectionScriptOutput: '',
            PostRemediationDetectionScriptOutput: REFUSED,
          },
        ],
      };
    },
  } as unknown as IntuneApi;
  const tracker = new CampaignTracker({
    intune,
    store: store!,
    campaign,
    now: () => new Date(),
    maxReadsPerTick: 100,
  });
  await tracker.tick();
  expect(asked).toEqual([
    {
      reportName: 'DeviceRunStatesByProactiveRemediation',
      filter: "PolicyId eq '0a1b2c3d-0000-4000-8000-000000000001'",
      select: [
        'DeviceId',
        'ModifiedTime',
        'PreRemediationDetectionScriptOutput',
        'PostRemediationDetectionScriptOutput',
      ],
    },
  ]);
  const devices = new Map((await store!.campaignDevices(campaign.id)).map((d) => [d.deviceId, d]));
  expect(devices.get('DEV-A')).toMatchObject({
    phase: 'synced',
    error:
      'clear report (DeviceRunStatesByProactiveRemediation export): cleared, proven; SRK Name 000b1111 -> 000b2222',
  });
  expect(devices.get('dev-b')?.phase).toBe('failed');
  expect(devices.get('dev-b')?.error).toMatch(
    /^clear refused on the device \(gate-not-passed; blocking: escrow\.verified\)/,
  );
});

const REFUSALS: Array<[string, () => Error]> = [
  [
    'a 403',
    () =>
      new GraphError({
        status: 403,
        code: 'Forbidden',
        message: 'Application is not authorized to perform this operation.',
        requestId: null,
        method: 'POST',
        path: '/deviceManagement/reports/exportJobs',
      }),
  ],
  [
    'an export larger than the reader keeps',
    () =>
      new ReportTooLargeError(
        'the DeviceRunStatesByProactiveRemediation export is larger than tpm-doctor reads (more than 1000000 rows): refused',
      ),
  ],
];

it.each(REFUSALS)(
  '%s on the export falls back to the run states for the rest of the run, asked once',
  async (_what, refusal) => {
    const { campaign, runs } = await campaignWith(['dev-a', 'dev-b']);
    let exports = 0;
    let round = 0;
    const intune = {
      nonCompliantSettingStates: stillFailing,
      async *healthScriptRunStates() {
        // First round only dev-a has finished; the run state carries its report (as the lab's does).
        yield round === 0
          ? [{ ...runs[0]!, preRemediationDetectionScriptOutput: CLEARED }]
          : [{ ...runs[1]!, preRemediationDetectionScriptOutput: CLEARED }];
      },
      async exportReport(): Promise<CsvTable> {
        exports++;
        throw refusal();
      },
    } as unknown as IntuneApi;
    const tracker = new CampaignTracker({
      intune,
      store: store!,
      campaign,
      now: () => new Date(),
      maxReadsPerTick: 100,
    });
    await tracker.tick();
    round = 1;
    await tracker.tick();
    expect(exports).toBe(1);
    const devices = await store!.campaignDevices(campaign.id);
    for (const device of devices) {
      expect(device).toMatchObject({
        phase: 'synced',
        error: 'clear report (run state): cleared, proven; SRK Name 000b1111 -> 000b2222',
      });
    }
  },
);

it("the evidence script's latest receipt (clr) is this clear's proof only when it ended after the device was posted", async () => {
  const { campaign, runs } = await campaignWith(['dev-a', 'dev-b']);
  // The evidence line the detection script prints, with the report of the device's latest receipt.
  const evidenceWith = (finishedAt: string) =>
    JSON.stringify({
      tpmdoctor: 'evidence/compact/v1',
      exit: 0,
      why: [],
      clr: clearReportObject({
        result: 'cleared',
        runId: 'clear-1',
        reason: null,
        message: 'TPM cleared and proven by the run receipt on the device.',
        blocking: [],
        srkNameBefore: '000b1111',
        srkNameAfter: '000b2222',
        proven: true,
        finishedAt,
      }),
    });
  const intune = {
    nonCompliantSettingStates: stillFailing,
    async *healthScriptRunStates() {
      yield runs;
    },
    async exportReport(): Promise<CsvTable> {
      return {
        columns: [
          'DeviceId',
          'ModifiedTime',
          'PreRemediationDetectionScriptOutput',
          'PostRemediationDetectionScriptOutput',
        ],
        rows: [
          {
            DeviceId: 'dev-a',
            ModifiedTime: '',
            // An earlier clear's receipt, from before this campaign.
            PreRemediationDetectionScriptOutput: evidenceWith('2026-01-05T08:00:00.000Z'),
            PostRemediationDetectionScriptOutput: '',
          },
          {
            DeviceId: 'dev-b',
            ModifiedTime: '',
            PreRemediationDetectionScriptOutput: evidenceWith(new Date(Date.now() + 60_000).toISOString()),
            PostRemediationDetectionScriptOutput: '',
          },
        ],
      };
    },
  } as unknown as IntuneApi;
  const tracker = new CampaignTracker({
    intune,
    store: store!,
    campaign,
    now: () => new Date(),
    maxReadsPerTick: 100,
  });
  await tracker.tick();
  const devices = new Map((await store!.campaignDevices(campaign.id)).map((d) => [d.deviceId, d]));
  // Not this campaign's proof: read as a run without a report.
  expect(devices.get('dev-a')).toMatchObject({ phase: 'synced', error: null });
  expect(devices.get('dev-b')).toMatchObject({
    phase: 'synced',
    error:
      'clear report (DeviceRunStatesByProactiveRemediation export): cleared, proven; SRK Name 000b1111 -> 000b2222',
  });
});

it('a device without tpm-doctor.exe (the script exits 127, its message in the remediation error) is failed, not restart pending', async () => {
  const { campaign, runs } = await campaignWith(['dev-a', 'dev-b']);
  const missing =
    'tpm-doctor is not installed at C:\\Program Files\\tpm-doctor\\tpm-doctor.exe: deploy the tpm-doctor Win32 app (docs/deploy-windows.md)';
  const intune = {
    nonCompliantSettingStates: stillFailing,
    async *healthScriptRunStates() {
      yield [
        {
          ...runs[0]!,
          detectionState: 'fail',
          remediationState: 'remediationFailed',
          remediationScriptError: `${missing}\r\n`,
        },
        {
          ...runs[1]!,
          detectionState: 'fail',
          remediationState: 'remediationFailed',
          remediationScriptError: null,
        },
      ];
    },
    async exportReport(): Promise<CsvTable> {
      return {
        columns: [
          'DeviceId',
          'ModifiedTime',
          'PreRemediationDetectionScriptOutput',
          'PostRemediationDetectionScriptOutput',
        ],
        rows: [],
      };
    },
  } as unknown as IntuneApi;
  const tracker = new CampaignTracker({
    intune,
    store: store!,
    campaign,
    now: () => new Date(),
    maxReadsPerTick: 100,
  });
  await tracker.tick();
  const devices = new Map((await store!.campaignDevices(campaign.id)).map((d) => [d.deviceId, d]));
  expect(devices.get('dev-a')).toMatchObject({ phase: 'failed', error: `clear not run: ${missing}` });
  // The same remediationFailed without that message may be an accepted clear waiting for its restart.
  expect(devices.get('dev-b')?.phase).toBe('synced');
  expect(devices.get('dev-b')?.error).toMatch(/^clear requested, restart pending/);
});
