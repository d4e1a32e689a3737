/**
 * `tpm-doctor fleet sync` posting with executeAction (docs/campaigns.md, "Bulk actions"): the built
 * CLI against a lab tenant served from this test process. The lab's own counters are the witness:
 * how many executeAction calls it answered, and how often each device was acted on.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-bulk-');
let lab: LabTenant;

beforeAll(async () => {
  lab = await startLabTenant({
    devices: 1_600,
    seed: 15,
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
function posts(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => lab.devices.postCount(from + i));
}
async function idsFile(name: string, from: number, to: number): Promise<string> {
  const file = tmp.file(name);
  const ids = Array.from({ length: to - from }, (_, i) => lab.views.managedDevice(from + i).id);
  await writeFile(file, `${ids.join('\n')}\n`);
  return file;
}

interface StatusJson {
  id: string;
  total: number;
  counts: Record<string, number>;
  graph: { httpRequests: number };
}

describe('fleet sync in executeAction calls', () => {
  it('250 devices: ceil(250 / 100) = 3 calls, each device synced once', async () => {
    const before = posts(0, 250);
    const callsBefore = lab.bulkActions.calls;
    const r = await runCli(
      [
        'fleet',
        'sync',
        ...connect(),
        '--devices',
        await idsFile('a.txt', 0, 250),
        '--store',
        `sqlite:${tmp.file('a.sqlite')}`,
        '--no-wait',
        '--json',
        '--quiet',
      ],
      { env: env(), timeoutMs: 90_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lab.bulkActions.calls - callsBefore).toBe(3);
    expect(posts(0, 250).map((n, i) => n - before[i]!)).toEqual(Array(250).fill(1));
    const status = JSON.parse(r.stdout) as StatusJson;
    expect(status.total).toBe(250);
    expect(status.counts.posted).toBe(250);
  }, 120_000);

  it('--no-bulk posts one request per device, each once', async () => {
    const before = posts(250, 400);
    const callsBefore = lab.bulkActions.calls;
    const r = await runCli(
      [
        'fleet',
        'sync',
        ...connect(),
        '--devices',
        await idsFile('b.txt', 250, 400),
        '--store',
        `sqlite:${tmp.file('b.sqlite')}`,
        '--no-wait',
        '--no-bulk',
        '--json',
        '--quiet',
      ],
      { env: env(), timeoutMs: 90_000 },
    );
    expect(r.code).toBe(0);
    expect(lab.bulkActions.calls).toBe(callsBefore);
    expect(posts(250, 400).map((n, i) => n - before[i]!)).toEqual(Array(150).fill(1));
    // At least one POST per device, besides the reads.
    expect((JSON.parse(r.stdout) as StatusJson).graph.httpRequests).toBeGreaterThanOrEqual(150);
  }, 120_000);

  it('refused by Graph (the lab fault, 403): says so and posts every device one by one, once', async () => {
    const before = posts(400, 550);
    lab.bulkActions.refusedWith = 403;
    try {
      const r = await runCli(
        [
          'fleet',
          'sync',
          ...connect(),
          '--devices',
          await idsFile('c.txt', 400, 550),
          '--store',
          `sqlite:${tmp.file('c.sqlite')}`,
          '--no-wait',
          '--json',
        ],
        { env: env(), timeoutMs: 90_000 },
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /Graph refused executeAction \(.*HTTP 403 Forbidden.*\); the devices were posted one by one/,
      );
      expect(posts(400, 550).map((n, i) => n - before[i]!)).toEqual(Array(150).fill(1));
    } finally {
      lab.bulkActions.refusedWith = null;
    }
  }, 120_000);

  it('killed with SIGKILL mid-bulk, then resumed: no device is posted twice', async () => {
    const from = 600;
    const to = 1_600;
    const before = posts(from, to);
    const callsBefore = lab.bulkActions.calls;
    const store = `sqlite:${tmp.file('kill.sqlite')}`;
    // 1,000 devices at 200 writes per 2 s window take at least 8 s to post: kill once the lab
    // has answered a first call (a state, not a time).
    const killed = await runCli(
      [
        'fleet',
        'sync',
        ...connect(),
        '--devices',
        await idsFile('kill.txt', from, to),
        '--store',
        store,
        '--no-wait',
        '--quiet',
      ],
      { env: env(), killWhen: () => lab.bulkActions.calls > callsBefore, timeoutMs: 60_000 },
    );
    expect(killed.signal).toBe('SIGKILL');
    const mid = posts(from, to).map((n, i) => n - before[i]!);
    expect(mid.filter((n) => n > 0).length).toBeGreaterThan(0);
    expect(mid.filter((n) => n > 0).length).toBeLessThan(1_000);

    const list = await runCli(['fleet', 'status', '--store', store, '--json']);
    const id = (JSON.parse(list.stdout) as { campaigns: Array<{ id: string }> }).campaigns[0]?.id as string;
    const resumed = await runCli(
      ['fleet', 'resume', id, ...connect(), '--store', store, '--no-wait', '--json', '--quiet'],
      { env: env(), timeoutMs: 90_000 },
    );
    expect(resumed.stderr).toBe('');
    const after = posts(from, to).map((n, i) => n - before[i]!);
    expect(Math.max(...after)).toBe(1); // never twice
    const status = JSON.parse(resumed.stdout) as StatusJson;
    expect(status.total).toBe(1_000);
    expect(status.counts.pending).toBe(0);
    expect(status.counts.posting).toBe(0);
    // Every device was posted once, except those of calls marked "posting" at the kill that had
    // not left yet: at most the two executeAction calls admitted at once (200 devices), tracked
    // as "unconfirmed", never re-sent (docs/campaigns.md).
    expect(after.filter((n) => n === 1).length, JSON.stringify(status.counts)).toBeGreaterThanOrEqual(800);
  }, 180_000);
});
