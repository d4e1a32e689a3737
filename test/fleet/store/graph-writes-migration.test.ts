/**
 * Schema migration 6: every Graph write per tenant (graph_writes) and a campaign's resume options.
 * On both backends: a store that migration 5 left (made by this build's own migration text),
 * holding a campaign with a posted device, opens with its campaign intact and without resume
 * options (never guessed), records and lists Graph writes, and keeps a new campaign's options.
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
const BEFORE_6 = MIGRATIONS.filter((m) => m.version < 6);
const TARGET = 'https://graph.microsoft.com tenant 0000-lab';

/** A version-5 store's rows: a stopped campaign with one posted device. */
const OLD_ROWS = [
  `INSERT INTO campaigns (id, action, status, target, selection, created_at, updated_at, deadline, tenant_key)
   VALUES ('old', 'sync', 'stopped', '${TARGET}', 'triage 1', '${CREATED}', '${CREATED}', '2030-01-01T00:00:00.000Z', 'key-1')`,
  `INSERT INTO campaign_devices (campaign_id, device_id, device_name, phase, posted_at, updated_at)
   VALUES ('old', 'd-1', 'PC-1', 'posted', '${CREATED}', '${CREATED}')`,
];

async function expectMigrated(store: FleetStore): Promise<void> {
  const old = await store.getCampaign('old');
  expect(old).toEqual({
    id: 'old',
    action: 'sync',
    status: 'stopped',
    target: TARGET,
    tenantKey: 'key-1',
    selection: 'triage 1',
    createdAt: CREATED,
    updatedAt: CREATED,
    deadline: '2030-01-01T00:00:00.000Z',
    scriptId: null,
  });
  expect((await store.campaignDevices('old')).map((d) => [d.deviceId, d.phase])).toEqual([['d-1', 'posted']]);
  const sentAt = new Date().toISOString();
  await store.recordGraphWrite({ target: TARGET, tenantKey: 'key-1', service: 'devices', writes: 2, sentAt });
  expect(await store.graphWritesSince({ target: TARGET, tenantKey: 'key-1' }, 'devices', CREATED)).toEqual({
    records: [{ sentAt, writes: 2 }],
    ignored: 0,
  });
  const resumeOptions = { 'graph-url': 'https://graph.microsoft.com', 'client-id': 'app-1' };
  await store.createCampaign({
    id: 'new',
    action: 'sync',
    target: TARGET,
    tenantKey: 'key-1',
    selection: 'triage 1',
    deadline: '2030-01-01T00:00:00.000Z',
    resumeOptions,
    devices: [{ deviceId: 'd-2', deviceName: 'PC-2', baselineSync: null }],
  });
  expect((await store.getCampaign('new'))?.resumeOptions).toEqual(resumeOptions);
}

describe('migration 6: Graph writes and resume options', () => {
  it('SQLite: adds the table and the column, the old campaign kept without options', async () => {
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(6);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-migration6-'));
    dirs.push(dir);
    const file = path.join(dir, 'fleet.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA_VERSION_DDL);
    for (const migration of BEFORE_6) {
      for (const statement of renderMigration(migration, 'sqlite')) db.exec(statement);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
        migration.version,
        CREATED,
      );
    }
    for (const statement of OLD_ROWS) db.exec(statement);
    // The version-5 store has neither: the reason for the migration.
    expect(() => db.exec('SELECT * FROM graph_writes')).toThrow(/no such table/);
    expect(() => db.exec('SELECT resume_options FROM campaigns')).toThrow(/no such column/);
    db.close();
    const store = await SqliteFleetStore.open(file);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
    const reopened = new Database(file, { readonly: true });
    try {
      expect(reopened.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({
        v: LATEST_SCHEMA_VERSION,
      });
    } finally {
      reopened.close();
    }
  });

  it('PostgreSQL: adds the table and the column, the old campaign kept without options', async () => {
    const url = await postgres.freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(SCHEMA_VERSION_DDL);
      for (const migration of BEFORE_6) {
        for (const statement of renderMigration(migration, 'postgres')) await client.query(statement);
        await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          CREATED,
        ]);
      }
      for (const statement of OLD_ROWS) await client.query(statement);
      await expect(client.query('SELECT * FROM graph_writes')).rejects.toThrow(/graph_writes/);
      await expect(client.query('SELECT resume_options FROM campaigns')).rejects.toThrow(/resume_options/);
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
