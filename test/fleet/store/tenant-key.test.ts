/**
 * Schema migration 3: the tenant's own key beside the display target. On both backends: a store
 * that migration 2 left, holding a campaign and a finished triage run keyed by the display string
 * only, opens with its rows intact and read without a key (tenant pinning then compares the display
 * strings, as before); new campaigns and triage runs keep their key.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { FleetStore } from '../../../src/fleet/store/fleet-store.js';
import { PostgresFleetStore } from '../../../src/fleet/store/postgres-store.js';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  renderMigration,
  SCHEMA_VERSION_DDL,
} from '../../../src/fleet/store/schema.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { tenantPinRefusal } from '../../../src/plan/tenant-pinning.js';
import { usePostgres } from '../../support/postgres-harness.js';

const postgres = usePostgres();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const CREATED = '2026-01-01T00:00:00.000Z';
const OLD_TARGET = 'https://graph.microsoft.com tenant (managed identity)';
const KEY = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BEFORE_3 = MIGRATIONS.filter((m) => m.version < 3);

/** The statements that fill a version-2 store, in either dialect's placeholders. */
const OLD_ROWS = [
  `INSERT INTO campaigns (id, action, status, target, selection, created_at, updated_at, deadline, script_id)
   VALUES ('c-old', 'sync', 'running', '${OLD_TARGET}', 'all', '${CREATED}', '${CREATED}', '2030-01-01T00:00:00.000Z', NULL)`,
  `INSERT INTO triage_runs (created_at, finished_at, target, summary) VALUES ('${CREATED}', '${CREATED}', '${OLD_TARGET}', '{}')`,
];

async function expectMigrated(store: FleetStore): Promise<void> {
  const old = await store.getCampaign('c-old');
  expect(old).toMatchObject({ id: 'c-old', target: OLD_TARGET });
  expect(old).not.toHaveProperty('tenantKey');
  const oldRun = await store.latestTriage(OLD_TARGET);
  expect(oldRun).toMatchObject({ target: OLD_TARGET });
  expect(oldRun).not.toHaveProperty('tenantKey');
  // An old record is pinned by its display string: the same tenant as before still matches.
  expect(
    tenantPinRefusal(
      { kind: 'triage', id: oldRun!.id },
      { display: oldRun!.target, key: oldRun!.tenantKey },
      { display: OLD_TARGET, key: KEY },
    ),
  ).toBeUndefined();

  const created = await store.createCampaign({
    id: 'c-new',
    action: 'sync',
    target: OLD_TARGET,
    tenantKey: KEY,
    selection: 'all',
    deadline: '2030-01-01T00:00:00.000Z',
    devices: [{ deviceId: 'd-1', deviceName: null, baselineSync: null }],
  });
  expect(created.tenantKey).toBe(KEY);
  expect((await store.getCampaign('c-new'))?.tenantKey).toBe(KEY);
  expect((await store.listCampaigns()).map((c) => [c.id, c.tenantKey])).toEqual([
    ['c-old', undefined],
    ['c-new', KEY],
  ]);
  const run = await store.beginTriage(OLD_TARGET, KEY);
  expect(await store.finishTriage(run, {})).toMatchObject({ id: run, target: OLD_TARGET, tenantKey: KEY });
  expect((await store.latestTriage(OLD_TARGET))?.tenantKey).toBe(KEY);
  expect((await store.triageRun(run))?.tenantKey).toBe(KEY);
  const unkeyed = await store.beginTriage('LAB tenant http://127.0.0.1:1');
  expect(await store.finishTriage(unkeyed, {})).not.toHaveProperty('tenantKey');
}

describe('migration 3: tenant key', () => {
  it('SQLite: adds the column, old rows read without a key, new rows keep theirs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-migration-'));
    dirs.push(dir);
    const file = path.join(dir, 'fleet.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA_VERSION_DDL);
    for (const migration of BEFORE_3) {
      for (const statement of renderMigration(migration, 'sqlite')) db.exec(statement);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
        migration.version,
        CREATED,
      );
    }
    for (const statement of OLD_ROWS) db.exec(statement);
    db.close();

    const store = await SqliteFleetStore.open(file);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      // Migration 3 ran, and every later one after it.
      expect(raw.prepare('SELECT MAX(version) AS version FROM schema_version').get()).toEqual({
        version: LATEST_SCHEMA_VERSION,
      });
      expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    } finally {
      raw.close();
    }
  });

  it('PostgreSQL: adds the column, old rows read without a key, new rows keep theirs', async () => {
    const url = await postgres.freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(SCHEMA_VERSION_DDL);
      for (const migration of BEFORE_3) {
        for (const statement of renderMigration(migration, 'postgres')) await client.query(statement);
        await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          CREATED,
        ]);
      }
      for (const statement of OLD_ROWS) await client.query(statement);
    } finally {
      await client.end();
    }
    const store = await PostgresFleetStore.open(url);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
  });
});
