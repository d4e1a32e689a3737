/**
 * Hostile input against the PostgreSQL store, through the built CLI (docs/security.md):
 * - a device name from Graph with a NUL in it (PostgreSQL text cannot hold one) does not fail
 *   the triage: it is stored as U+FFFD and rendered safely;
 * - a store URL without a password, against a server that asks for one (SCRAM), prints its error
 *   and exits: nothing keeps the process alive.
 *
 * The harness's server trusts every local connection; this file puts a scram-sha-256 rule for its
 * own role in front (PostgreSQL manual §21.1, "The pg_hba.conf File": the first matching line
 * wins) and reloads the server.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { usePostgres } from '../support/postgres-harness.js';
import { type RewritingProxy, rewriteJsonStrings, startRewritingProxy } from '../support/rewriting-proxy.js';
import { runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();
const postgres = usePostgres();

const ROLE = 'hostile_admin';
const DATABASE = 'hostile';
const PASSWORD = 'pgPw-3Jr8Tq55-hostile';

let lab: LabTenant;
let proxy: RewritingProxy;

beforeAll(async () => {
  const server = postgres.get();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
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
  lab = await startLabTenant({ devices: 120, seed: 9, windowMs: 500 });
  // Every device name gets a NUL, an ESC sequence that erases the line above, and a bidi override.
  proxy = await startRewritingProxy(lab.url, (answer) => ({
    ...answer,
    body: rewriteJsonStrings(
      answer.body,
      'deviceName',
      (name) => `${name}\u0000\u001b[1A\u001b[2K\u202eevil`,
    ),
  }));
});
afterAll(async () => {
  await proxy?.close();
  await lab?.close();
});

function storeUrl(password: string | null = PASSWORD): string {
  const auth = password === null ? ROLE : `${ROLE}:${password}`;
  return `postgres://${auth}@127.0.0.1:${postgres.get().port}/${DATABASE}`;
}

describe('PostgreSQL store under hostile input', () => {
  it('a NUL in device names does not fail a triage; the names are stored and shown safely', async () => {
    const triage = await runCli(
      [
        'fleet',
        'triage',
        '--graph-url',
        proxy.url,
        '--tenant-id',
        lab.tenantId,
        '--client-id',
        lab.clientId,
        '--store',
        storeUrl(),
        '--quiet',
      ],
      { env: { AZURE_CLIENT_SECRET: lab.clientSecret }, timeoutMs: 60_000 },
    );
    expect(triage.code, triage.stderr).toBe(0);
    // The table shows the names with their controls escaped: no ESC, NUL or U+202E reaches the terminal.
    expect(triage.stdout).not.toMatch(/[\u0000\u001b\u202e]/);
    // (the name column is cut to its width; the escapes it shows are the visible ones)
    expect(triage.stdout).toContain('\\x00\\x1b[1');

    const admin = new pg.Client({
      connectionString: postgres.get().url.replace(/\/postgres$/, `/${DATABASE}`),
    });
    await admin.connect();
    try {
      const rows = (await admin.query<{ device_name: string }>('SELECT device_name FROM triage_rows')).rows;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.device_name).toMatch(/\ufffd\u001b\[1A\u001b\[2K\u202eevil$/);
    } finally {
      await admin.end();
    }
    const status = await runCli(['fleet', 'status', '--store', storeUrl()]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Latest triage: run');
  }, 90_000);

  it('a URL without a password against a SCRAM server prints its error and exits (15) at once', async () => {
    const r = await runCli(['fleet', 'status', '--store', storeUrl(null)], { timeoutMs: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(15);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toContain(`127.0.0.1:${postgres.get().port}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
