/**
 * `tpm-doctor fleet ...` with `--store postgres://...`: the built CLI against a lab tenant served
 * from this test process and a real PostgreSQL (one per file, test/support/postgres-harness.ts).
 * triage stores its run in PostgreSQL, `fleet sync --class` selects from that run and completes,
 * `fleet status` reads both back; the database password never shows, and a wrong one is exit 15
 * naming where the store is.
 *
 * The harness's server trusts every local connection. To make the password mean something, this
 * file adds one pg_hba.conf rule in front (for its own role only: scram-sha-256, PostgreSQL
 * manual §21.1, "The pg_hba.conf File", first matching line wins) and reloads the server.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { usePostgres } from '../support/postgres-harness.js';
import { type CliResult, runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();
const postgres = usePostgres();

const ROLE = 'fleet_admin';
const DATABASE = 'fleet';
// Distinctive, so that finding it anywhere in an output is certain to be a leak.
const PASSWORD = 'pgPw-7Hq2Zx91-fleet';
const WRONG_PASSWORD = 'notIt-4Kd8Wy30-fleet';

let lab: LabTenant;
/** Every CLI run of this file: none may print the password. */
const runs: CliResult[] = [];

beforeAll(async () => {
  const server = postgres.get();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    // The password is a literal in DDL (CREATE ROLE takes no bind parameters); it is ours and fixed.
    await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`);
    const hba = path.join(server.dataDir, 'pg_hba.conf');
    writeFileSync(
      hba,
      `host all ${ROLE} 127.0.0.1/32 scram-sha-256\nhost all ${ROLE} ::1/128 scram-sha-256\n${readFileSync(hba, 'utf8')}`,
    );
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
  lab = await startLabTenant({
    devices: 600,
    seed: 5,
    windowMs: 500,
    syncDelayMs: 50,
    complianceDelayMs: 50,
  });
});
afterAll(async () => {
  await lab?.close();
});

function storeUrl(password = PASSWORD): string {
  return `postgres://${ROLE}:${password}@127.0.0.1:${postgres.get().port}/${DATABASE}`;
}
function connect(): string[] {
  return ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
async function fleet(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  const result = await runCli(['fleet', ...args], {
    env: { AZURE_CLIENT_SECRET: lab.clientSecret },
    timeoutMs,
  });
  runs.push(result);
  return result;
}
function parse<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (error) {
    throw new Error(
      `expected JSON on stdout (exit ${result.code}): ${(error as Error).message}\n${result.stdout.slice(0, 1000)}\n${result.stderr.slice(0, 1000)}`,
    );
  }
}

describe('fleet commands with a PostgreSQL store', () => {
  it('the password authentication is real: the role needs its password', async () => {
    const client = new pg.Client({ connectionString: storeUrl(WRONG_PASSWORD) });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    await client.end().catch(() => {});
  });

  it('triage stores its run, sync --class selects from it and completes, status reads both', async () => {
    const triage = await fleet(['triage', ...connect(), '--json', '--store', storeUrl()]);
    expect(triage.code).toBe(0);
    const report = parse<{ devices: Array<{ deviceId: string; class: string }> }>(triage);
    const stale = report.devices.filter((d) => d.class === 'sync-stale').map((d) => d.deviceId);
    expect(stale.length).toBeGreaterThan(0);
    // The progress and summary lines name the store without its password.
    expect(triage.stderr).toContain(`stored as triage run`);
    expect(triage.stderr).toContain(`postgres://${ROLE}@127.0.0.1:${postgres.get().port}/${DATABASE}`);

    const listed = await fleet(['status', '--store', storeUrl(), '--json']);
    expect(listed.code).toBe(0);
    const before = parse<{ store: string; latestTriage: { id: number; finishedAt: string | null } }>(listed);
    expect(before.store).toBe(`postgres://${ROLE}@127.0.0.1:${postgres.get().port}/${DATABASE}`);
    expect(before.latestTriage.finishedAt).not.toBeNull();

    // Triage calls every device silent for over 7 days sync-stale: the lab's sync-stale devices,
    // which check in when told to, and its stays-broken ones, which never do and time out.
    const conditionOf = (id: string) => lab.devices.condition(lab.devices.indexOf(id)!);
    const willSync = stale.filter((id) => conditionOf(id) === 'sync-stale');
    const neverSyncs = stale.filter((id) => conditionOf(id) === 'stays-broken');
    expect(willSync.length).toBeGreaterThan(0);
    expect(neverSyncs.length).toBeGreaterThan(0);
    expect(willSync.length + neverSyncs.length).toBe(stale.length);

    const postsBefore = stale.map((id) => lab.devices.postCount(lab.devices.indexOf(id)!));
    // The deadline is what ends the stays-broken devices: short, yet ample for the lab's 50 ms syncs.
    const sync = await fleet(
      [
        'sync',
        ...connect(),
        '--class',
        'sync-stale',
        '--store',
        storeUrl(),
        '--poll',
        '100ms',
        '--deadline',
        '4s',
        '--json',
      ],
      60_000,
    );
    // 16: the campaign finished, with devices timed out (docs/exit-codes.md).
    expect(sync.code, sync.stderr.slice(-2000)).toBe(16);
    const campaign = parse<{
      id: string;
      status: string;
      total: number;
      selection: string;
      counts: Record<string, number>;
    }>(sync);
    expect(campaign.status).toBe('finished');
    expect(campaign.selection).toBe(`triage ${before.latestTriage.id}, class sync-stale`);
    expect(campaign.total).toBe(stale.length);
    expect(campaign.counts.compliant).toBe(willSync.length);
    expect(campaign.counts['timed-out']).toBe(neverSyncs.length);
    // Each selected device was posted exactly once (stays-broken ones accept the POST too).
    stale.forEach((id, i) => {
      expect(lab.devices.postCount(lab.devices.indexOf(id)!) - postsBefore[i]!).toBe(1);
    });
    // Without --quiet the command names its store on stderr: without the password.
    expect(sync.stderr).toContain(`store postgres://${ROLE}@127.0.0.1:${postgres.get().port}/${DATABASE}`);

    const status = await fleet(['status', campaign.id, '--store', storeUrl(), '--json']);
    expect(status.code).toBe(0);
    expect(parse<{ id: string; status: string; open: number }>(status)).toMatchObject({
      id: campaign.id,
      status: 'finished',
      open: 0,
    });
    const list = await fleet(['status', '--store', storeUrl()]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(campaign.id);
    expect(list.stdout).toContain(`Latest triage: run ${before.latestTriage.id}`);

    // Nothing in the database holds the password or the client secret.
    const admin = new pg.Client({
      connectionString: postgres.get().url.replace(/\/postgres$/, `/${DATABASE}`),
    });
    await admin.connect();
    try {
      const tables = ['campaigns', 'campaign_devices', 'triage_runs', 'triage_rows', 'schema_version'];
      for (const table of tables) {
        const rows = JSON.stringify((await admin.query(`SELECT * FROM ${table}`)).rows);
        expect(rows).not.toContain(PASSWORD);
        expect(rows).not.toContain(lab.clientSecret);
      }
    } finally {
      await admin.end();
    }
  }, 120_000);

  it('a wrong password is exit 15, naming host and port and neither password', async () => {
    const wrong = await fleet(['status', '--store', storeUrl(WRONG_PASSWORD)]);
    expect(wrong.code).toBe(15);
    expect(wrong.stderr).toContain(`127.0.0.1:${postgres.get().port}`);
    expect(wrong.stderr).toMatch(/password authentication failed/);
    expect(`${wrong.stdout}${wrong.stderr}`).not.toContain(WRONG_PASSWORD);

    const triage = await fleet(['triage', ...connect(), '--store', storeUrl(WRONG_PASSWORD), '--quiet']);
    expect(triage.code).toBe(15);
    expect(triage.stderr).toContain(`127.0.0.1:${postgres.get().port}`);
    expect(`${triage.stdout}${triage.stderr}`).not.toContain(WRONG_PASSWORD);
  });

  it('no run printed the password, right or wrong, on stdout or stderr', () => {
    expect(runs.length).toBeGreaterThanOrEqual(7);
    for (const run of runs) {
      for (const text of [run.stdout, run.stderr]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(WRONG_PASSWORD);
        expect(text).not.toContain(lab.clientSecret);
      }
    }
  });
});
