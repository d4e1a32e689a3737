/**
 * `tpm-doctor fleet clear` end to end: the built CLI against a lab tenant served from this test
 * process, two of whose devices are backed by real swtpm instances, with a real SQLite store.
 * tpm2-tools is the witness on the TPMs; the lab's own counters on the posts.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { runCli, runCliOnTerminal, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-clear-');
const STALE_HANDLES = [0x81000010, 0x81000011];
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
async function persistent(tcti: string): Promise<number[]> {
  return (
    (parse((await tpm2({ tcti }, ['tpm2_getcap', 'handles-persistent'])).stdout) as number[] | null) ?? []
  );
}

describe('fleet clear', () => {
  it('needs an approval, selects only triaged-safe devices, clears them for real and tracks them to compliant', async () => {
    const store = `sqlite:${tmp.file('clear.sqlite')}`;
    const [first, second] = lab.swtpmDevices;
    if (first === undefined || second === undefined) throw new Error('the lab started no swtpm devices');
    for (const device of [first, second])
      expect(await persistent(device.tcti)).toEqual(expect.arrayContaining(STALE_HANDLES));

    const triage = await runCli(
      ['fleet', 'triage', ...connect(), '--format', 'csv', '--store', store, '--quiet'],
      {
        env: env(),
      },
    );
    expect(triage.code).toBe(0);

    // No approval: a usage error, nothing posted.
    const unapproved = await runCli(
      ['fleet', 'clear', ...connect(), '--store', store, '--clear-safety', 'safe', '--yes'],
      {
        env: env(),
      },
    );
    expect(unapproved.code).toBe(2);
    expect(unapproved.stderr).toMatch(/--approved-by NAME and --ticket ID/);

    const approval = ['--approved-by', 'A. Admin', '--ticket', 'CHG-1234'];
    const selection = [
      '--device',
      first.deviceId,
      '--device',
      second.deviceId,
      '--device',
      lab.devices.fleet.ids[0]!,
    ];
    // Without --yes and without a terminal: refused, nothing posted.
    const unconfirmed = await runCli(
      ['fleet', 'clear', ...connect(), '--store', store, ...selection, ...approval],
      {
        env: env(),
      },
    );
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/not confirmed; nothing was posted/);

    // On a terminal: the devices are listed before the question, and only the word the
    // single-device clear asks for (CLEAR) confirms; "yes" does not.
    const writesBefore = Object.values(lab.stats().apps).reduce((sum, app) => sum + app.writes, 0);
    const typedYes = await runCliOnTerminal(
      ['fleet', 'clear', ...connect(), '--store', store, ...selection, ...approval],
      { prompt: /Type CLEAR to continue: /, answer: 'yes' },
      { env: env() },
    );
    expect(typedYes.code, typedYes.screen).toBe(2);
    expect(typedYes.screen).toMatch(/Clear the TPM of 2 devices \(each behind its own preflight gate\):/);
    for (const device of [first, second]) expect(typedYes.screen).toContain(`  ${device.deviceId}`);
    expect(typedYes.screen).toContain('(approved by A. Admin, ticket CHG-1234)? Type CLEAR to continue: ');
    expect(typedYes.screen).toMatch(/not confirmed; nothing was posted/);
    expect(Object.values(lab.stats().apps).reduce((sum, app) => sum + app.writes, 0)).toBe(writesBefore);

    // The dry run names exactly the devices, and the one refused with why; it needs no approval yet.
    // It names the tenant too: the selection comes from that tenant's triage only.
    const dry = await runCli(
      ['fleet', 'clear', ...connect(), '--store', store, ...selection, '--dry-run', '--json'],
      {
        env: env(),
      },
    );
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as {
      approvedBy: string | null;
      devices: { deviceId: string }[];
      refused: { deviceId: string; reason: string }[];
    };
    expect(plan.approvedBy).toBeNull();
    expect(plan.devices.map((d) => d.deviceId).sort()).toEqual([first.deviceId, second.deviceId].sort());
    expect(plan.refused).toEqual([
      expect.objectContaining({
        deviceId: lab.devices.fleet.ids[0],
        reason: expect.stringMatching(/not in triage/),
      }),
    ]);
    for (let i = 0; i < lab.devices.size; i++) expect(lab.devices.postCount(i)).toBe(0);

    const run = await runCli(
      [
        'fleet',
        'clear',
        ...connect(),
        '--store',
        store,
        ...selection,
        ...approval,
        '--yes',
        '--poll',
        '100ms',
        '--json',
        '--quiet',
      ],
      { env: env() },
    );
    // One device was refused at selection: the campaign did not do all it was asked.
    expect(run.code).toBe(16);
    const status = JSON.parse(run.stdout) as { action: string; counts: Record<string, number> };
    expect(status.action).toBe('clear');
    expect(status.counts.compliant).toBe(2);
    expect(run.stderr).toMatch(/refused .*not in triage/);
    for (const device of [first, second]) expect(lab.devices.postCount(device.index)).toBe(1);
    expect(lab.devices.postCount(0)).toBe(0);

    await lab.clearsSettled();
    for (const device of [first, second]) {
      const left = await persistent(device.tcti);
      for (const handle of STALE_HANDLES) expect(left).not.toContain(handle);
    }

    const storeBytes = await readFile(tmp.file('clear.sqlite'), 'latin1');
    for (const text of [run.stdout, run.stderr, dry.stdout, triage.stdout, triage.stderr, storeBytes]) {
      expect(text.includes(lab.clientSecret)).toBe(false);
    }
  }, 120_000);

  it('explains itself in --help', async () => {
    const help = await runCli(['fleet', 'clear', '--help']);
    expect(help.code).toBe(0);
    // The help is re-flowed to 80 columns: the phrase may break across lines.
    expect(help.stdout).toMatch(/clear\s+safety "safe"/);
    expect(help.stdout).toMatch(/--approved-by NAME/);
    expect(help.stdout).toMatch(/cleared\s+by\s+a\s+clear\s+campaign\s+after\s+that\s+triage\s+began/);
    const fleet = await runCli(['fleet', '--help']);
    expect(fleet.stdout).toMatch(/^\s+clear\s/m);
    const lab = await runCli(['lab', '--help']);
    expect(lab.stdout).toMatch(/--swtpm N/);
  });
});
