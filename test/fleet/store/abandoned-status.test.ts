/**
 * Schema migration 4: the campaign status `abandoned`. On both backends: a store that migration 3
 * left, holding a campaign with its tenant key and devices in several phases, opens with every row
 * intact (the SQLite table rebuild loses nothing, not the tenant key), and the campaign can then
 * be abandoned, which the old CHECK constraint refused.
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
import { usePostgres } from '../../support/postgres-harness.js';

const postgres = usePostgres();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const CREATED = '2026-01-01T00:00:00.000Z';
const TARGET = 'https://graph.microsoft.com tenant (managed identity)';
const KEY = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BEFORE_4 = MIGRATIONS.filter((m) => m.version < 4);

/** A version-3 store's rows: a stopped campaign with a posted and a pending device. */
const OLD_ROWS = [
  `INSERT INTO campaigns (id, action, status, target, tenant_key, selection, created_at, updated_at, deadline, script_id)
   VALUES ('c-old', 'reboot', 'stopped', '${TARGET}', '${KEY}', 'all', '${CREATED}', '${CREATED}', '2030-01-01T00:00:00.000Z', NULL)`,
  `INSERT INTO campaign_devices (campaign_id, device_id, device_name, baseline_sync, phase, posted_at, updated_at)
   VALUES ('c-old', 'd-1', 'PC-1', NULL, 'posted', '${CREATED}', '${CREATED}')`,
  `INSERT INTO campaign_devices (campaign_id, device_id, device_name, baseline_sync, phase, updated_at)
   VALUES ('c-old', 'd-2', 'PC-2', NULL, 'pending', '${CREATED}')`,
];

async function expectMigrated(store: FleetStore): Promise<void> {
  expect(await store.getCampaign('c-old')).toMatchObject({
    id: 'c-old',
    action: 'reboot',
    status: 'stopped',
    target: TARGET,
    tenantKey: KEY,
  });
  expect((await store.campaignDevices('c-old')).map((d) => [d.deviceId, d.phase, d.postedAt])).toEqual([
    ['d-1', 'posted', CREATED],
    ['d-2', 'pending', null],
  ]);
  await store.setCampaignStatus('c-old', 'abandoned');
  expect(await store.getCampaign('c-old')).toMatchObject({ status: 'abandoned', tenantKey: KEY });
  expect(await store.changePhases('c-old', [{ deviceId: 'd-2', from: ['pending'], to: 'posting' }])).toEqual(
    [],
  );
}

describe('migration 4: abandoned campaigns', () => {
  it('SQLite: rebuilds the campaign tables with every row and the tenant key kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-migration-'));
    dirs.push(dir);
    const file = path.join(dir, 'fleet.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA_VERSION_DDL);
    for (const migration of BEFORE_4) {
      for (const statement of renderMigration(migration, 'sqlite')) db.exec(statement);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
        migration.version,
        CREATED,
      );
    }
    for (const statement of OLD_ROWS) db.exec(statement);
    // The version-3 table refuses the new status: the reason for the migration.
    expect(() => db.exec("UPDATE campaigns SET status = 'abandoned'")).toThrow(/CHECK constraint/);
    db.close();

    const store = await SqliteFleetStore.open(file);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      // Migration 4 and every later one ran.
      expect(raw.prepare('SELECT MAX(version) AS version FROM schema_version').get()).toEqual({
        version: LATEST_SCHEMA_VERSION,
      });
      expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
      expect(raw.pragma('foreign_key_check')).toEqual([]);
      const tables = raw.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
        sql: string;
      }[];
      expect(tables.map((t) => t.name).filter((n) => n.endsWith('_v4'))).toEqual([]);
      expect(tables.find((t) => t.name === 'campaign_devices')?.sql).toMatch(/REFERENCES "?campaigns"? /);
    } finally {
      raw.close();
    }
  });

  it('PostgreSQL: swaps the status constraint with every row kept', async () => {
    const url = await postgres.freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(SCHEMA_VERSION_DDL);
      for (const migration of BEFORE_4) {
        for (const statement of renderMigration(migration, 'postgres')) await client.query(statement);
        await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          CREATED,
        ]);
      }
      for (const statement of OLD_ROWS) await client.query(statement);
      await expect(client.query("UPDATE campaigns SET status = 'abandoned'")).rejects.toThrow(
        /campaigns_status_check/,
      );
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
