/**
 * `fleet abandon` and `fleet resume --deadline`, end to end: the built CLI against a lab tenant
 * served from this test process, with a real SQLite store. The lab's own count of posts per device
 * is the witness that abandoning never makes a device receive the same action twice.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-abandon-');
let lab: LabTenant;

beforeAll(async () => {
  lab = await startLabTenant({
    devices: 600,
    seed: 11,
    windowMs: 2_000,
    syncDelayMs: 100,
    complianceDelayMs: 100,
  });
});
afterAll(async () => {
  await lab?.close();
});

function connect(): string[] {
  return ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
function env(): NodeJS.ProcessEnv {
  return { AZURE_CLIENT_SECRET: lab.clientSecret };
}
function postsPerDevice(): number[] {
  return Array.from({ length: lab.devices.size }, (_, i) => lab.devices.postCount(i));
}
async function idsFile(name: string, indexes: number[]): Promise<string> {
  const file = tmp.file(name);
  await writeFile(file, `${indexes.map((i) => lab.views.managedDevice(i).id).join('\n')}\n`);
  return file;
}

interface AbandonJson {
  id: string;
  status: string;
  total: number;
  counts: Record<string, number>;
  notDone: Array<{ deviceId: string; phase: string; posted: boolean }>;
}

describe('fleet abandon', () => {
  it('refuses an id the store does not have with exit 2, and posts nothing', async () => {
    const store = `sqlite:${tmp.file('empty.sqlite')}`;
    // A store with something in it: a campaign posted with --no-wait.
    const ids = await idsFile('one.txt', [1]);
    const before = postsPerDevice();
    const posted = await runCli(
      ['fleet', 'sync', ...connect(), '--devices', ids, '--store', store, '--no-wait', '--quiet', '--json'],
      { env: env(), timeoutMs: 60_000 },
    );
    expect(posted.code).toBe(0);
    const unknown = await runCli(['fleet', 'abandon', 'c-no-such-campaign', '--store', store]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no campaign "c-no-such-campaign"');
    const missingId = await runCli(['fleet', 'abandon', '--store', store]);
    expect(missingId.code).toBe(2);
    expect(missingId.stderr).toContain('give the campaign id');
    expect(postsPerDevice().map((n, i) => n - (before[i] ?? 0))[1]).toBe(1);
  }, 90_000);

  it('a campaign killed mid-post and abandoned: never resumed, and a new campaign posts only what it never sent', async () => {
    const store = `sqlite:${tmp.file('abandon.sqlite')}`;
    const all = Array.from({ length: lab.devices.size }, (_, i) => i);
    const ids = await idsFile('all.txt', all);
    const before = postsPerDevice();
    const delta = (): number[] => postsPerDevice().map((n, i) => n - (before[i] ?? 0));
    // 600 syncs at 200 writes per 2 s window take several windows: kill once the lab has taken 20.
    const killed = await runCli(
      ['fleet', 'sync', ...connect(), '--devices', ids, '--store', store, '--deadline', '30m', '--quiet'],
      { env: env(), killWhen: () => delta().filter((n) => n > 0).length >= 20, timeoutMs: 60_000 },
    );
    expect(killed.signal).toBe('SIGKILL');
    const list = await runCli(['fleet', 'status', '--store', store, '--json']);
    const id = (JSON.parse(list.stdout) as { campaigns: Array<{ id: string }> }).campaigns[0]?.id as string;
    const sentByFirst = delta();

    // Before it is abandoned, `fleet status ID` names the open devices, not only their counts.
    const open = await runCli(['fleet', 'status', id, '--store', store, '--json']);
    expect(open.code, open.stderr).toBe(0);
    const openJson = JSON.parse(open.stdout) as { openDevices: Array<{ deviceId: string; posted: boolean }> };
    expect(openJson.openDevices).toHaveLength(600);
    expect(openJson.openDevices.some((d) => d.posted)).toBe(true);
    const openText = await runCli(['fleet', 'status', id, '--store', store]);
    expect(openText.stdout).toContain('Open (600):');
    // Each device in words as the counts above name its phase, never "posted, posted, followed".
    expect(openText.stdout).toMatch(/^ {4}\S+ \([^)]*\): (not posted yet|.+ \(followed\))$/m);
    expect(openText.stdout).not.toMatch(/posted, posted|pending, /);
    expect(openText.stdout).toContain('... and 580 more (--json lists them)');

    const abandoned = await runCli(['fleet', 'abandon', id, '--store', store, '--json']);
    expect(abandoned.stderr).toBe('');
    expect(abandoned.code).toBe(0);
    const summary = JSON.parse(abandoned.stdout) as AbandonJson;
    expect(summary.status).toBe('abandoned');
    expect(summary.total).toBe(600);
    // Nothing was tracked after the kill: every device is still open, listed as not done.
    expect(summary.notDone).toHaveLength(600);
    const neverPosted = summary.notDone.filter((d) => !d.posted);
    expect(neverPosted.every((d) => d.phase === 'pending')).toBe(true);
    expect(neverPosted.length).toBe(summary.counts.pending);
    expect(neverPosted.length).toBeGreaterThan(0);
    // A device the lab took a post for is never listed as never posted.
    const neverPostedIds = new Set(neverPosted.map((d) => d.deviceId));
    for (const i of all) {
      if ((sentByFirst[i] ?? 0) > 0) expect(neverPostedIds.has(lab.views.managedDevice(i).id)).toBe(false);
    }

    const text = await runCli(['fleet', 'abandon', id, '--store', store]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Abandoned: never posted again, never resumed; 600 devices\s+not done\./);
    expect(text.stdout).toContain('Not done (600):');
    expect(text.stdout).toContain('never posted');
    expect(text.stdout).toMatch(
      /^ {4}\S+ \([^)]*\): (not posted yet \(will never be posted\)|.* \(no longer followed\))$/m,
    );
    expect(text.stdout).not.toMatch(/posted, posted|pending, /);
    expect(text.stdout).toContain('(--json lists them)');

    const resumed = await runCli(['fleet', 'resume', id, ...connect(), '--store', store, '--quiet'], {
      env: env(),
    });
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/was abandoned/);
    expect(delta()).toEqual(sentByFirst);

    // The same command again: only the devices the abandoned campaign never sent are posted
    // (--no-wait: posted, then stopped; what is asserted is who was sent what).
    const again = await runCli(
      ['fleet', 'sync', ...connect(), '--devices', ids, '--store', store, '--no-wait', '--json'],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as { id: string; total: number; counts: Record<string, number> };
    expect(second.id).not.toBe(id);
    expect(second.total).toBe(neverPosted.length);
    expect(second.counts.pending).toBe(0);
    expect(second.counts.posting).toBe(0);
    expect(second.counts.posted).toBe(neverPosted.length);
    expect(again.stderr).toContain(`by abandoned campaign ${id}`);
    const after = delta();
    expect(Math.max(...after)).toBe(1); // never twice
    for (const i of all) {
      const sentBySecond = (after[i] ?? 0) - (sentByFirst[i] ?? 0);
      expect(sentBySecond).toBe(neverPostedIds.has(lab.views.managedDevice(i).id) ? 1 : 0);
    }
    // Posted in bulk (executeAction, docs/campaigns.md): at most two calls of up to 100 devices
    // were in flight at the kill; those devices stay unconfirmed (never re-sent), so they may have
    // received nothing. Every other device received exactly one sync.
    expect(after.filter((n) => n === 1).length).toBeGreaterThanOrEqual(600 - 2 * 100);
    const abandonedAfter = JSON.parse(
      (await runCli(['fleet', 'status', id, '--store', store, '--json'])).stdout,
    ) as {
      status: string;
    };
    expect(abandonedAfter.status).toBe('abandoned');
  }, 240_000);
});

describe('fleet resume --deadline', () => {
  // A lab of its own: the 600-device campaigns above (one killed mid-call) leave nothing behind
  // in the tenant this test reads.
  beforeAll(async () => {
    await lab.close();
    lab = await startLabTenant({
      devices: 30,
      seed: 11,
      windowMs: 2_000,
      syncDelayMs: 100,
      complianceDelayMs: 100,
    });
  });

  it('follows the open devices to the new deadline; a bad duration or a finished campaign is exit 2', async () => {
    const store = `sqlite:${tmp.file('deadline.sqlite')}`;
    // Three devices a sync brings to compliant (the lab's seeded problems stay otherwise).
    const picked = Array.from({ length: lab.devices.size }, (_, i) => i)
      .filter((i) => ['healthy', 'sync-stale'].includes(lab.devices.condition(i)))
      .slice(0, 3);
    expect(picked).toHaveLength(3);
    const ids = await idsFile('some.txt', picked);
    const before = postsPerDevice();
    const posted = await runCli(
      [
        'fleet',
        'sync',
        ...connect(),
        '--devices',
        ids,
        '--store',
        store,
        '--deadline',
        '30m',
        '--no-wait',
        '--quiet',
        '--json',
      ],
      { env: env(), timeoutMs: 60_000 },
    );
    expect(posted.code).toBe(0);
    const first = JSON.parse(posted.stdout) as { id: string; status: string; deadline: string };
    expect(first.status).toBe('stopped');

    const bad = await runCli(
      ['fleet', 'resume', first.id, '--deadline', 'soon', ...connect(), '--store', store],
      {
        env: env(),
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--deadline');
    const unchanged = JSON.parse(
      (await runCli(['fleet', 'status', first.id, '--store', store, '--json'])).stdout,
    ) as {
      deadline: string;
    };
    expect(unchanged.deadline).toBe(first.deadline);

    const resumed = await runCli(
      [
        'fleet',
        'resume',
        first.id,
        '--deadline',
        '2h',
        ...connect(),
        '--store',
        store,
        '--poll',
        '200ms',
        '--json',
        '--quiet',
      ],
      { env: env(), timeoutMs: 120_000 },
    );
    expect(resumed.stderr, `resume: code ${resumed.code}, stdout ${resumed.stdout.slice(0, 2000)}`).toBe('');
    expect(resumed.code).toBe(0);
    const done = JSON.parse(resumed.stdout) as {
      status: string;
      deadline: string;
      counts: Record<string, number>;
    };
    expect(done.status).toBe('finished');
    expect(done.counts.compliant).toBe(3);
    // 2 hours from the resume is past the 30 minutes from creation.
    expect(Date.parse(done.deadline)).toBeGreaterThan(Date.parse(first.deadline));
    const after = postsPerDevice().map((n, i) => n - (before[i] ?? 0));
    expect(picked.map((i) => after[i])).toEqual([1, 1, 1]);

    const again = await runCli(
      ['fleet', 'resume', first.id, '--deadline', '1h', ...connect(), '--store', store],
      {
        env: env(),
      },
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is finished');
  }, 180_000);
});

describe('fleet abandon and fleet status in Japanese', () => {
  it('--lang ja: the report, the campaign words and the open devices in Japanese; the exit code as in English', async () => {
    const store = `sqlite:${tmp.file('ja.sqlite')}`;
    const ids = await idsFile('ja.txt', [21, 22]);
    const dryRun = await runCli(
      ['--lang', 'ja', 'fleet', 'sync', ...connect(), '--devices', ids, '--store', store, '--dry-run', '-q'],
      { env: env(), timeoutMs: 60_000 },
    );
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('ドライ ラン: 2台のデバイスに同期を送信します。');
    expect(dryRun.stdout).toContain('何も送信していません。');
    expect(dryRun.stdout).not.toMatch(/Dry run|would sync|Nothing was posted/);
    const posted = await runCli(
      ['fleet', 'sync', ...connect(), '--devices', ids, '--store', store, '--no-wait', '--quiet', '--json'],
      { env: env(), timeoutMs: 60_000 },
    );
    expect(posted.code).toBe(0);
    const id = (JSON.parse(posted.stdout) as { id: string }).id;
    const status = await runCli(['--lang', 'ja', 'fleet', 'status', id, '--store', store]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`キャンペーン ${id}: 同期、(実行中|停止中|完了)`));
    expect(status.stdout).not.toMatch(/sync、|、stopped|、running|Open \(/);
    const abandoned = await runCli(['--lang', 'ja', 'fleet', 'abandon', id, '--store', store]);
    expect(abandoned.code).toBe(0);
    expect(abandoned.stdout).toContain(`キャンペーン ${id}: 同期、中止済み`);
    expect(abandoned.stdout).toContain('中止済み: 今後送信も再開もしません。');
    expect(abandoned.stdout).not.toMatch(
      /Campaign|abandoned|Abandoned|Not done|no longer followed|never posted/,
    );
  }, 120_000);
});
