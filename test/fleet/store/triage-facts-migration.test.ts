/**
 * Schema migration 5: triage rows keep the device's facts (manufacturer, model, TPM maker and
 * version, firmware, failing settings with error codes). On both backends: a store that migration
 * 4 left, holding a finished triage run, opens with its rows intact and their facts `unknown`
 * (never guessed), and a new run keeps the facts it is given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { FleetStore, TriageRow } from '../../../src/fleet/store/fleet-store.js';
import { PostgresFleetStore } from '../../../src/fleet/store/postgres-store.js';
import { MIGRATIONS, renderMigration, SCHEMA_VERSION_DDL } from '../../../src/fleet/store/schema.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { usePostgres } from '../../support/postgres-harness.js';

const postgres = usePostgres();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const CREATED = '2026-01-01T00:00:00.000Z';
const BEFORE_5 = MIGRATIONS.filter((m) => m.version < 5);

/** A version-4 store's rows: a finished triage run with one device. */
const OLD_ROWS = [
  `INSERT INTO triage_runs (created_at, finished_at, target, summary) VALUES ('${CREATED}', '${CREATED}', 'tenant A', '{}')`,
  `INSERT INTO triage_rows (run_id, device_id, device_name, azure_ad_device_id, triage_class, clear_safety, last_sync, reasons)
   VALUES (1, 'd-1', 'PC-1', NULL, 'tpm-clear-candidate', 'unknown', NULL, '["old reason"]')`,
];

const NEW_ROW: TriageRow = {
  deviceId: 'd-2',
  deviceName: 'PC-2',
  azureAdDeviceId: null,
  triageClass: 'tpm-firmware',
  clearSafety: 'not-the-remedy',
  lastSync: null,
  reasons: [],
  facts: {
    manufacturer: 'HP',
    model: 'HP EliteBook 840 14 inch G10 Notebook PC',
    tpmManufacturer: 'IFX',
    tpmVersion: '7.61.2785.0',
    firmware: 'V70 Ver. 01.05.02',
    settingErrors: [
      { setting: 'Windows10CompliancePolicy.TpmRequired', status: 'nonCompliant', errorCode: '0' },
    ],
  },
};

async function expectMigrated(store: FleetStore): Promise<void> {
  const old = await store.latestTriage('tenant A');
  expect(old?.id).toBe(1);
  expect(await store.triageRows(1)).toEqual([
    {
      deviceId: 'd-1',
      deviceName: 'PC-1',
      azureAdDeviceId: null,
      triageClass: 'tpm-clear-candidate',
      clearSafety: 'unknown',
      lastSync: null,
      reasons: ['old reason'],
      facts: {
        manufacturer: 'unknown',
        model: 'unknown',
        tpmManufacturer: 'unknown',
        tpmVersion: 'unknown',
        firmware: 'unknown',
        settingErrors: [],
      },
    },
  ]);
  const run = await store.beginTriage('tenant A');
  await store.addTriageRows(run, [NEW_ROW]);
  await store.finishTriage(run, {});
  expect(await store.triageRows(run)).toEqual([NEW_ROW]);
}

describe('migration 5: triage facts', () => {
  it('SQLite: adds the columns, old rows read as unknown', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-migration5-'));
    dirs.push(dir);
    const file = path.join(dir, 'fleet.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA_VERSION_DDL);
    for (const migration of BEFORE_5) {
      for (const statement of renderMigration(migration, 'sqlite')) db.exec(statement);
      db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
        migration.version,
        CREATED,
      );
    }
    for (const statement of OLD_ROWS) db.exec(statement);
    // The version-4 table has no column for the facts: the reason for the migration.
    expect(() => db.exec("UPDATE triage_rows SET model = 'x'")).toThrow(/no such column/);
    db.close();
    const store = await SqliteFleetStore.open(file);
    try {
      await expectMigrated(store);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: adds the columns, old rows read as unknown', async () => {
    const url = await postgres.freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(SCHEMA_VERSION_DDL);
      for (const migration of BEFORE_5) {
        for (const statement of renderMigration(migration, 'postgres')) await client.query(statement);
        await client.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          CREATED,
        ]);
      }
      for (const statement of OLD_ROWS) await client.query(statement);
      await expect(client.query("UPDATE triage_rows SET model = 'x'")).rejects.toThrow(/model/);
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
