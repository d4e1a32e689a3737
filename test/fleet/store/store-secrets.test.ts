/**
 * No secret reaches the store: what a caller passes in (a Graph error quoting a bearer token, a
 * recovery password in a reason, a client secret in a summary) is redacted before it is written,
 * checked on the store's bytes on disk; and the PostgreSQL password shows neither in
 * `description` nor in a connection error.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStore } from '../../../src/fleet/store/fleet-store.js';
import { PostgresFleetStore } from '../../../src/fleet/store/postgres-store.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { usePostgres } from '../../support/postgres-harness.js';

const postgres = usePostgres();
let tempDir: string;
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-store-secrets-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

// Test values shaped like the real thing (none is a live credential).
const JWT =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const RECOVERY_PASSWORD = '123456-234567-345678-456789-567890-678901-789012-890123';
const CLIENT_SECRET = 'abc8Q~Zx9yW_vU-tS.rQ8pO7nM6lK5jI4hG3fE2d';
const OWNER_AUTH = 'T3stOwnerAuthValue+/=';
const SECRETS = [JWT, RECOVERY_PASSWORD, CLIENT_SECRET, OWNER_AUTH, 'c2lnbmF0dXJlLWJ5dGVzLWhlcmU'];

async function writeEverywhere(store: FleetStore): Promise<void> {
  await store.createCampaign({
    id: 'secret-campaign',
    action: 'sync',
    target: `https://graph.microsoft.com tenant lab client_secret=${CLIENT_SECRET}`,
    selection: `recovery ${RECOVERY_PASSWORD}`,
    deadline: '2030-01-01T00:00:00.000Z',
    devices: [{ deviceId: 'd1', deviceName: `OwnerAuth: ${OWNER_AUTH}`, baselineSync: null }],
  });
  await store.changePhases('secret-campaign', [
    {
      deviceId: 'd1',
      from: ['pending'],
      to: 'failed',
      error: `403 Forbidden: request had Authorization: Bearer ${JWT} and secret ${CLIENT_SECRET}`,
    },
  ]);
  const run = await store.beginTriage('tenant lab');
  await store.addTriageRows(run, [
    {
      deviceId: 'd1',
      deviceName: null,
      azureAdDeviceId: null,
      triageClass: 'tpm-clear-safe',
      clearSafety: 'safe',
      lastSync: null,
      reasons: [`manage-bde printed Password: ${RECOVERY_PASSWORD}`, `token ${JWT}`],
    },
  ]);
  await store.finishTriage(run, {
    note: `access_token=${JWT}`,
    clientSecret: CLIENT_SECRET,
    nested: [{ OwnerAuth: OWNER_AUTH }],
  });
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

async function readAsText(store: FleetStore): Promise<string> {
  const run = await store.latestTriage();
  return JSON.stringify([
    await store.listCampaigns(),
    await store.campaignDevices('secret-campaign'),
    run,
    run === undefined ? [] : await store.triageRows(run.id),
  ]);
}

/** Every file under `dir`, as latin1 text (so the bytes of an ASCII secret match). */
async function filesAsText(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, entry);
    if ((await stat(file)).isFile()) out.push((await readFile(file)).toString('latin1'));
  }
  return out;
}

describe('secrets are redacted before they are stored', () => {
  it('sqlite: read back and on disk (database and WAL)', async () => {
    const file = path.join(tempDir, 'secrets.sqlite');
    const store = await SqliteFleetStore.open(file);
    await writeEverywhere(store);
    const readBack = await readAsText(store);
    expectNoSecret(readBack);
    expect(readBack).toContain('Authorization: [redacted]');
    expect(readBack).toContain('403 Forbidden');
    const onDisk = await filesAsText(tempDir);
    expect(onDisk.join('').length).toBeGreaterThan(0);
    expect(onDisk.some((bytes) => bytes.includes('403 Forbidden'))).toBe(true);
    for (const bytes of onDisk) expectNoSecret(bytes);
    await store.close();
  });

  it('postgres: read back and in the cluster files after a checkpoint', async () => {
    const store = await PostgresFleetStore.open(await postgres.freshDatabase());
    await writeEverywhere(store);
    expectNoSecret(await readAsText(store));
    await store.close();
    const admin = new pg.Client({ connectionString: postgres.get().url });
    await admin.connect();
    await admin.query('CHECKPOINT');
    await admin.end();
    const onDisk = await filesAsText(postgres.get().dataDir);
    expect(onDisk.some((bytes) => bytes.includes('403 Forbidden'))).toBe(true);
    for (const bytes of onDisk) expectNoSecret(bytes);
  });
});

describe('the PostgreSQL password never shows', () => {
  const PASSWORD = 'pg-Pa55word-not-to-show';

  it('is not in description (trust authentication accepts it, so the store really opens)', async () => {
    const url = new URL(await postgres.freshDatabase());
    url.password = PASSWORD;
    const store = await PostgresFleetStore.open(url.toString());
    expect(store.description).toBe(`postgres://tpmdoctor@127.0.0.1:${postgres.get().port}${url.pathname}`);
    expect(store.description).not.toContain(PASSWORD);
    await store.close();
  });

  it('is not in a connection error, which says which host and what was expected', async () => {
    // A port nothing listens on: our own server's port once it is stopped would race; use port 1.
    const error = await PostgresFleetStore.open(
      `postgres://admin:${PASSWORD}@127.0.0.1:1/fleet?password=${PASSWORD}`,
      {
        connectTimeoutMs: 2_000,
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toMatch(/expected a PostgreSQL server accepting connections/);
    expect(message).not.toContain(PASSWORD);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  });

  it('is not echoed for a URL that does not parse', async () => {
    const error = await PostgresFleetStore.open(`postgres://admin:${PASSWORD}@[bad/fleet`).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/not a valid URL; expected postgres:\/\//);
    expect((error as Error).message).not.toContain(PASSWORD);
  });
});
