/**
 * A clear campaign is not planned again on the strength of a triage taken before the device's
 * last clear (src/fleet/campaign/clears-since-triage.ts): the built CLI against a lab tenant served
 * from this test process, two of whose devices are backed by real swtpm instances, with a real
 * SQLite store. A sync campaign in between changes nothing; a new triage decides afresh; the
 * devices of an open (stopped) clear campaign are refused whatever the triage says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-clear-again-');
let lab: LabTenant;
let pids: number[] = [];

beforeAll(async () => {
  assertSwtpmAvailable();
  lab = await startLabTenant({
    devices: 600,
    seed: 1,
    swtpmDevices: 2,
    windowMs: 2_000,
    syncDelayMs: 100,
    complianceDelayMs: 100,
  });
  pids = lab.swtpmDevices.map((d) => d.pid);
}, 120_000);
afterAll(async () => {
  await lab?.close();
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
});

function connect(): string[] {
  return ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
function env(): NodeJS.ProcessEnv {
  return { AZURE_CLIENT_SECRET: lab.clientSecret };
}

interface Refused {
  deviceId: string;
  reason: string;
  clearCampaign?: { campaignId: string; campaignStatus: string; open: boolean; triageRunId: number };
}
interface Plan {
  selection: string;
  devices: { deviceId: string }[];
  refused: Refused[];
}

describe('fleet clear after a clear', () => {
  it('refuses devices cleared since their triage, and those of an open clear campaign, until a new triage', async () => {
    const store = `sqlite:${tmp.file('again.sqlite')}`;
    const [first, second] = lab.swtpmDevices;
    if (first === undefined || second === undefined) throw new Error('the lab started no swtpm devices');
    const ids = [first.deviceId, second.deviceId];
    const selection = ids.flatMap((id) => ['--device', id]);
    const triage = async (): Promise<void> => {
      const run = await runCli(
        ['fleet', 'triage', ...connect(), '--format', 'csv', '--store', store, '--quiet'],
        {
          env: env(),
          timeoutMs: 120_000,
        },
      );
      expect(run.code, run.stderr).toBe(0);
    };
    const dryRun = async (...args: string[]): Promise<Plan> => {
      const dry = await runCli(
        ['fleet', 'clear', ...connect(), '--store', store, ...args, '--dry-run', '--json'],
        {
          env: env(),
          timeoutMs: 120_000,
        },
      );
      expect(dry.code, dry.stderr).toBe(0);
      return JSON.parse(dry.stdout) as Plan;
    };

    await triage();
    expect((await dryRun(...selection)).devices.map((d) => d.deviceId).sort()).toEqual([...ids].sort());
    const cleared = await runCli(
      [
        'fleet',
        'clear',
        ...connect(),
        '--store',
        store,
        ...selection,
        '--approved-by',
        'A. Admin',
        '--ticket',
        'CHG-1234',
        '--yes',
        '--poll',
        '100ms',
        '--json',
        '--quiet',
      ],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(cleared.code, cleared.stderr).toBe(0);
    const campaign = JSON.parse(cleared.stdout) as { id: string; counts: Record<string, number> };
    expect(campaign.counts.compliant).toBe(2);

    // The same selection again, on the same triage: both refused, naming the campaign and what it did.
    const reason = new RegExp(
      `^cleared by campaign ${campaign.id} \\(.+\\) after triage 1 was taken: run \`fleet triage\` again to see whether it still needs a clear$`,
    );
    const expectRefusedAsCleared = (plan: Plan): void => {
      expect(plan.devices.map((d) => d.deviceId)).not.toEqual(expect.arrayContaining([first.deviceId]));
      expect(plan.devices.map((d) => d.deviceId)).not.toEqual(expect.arrayContaining([second.deviceId]));
      for (const deviceId of ids) {
        const refused = plan.refused.find((r) => r.deviceId === deviceId);
        expect(refused?.reason).toMatch(reason);
        expect(refused?.clearCampaign).toMatchObject({
          campaignId: campaign.id,
          open: false,
          triageRunId: 1,
        });
      }
    };
    const byIds = await dryRun(...selection);
    expect(byIds.devices).toEqual([]);
    expectRefusedAsCleared(byIds);
    expectRefusedAsCleared(await dryRun('--clear-safety', 'safe'));

    // The text dry run lists the refusal with the others, in English and in Japanese.
    const text = await runCli(['fleet', 'clear', ...connect(), '--store', store, ...selection, '--dry-run'], {
      env: env(),
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Refused 2:/);
    expect(text.stdout).toContain(`  ${first.deviceId}`);
    expect(text.stdout).toMatch(new RegExp(`cleared by campaign ${campaign.id} `));
    const ja = await runCli(
      ['--lang', 'ja', 'fleet', 'clear', ...connect(), '--store', store, ...selection, '--dry-run'],
      { env: env() },
    );
    expect(ja.code, ja.stderr).toBe(0);
    expect(ja.stdout).toMatch(/対象外 2台:/);
    expect(ja.stdout).toContain(`トリアージ 1 の後にキャンペーン ${campaign.id} でクリア済み`);

    // A sync campaign in between does not make the old triage speak for the devices again.
    const synced = await runCli(
      ['fleet', 'sync', ...connect(), '--store', store, ...selection, '--poll', '100ms', '--json', '--quiet'],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(synced.code, synced.stderr).toBe(0);
    expectRefusedAsCleared(await dryRun(...selection));

    // A new triage decides afresh, whatever the lab says of the devices now.
    await triage();
    const fresh = await dryRun(...selection);
    for (const refused of fresh.refused) expect(refused.clearCampaign).toBeUndefined();
    expect(fresh.devices.length + fresh.refused.length).toBe(2);

    // A clear campaign stopped by a Ctrl-C as soon as it exists is open: its devices are refused,
    // whatever the triage says.
    const stopped = await runCli(
      [
        'fleet',
        'clear',
        ...connect(),
        '--store',
        store,
        '--clear-safety',
        'safe',
        '--approved-by',
        'A. Admin',
        '--ticket',
        'CHG-1235',
        '--yes',
        '--poll',
        '100ms',
      ],
      {
        env: env(),
        timeoutMs: 120_000,
        killWhen: ({ stderr }) => /campaign c-\S+: clear /.test(stderr),
        killSignal: 'SIGINT',
      },
    );
    const openId = /campaign (c-\S+): clear /.exec(stopped.stderr)?.[1];
    expect(openId, stopped.stderr).toBeDefined();
    const status = await runCli(['fleet', 'status', openId as string, '--store', store, '--json'], {
      env: env(),
    });
    expect(status.code, status.stderr).toBe(0);
    const state = (JSON.parse(status.stdout) as { status: string }).status;
    expect(state).toBe('stopped');
    const blocked = await dryRun('--clear-safety', 'safe');
    expect(blocked.devices).toEqual([]);
    expect(blocked.refused.length).toBeGreaterThan(0);
    for (const refused of blocked.refused) {
      expect(refused.reason).toMatch(
        new RegExp(`^in open clear campaign ${openId} \\(stopped; this device: `),
      );
      expect(refused.clearCampaign).toMatchObject({
        campaignId: openId,
        campaignStatus: 'stopped',
        open: true,
      });
    }
  }, 400_000);
});
