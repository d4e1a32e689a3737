/**
 * `tpm-doctor fleet ...` end to end: the built CLI against a lab tenant served from this test
 * process over real HTTP, with a real SQLite store (and PostgreSQL in fleet-postgres.test.ts).
 * The lab's own state is the witness: how often each device was posted to, and what it answered.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-cli-');
let lab: LabTenant;

beforeAll(async () => {
  lab = await startLabTenant({
    devices: 600,
    seed: 5,
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

describe('fleet triage', () => {
  it('classifies every lab device, stores the run, and keeps the secret out of every output', async () => {
    const store = tmp.file('triage.sqlite');
    const html = tmp.file('triage.html');
    const json = await runCli(
      ['fleet', 'triage', ...connect(), '--json', '--store', `sqlite:${store}`, '--quiet'],
      { env: env() },
    );
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      schema: string;
      target: { lab: boolean };
      devices: Array<{ deviceId: string; class: string }>;
      summary: { devices: number; byClass: Record<string, number> };
    };
    expect(report.target.lab).toBe(true);
    expect(report.summary.devices).toBe(600);
    expect(report.devices).toHaveLength(600);
    expect(new Set(report.devices.map((d) => d.deviceId)).size).toBe(600);
    expect(Object.values(report.summary.byClass).reduce((a, b) => a + b, 0)).toBe(600);
    // The lab seeds ~5% unhealthy devices: triage must find some, and most must be healthy.
    expect(report.summary.byClass.healthy).toBeGreaterThan(500);
    expect(report.summary.byClass.healthy).toBeLessThan(600);

    const page = await runCli(
      ['fleet', 'triage', ...connect(), '--format', 'html', '--out', html, '--no-store', '--quiet'],
      { env: env() },
    );
    expect(page.code).toBe(0);
    const htmlText = await readFile(html, 'utf8');
    expect(htmlText).toContain('LAB TENANT');
    expect(htmlText).not.toMatch(/(?:src|href)="https?:/);

    const storeBytes = await readFile(store);
    for (const text of [
      json.stdout,
      json.stderr,
      page.stdout,
      page.stderr,
      htmlText,
      storeBytes.toString('latin1'),
    ]) {
      expect(text).not.toContain(lab.clientSecret);
    }

    const status = await runCli(['fleet', 'status', '--store', `sqlite:${store}`, '--json']);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { latestTriage: { id: number } }).latestTriage.id).toBeGreaterThan(
      0,
    );
  });

  it('wrong flags are usage errors (exit 2) that name the flag; a missing credential is exit 13', async () => {
    const badFormat = await runCli(['fleet', 'triage', ...connect(), '--format', 'xml', '--no-store'], {
      env: env(),
    });
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format');
    const noSelection = await runCli(
      ['fleet', 'sync', ...connect(), '--store', `sqlite:${tmp.file('x.sqlite')}`],
      { env: env() },
    );
    expect(noSelection.code).toBe(2);
    expect(noSelection.stderr).toMatch(/--class/);
    const noSecret = await runCli(['fleet', 'triage', ...connect(), '--no-store'], {
      env: { AZURE_CLIENT_SECRET: '' },
    });
    expect(noSecret.code).toBe(13);
    expect(noSecret.stderr).toContain('AZURE_CLIENT_SECRET');
    const wrongSecret = await runCli(['fleet', 'triage', ...connect(), '--no-store', '--quiet'], {
      env: { AZURE_CLIENT_SECRET: 'not-the-lab-secret-0123456789' },
    });
    expect(wrongSecret.code).toBe(13);
    expect(wrongSecret.stderr).not.toContain('not-the-lab-secret-0123456789');
  });
});

describe('fleet sync', () => {
  it('a campaign killed with SIGKILL mid-post resumes without posting any device twice', async () => {
    const store = tmp.file('campaign.sqlite');
    const ids = tmp.file('ids.txt');
    const chosen = Array.from({ length: lab.devices.size }, (_, i) => lab.views.managedDevice(i).id);
    await import('node:fs/promises').then((fs) => fs.writeFile(ids, `${chosen.join('\n')}\n`));
    const before = postsPerDevice();
    // 600 syncs at 200 writes per 2 s window need at least 4 s of posting: kill it once the lab
    // has taken 20 of them (a state, not a time, so a slow machine kills it at the same point).
    // One POST per device (--no-bulk): the bound below is that path's; test/cli/fleet-bulk.test.ts
    // kills and resumes a campaign posted in executeAction calls.
    const posted = (): number => postsPerDevice().filter((n, i) => n > (before[i] ?? 0)).length;
    const killed = await runCli(
      [
        'fleet',
        'sync',
        ...connect(),
        '--no-bulk',
        '--devices',
        ids,
        '--store',
        `sqlite:${store}`,
        '--poll',
        '200ms',
        '--deadline',
        '15s',
      ],
      {
        env: env(),
        killWhen: () => posted() >= 20,
        timeoutMs: 60_000,
      },
    );
    expect(killed.signal).toBe('SIGKILL');
    const mid = postsPerDevice().map((n, i) => n - (before[i] ?? 0));
    const postedBeforeKill = mid.filter((n) => n > 0).length;
    expect(postedBeforeKill).toBeGreaterThan(0);
    expect(postedBeforeKill).toBeLessThan(600);

    const list = await runCli(['fleet', 'status', '--store', `sqlite:${store}`, '--json']);
    const campaigns = (JSON.parse(list.stdout) as { campaigns: Array<{ id: string; status: string }> })
      .campaigns;
    expect(campaigns).toHaveLength(1);
    const id = campaigns[0]?.id as string;

    const resumed = await runCli(
      [
        'fleet',
        'resume',
        id,
        ...connect(),
        '--store',
        `sqlite:${store}`,
        '--poll',
        '200ms',
        // The deadline counts from the resume: the 15 s given at creation may have passed on a
        // loaded machine by now, and a device still pending at the deadline is never posted.
        '--deadline',
        '30s',
        '--no-bulk',
        '--json',
        '--quiet',
      ],
      {
        env: env(),
        timeoutMs: 90_000,
      },
    );
    expect(resumed.stderr).toBe('');
    const after = postsPerDevice().map((n, i) => n - (before[i] ?? 0));
    expect(Math.max(...after)).toBe(1); // never twice
    const status = JSON.parse(resumed.stdout) as { total: number; counts: Record<string, number> };
    expect(status.total).toBe(600);
    // Every device was posted once, except those marked "posting" at the kill whose POST had not
    // left yet: a device is marked only when the budget admits it, so at most the 64 POSTs in
    // flight. Those are tracked as "unconfirmed", never re-sent (docs/campaigns.md).
    expect(after.filter((n) => n === 1).length, JSON.stringify(status.counts)).toBeGreaterThanOrEqual(
      600 - 64,
    );
    expect(status.counts.pending).toBe(0);
    expect(status.counts.posting).toBe(0);
  }, 150_000);
});

describe('fleet remediate', () => {
  it('runs the evidence script on the chosen devices and assigns the package to a group; a bad group id is exit 2', async () => {
    const store = tmp.file('remediate.sqlite');
    const device = lab.views.managedDevice(3).id;
    const group = '6a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const bad = await runCli(
      [
        'fleet',
        'remediate',
        ...connect(),
        '--device',
        device,
        '--assign-group',
        'not-a-guid',
        '--store',
        `sqlite:${store}`,
      ],
      {
        env: env(),
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--assign-group');
    const before = lab.devices.postCount(3);
    const ok = await runCli(
      [
        'fleet',
        'remediate',
        ...connect(),
        '--device',
        device,
        '--assign-group',
        group,
        '--store',
        `sqlite:${store}`,
        '--poll',
        '200ms',
        '--deadline',
        '20s',
        '--json',
      ],
      { env: env(), timeoutMs: 40_000 },
    );
    expect(ok.stderr).toContain(`assigned to group ${group}`);
    expect([0, 16]).toContain(ok.code);
    expect(lab.devices.postCount(3) - before).toBe(1);
    const status = JSON.parse(ok.stdout) as { action: string; total: number; scriptId: string | null };
    expect(status.action).toBe('remediate');
    expect(status.total).toBe(1);
    expect(status.scriptId).not.toBeNull();
  }, 60_000);
});

describe('one store, two tenants', () => {
  it("a campaign never selects another tenant's triage, and resumes only in its own tenant", async () => {
    const store = `sqlite:${tmp.file('two-tenants.sqlite')}`;
    const triage = await runCli(
      ['fleet', 'triage', ...connect(), '--store', store, '--quiet', '--format', 'csv'],
      { env: env() },
    );
    expect(triage.code).toBe(0);
    // A CSV has no banner: every row names its tenant, the LAB label included.
    const csvRows = triage.stdout.trim().split('\r\n');
    expect(csvRows[0]).toMatch(/,tenant$/);
    expect(csvRows).toHaveLength(601);
    for (const line of csvRows.slice(1)) expect(line).toMatch(/,LAB tenant http:\/\/127\.0\.0\.1:\d+$/);
    // The same store, another tenant (an in-process lab): its triage is not ours to act on.
    const other = await runCli([
      'fleet',
      'sync',
      '--tenant',
      'lab',
      '--class',
      'sync-stale',
      '--store',
      store,
      '--dry-run',
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/no finished triage of LAB tenant in-process/);
    const pinned = await runCli([
      'fleet',
      'sync',
      '--tenant',
      'lab',
      '--triage',
      '1',
      '--class',
      'sync-stale',
      '--store',
      store,
      '--dry-run',
    ]);
    expect(pinned.code).toBe(2);
    expect(pinned.stderr).toMatch(
      /triage run 1 is of LAB tenant http:\/\/127\.0\.0\.1:\d+, not of LAB tenant in-process/,
    );

    // A clear of devices given by id decides on a triage of its own tenant too, never another's.
    const clear = await runCli([
      'fleet',
      'clear',
      '--tenant',
      'lab',
      '--device',
      lab.views.managedDevice(1).id,
      '--store',
      store,
      '--dry-run',
    ]);
    expect(clear.code).toBe(2);
    expect(clear.stderr).toMatch(/no finished triage of LAB tenant in-process/);

    const ids = tmp.file('one-id.txt');
    await import('node:fs/promises').then((fs) => fs.writeFile(ids, `${lab.views.managedDevice(7).id}\n`));
    const posted = await runCli(
      ['fleet', 'sync', ...connect(), '--devices', ids, '--store', store, '--no-wait', '--json', '--quiet'],
      { env: env() },
    );
    expect(posted.code).toBe(0);
    const id = (JSON.parse(posted.stdout) as { id: string }).id;
    const elsewhere = await runCli(['fleet', 'resume', id, '--tenant', 'lab', '--store', store]);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(`campaign ${id} runs in LAB tenant http://127.0.0.1:`);
  });
});
