/**
 * A campaign process SIGKILLed in the middle of phase changes leaves a consistent store: every
 * changePhases call is all or nothing, and every call that returned is there after a reopen.
 *
 * The child runs the real SqliteFleetStore: the test bundles src/fleet/store/sqlite-store.ts with
 * rolldown (the project's bundler) into a CommonJS file, since Node 20 cannot import TypeScript.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'rolldown';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';

const DEVICES = Array.from({ length: 40 }, (_, index) => `device-${String(index).padStart(2, '0')}`);
/** Commits the child reports before it is killed: enough to be mid-stream, few enough to be quick. */
const COMMITS_BEFORE_KILL = 25;

/**
 * Flips every device between pending and posting, one changePhases call per iteration, stamping
 * postedAt with the iteration, and prints the iteration once the call has returned (committed).
 */
const CHILD_SCRIPT = `
const { SqliteFleetStore } = require(process.argv[2]);
const devices = JSON.parse(process.argv[4]);
(async () => {
  const store = await SqliteFleetStore.open(process.argv[3]);
  for (let iteration = 1; ; iteration++) {
    const from = iteration % 2 === 1 ? 'pending' : 'posting';
    const to = iteration % 2 === 1 ? 'posting' : 'pending';
    const changes = devices.map((deviceId) => ({ deviceId, from: [from], to, postedAt: String(iteration) }));
    const changed = await store.changePhases('crash', changes);
    if (changed.length !== devices.length) {
      process.stderr.write('iteration ' + iteration + ' changed ' + changed.length + ' devices');
      process.exit(3);
    }
    process.stdout.write(iteration + '\\n');
  }
})().catch((error) => {
  process.stderr.write(String(error && error.stack));
  process.exit(2);
});
`;

let dir: string;
let bundle: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-crash-'));
  bundle = path.join(dir, 'sqlite-store.cjs');
  await build({
    input: path.resolve('src/fleet/store/sqlite-store.ts'),
    platform: 'node',
    external: ['better-sqlite3'],
    logLevel: 'silent',
    write: true,
    output: { file: bundle, format: 'cjs' },
  });
  await writeFile(path.join(dir, 'child.cjs'), CHILD_SCRIPT);
});

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Starts the child and resolves with the last iteration it reported when it was SIGKILLed. */
function runAndKill(file: string): Promise<{ lastReported: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const running = spawn(
      process.execPath,
      [path.join(dir, 'child.cjs'), bundle, file, JSON.stringify(DEVICES)],
      {
        // The bundle requires better-sqlite3, which lives in this project's node_modules.
        env: { ...process.env, NODE_PATH: path.resolve('node_modules') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = running;
    let lastReported = 0;
    let buffered = '';
    let stderr = '';
    running.stderr?.setEncoding('utf8').on('data', (data: string) => {
      stderr += data;
    });
    running.stdout?.setEncoding('utf8').on('data', (data: string) => {
      buffered += data;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) lastReported = Number(line);
      if (lastReported >= COMMITS_BEFORE_KILL && running.signalCode === null) running.kill('SIGKILL');
    });
    running.once('error', reject);
    running.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (code ${code}): ${stderr}`));
      else resolve({ lastReported, signal });
    });
  });
}

it('keeps every phase change all-or-nothing and every returned one durable across a SIGKILL', async () => {
  const file = path.join(dir, 'fleet.sqlite');
  const setup = await SqliteFleetStore.open(file);
  await setup.createCampaign({
    id: 'crash',
    action: 'sync',
    target: 'lab',
    selection: 'all',
    deadline: '2030-01-01T00:00:00.000Z',
    devices: DEVICES.map((deviceId) => ({ deviceId, deviceName: null, baselineSync: null })),
  });
  await setup.close();

  for (let round = 0; round < 2; round++) {
    const { lastReported, signal } = await runAndKill(file);
    expect(signal).toBe('SIGKILL');

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();

    const store = await SqliteFleetStore.open(file);
    const devices = await store.campaignDevices('crash');
    await store.close();
    expect(devices.map((device) => device.deviceId)).toEqual(DEVICES);
    // All or nothing: every device carries the same iteration, and that iteration's phase.
    const iterations = new Set(devices.map((device) => device.postedAt));
    expect(iterations.size).toBe(1);
    const iteration = Number([...iterations][0]);
    const phases = new Set(devices.map((device) => device.phase));
    expect([...phases]).toEqual([iteration % 2 === 1 ? 'posting' : 'pending']);
    // Durable: the last call that returned is there; at most the one in flight went further.
    // (Each round's child counts from 1 again, starting from pending.)
    expect([lastReported, lastReported + 1]).toContain(iteration);

    // Bring every device back to pending so the next round's child starts from a known phase.
    if (iteration % 2 === 1) {
      const reset = await SqliteFleetStore.open(file);
      await reset.changePhases(
        'crash',
        DEVICES.map((deviceId) => ({ deviceId, from: ['posting' as const], to: 'pending' as const })),
      );
      await reset.close();
    }
  }
});
