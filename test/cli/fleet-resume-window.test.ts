/**
 * A campaign stopped with Ctrl-C and resumed at once, or two campaigns run back to back by
 * separate processes, must not be throttled by the writes the earlier process left in Intune's
 * write window (docs/campaigns.md, "Writes of an earlier run"). The built CLI against a lab tenant
 * served from this test process; the lab's own 429 counter is the witness. Stops happen at a
 * state (the lab has admitted a full write window), never after a time.
 */
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-resume-window-');
let lab: LabTenant | undefined;

afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** 200 writes per 15 s: the stopped process's first window is still open when the next one starts. */
async function startLab(seed: number): Promise<LabTenant> {
  lab = await startLabTenant({
    devices: 400,
    seed,
    windowMs: 15_000,
    syncDelayMs: 100,
    complianceDelayMs: 100,
  });
  return lab;
}

function connect(l: LabTenant): string[] {
  return ['--graph-url', l.url, '--tenant-id', l.tenantId, '--client-id', l.clientId];
}
function env(l: LabTenant): NodeJS.ProcessEnv {
  return { AZURE_CLIENT_SECRET: l.clientSecret };
}
function labTotals(l: LabTenant): { writes: number; throttled: number } {
  const apps = Object.values(l.stats().apps);
  return {
    writes: apps.reduce((sum, app) => sum + app.writes, 0),
    throttled: apps.reduce((sum, app) => sum + app.throttled, 0),
  };
}
function posts(l: LabTenant, from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => l.devices.postCount(from + i));
}
async function idsFile(l: LabTenant, name: string, from: number, to: number): Promise<string> {
  const file = tmp.file(name);
  const ids = Array.from({ length: to - from }, (_, i) => l.views.managedDevice(from + i).id);
  await writeFile(file, `${ids.join('\n')}\n`);
  return file;
}

async function stopAndResume(bulk: boolean, seed: number): Promise<void> {
  const l = await startLab(seed);
  const store = `sqlite:${tmp.file(`resume-${seed}.sqlite`)}`;
  const mode = bulk ? [] : ['--no-bulk'];
  const { writesPerWindow } = l.stats().limits;
  // 300 devices at 200 writes per window: Ctrl-C once the lab admitted a full window, while the
  // rest wait for the next one.
  const stopped = await runCli(
    ['fleet', 'sync', ...connect(l), '--devices', await idsFile(l, `ids-${seed}.txt`, 0, 300)].concat([
      '--store',
      store,
      '--no-wait',
      '--quiet',
      ...mode,
    ]),
    {
      env: env(l),
      killWhen: () => labTotals(l).writes >= writesPerWindow,
      killSignal: 'SIGINT',
      timeoutMs: 90_000,
    },
  );
  expect(stopped.code, stopped.stderr).toBe(12);
  const list = await runCli(['fleet', 'status', '--store', store, '--json']);
  const id = (JSON.parse(list.stdout) as { campaigns: Array<{ id: string }> }).campaigns[0]?.id as string;
  const resumed = await runCli(
    ['fleet', 'resume', id, ...connect(l), '--store', store, '--no-wait', '--json', '--quiet', ...mode],
    { env: env(l), timeoutMs: 90_000 },
  );
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(Math.max(...posts(l, 0, 300))).toBe(1); // never twice
  expect((JSON.parse(resumed.stdout) as { counts: Record<string, number> }).counts.pending).toBe(0);
  expect(labTotals(l).throttled).toBe(0);
}

describe('the write window an earlier process left', () => {
  it('Ctrl-C then an immediate resume, one POST per device: no 429', async () => {
    await stopAndResume(false, 21);
  }, 240_000);

  it('Ctrl-C then an immediate resume, executeAction calls: no 429', async () => {
    await stopAndResume(true, 22);
  }, 240_000);

  it('two campaigns back to back by separate processes in one store: no 429', async () => {
    const l = await startLab(23);
    const store = `sqlite:${tmp.file('back-to-back.sqlite')}`;
    for (const [name, from, to] of [
      ['first.txt', 0, 200],
      ['second.txt', 200, 300],
    ] as const) {
      const r = await runCli(
        ['fleet', 'sync', ...connect(l), '--devices', await idsFile(l, name, from, to)].concat([
          '--store',
          store,
          '--no-wait',
          '--quiet',
          '--no-bulk',
        ]),
        { env: env(l), timeoutMs: 90_000 },
      );
      expect(r.code, r.stderr).toBe(0);
    }
    expect(posts(l, 0, 300)).toEqual(Array(300).fill(1));
    expect(labTotals(l).throttled).toBe(0);
  }, 240_000);
});

describe('the writes of a triage just before a campaign', () => {
  it("a triage's report export jobs then a full window of POSTs at once: counted, no 429", async () => {
    // A window long enough that the triage's export jobs are still in it when the campaign has
    // posted a full window's worth.
    lab = await startLabTenant({
      devices: 400,
      seed: 24,
      windowMs: 30_000,
      syncDelayMs: 100,
      complianceDelayMs: 100,
    });
    const l = lab;
    const file = tmp.file('triage-then-sync.sqlite');
    const store = `sqlite:${file}`;
    const triage = await runCli(['fleet', 'triage', ...connect(l), '--store', store, '--quiet', '--json'], {
      env: env(l),
      timeoutMs: 90_000,
    });
    expect(triage.code, triage.stderr).toBe(0);
    const exportWrites = labTotals(l).writes;
    // The two report export jobs (NoncompliantDevicesAndSettings, DevicesWithInventory).
    expect(exportWrites).toBeGreaterThan(0);
    const { writesPerWindow } = l.stats().limits;
    const sync = await runCli(
      [
        'fleet',
        'sync',
        ...connect(l),
        '--devices',
        await idsFile(l, 'triage-then-sync.txt', 0, writesPerWindow),
        '--store',
        store,
        '--no-wait',
        '--quiet',
        '--no-bulk',
      ],
      { env: env(l), timeoutMs: 180_000 },
    );
    expect(sync.code, sync.stderr).toBe(0);
    expect(posts(l, 0, writesPerWindow)).toEqual(Array(writesPerWindow).fill(1));
    expect(labTotals(l)).toEqual({ writes: exportWrites + writesPerWindow, throttled: 0 });
    // Every write is in the store: the triage's as Graph writes, the campaign's by its devices.
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT SUM(writes) AS writes FROM graph_writes').get()).toEqual({
        writes: exportWrites,
      });
      expect(
        db.prepare("SELECT COUNT(*) AS posted FROM campaign_devices WHERE phase = 'posted'").get(),
      ).toEqual({ posted: writesPerWindow });
    } finally {
      db.close();
    }
  }, 300_000);
});
