/**
 * Schema migration 2 (campaign action 'clear') on a store that migration 1 made and that already
 * holds a campaign with its devices: the rows survive, the foreign key still cascades, and a
 * clear campaign can be stored. On SQLite (the table rebuild) and PostgreSQL (the constraint swap).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { FleetStore } from '../../../src/fleet/store/fleet-store.js';
import { PostgresFleetStore } from '../../../src/fleet/store/postgres-store.js';
import { MIGRATIONS, renderMigration, SCHEMA_VERSION_DDL } from '../../../src/fleet/store/schema.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { usePostgres } from '../../support/postgres-harness.js';

const postgres = usePostgres();
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const V1 = MIGRATIONS.find((m) => m.version === 1)!;
const CREATED = '2026-01-01T00:00:00.000Z';

async function expectUpgraded(store: FleetStore): Promise<void> {
  const old = await store.getCampaign('c-old');
  expect(old).toMatchObject({ id: 'c-old', action: 'sync', status: 'running' });
  expect((await store.campaignDevices('c-old')).map((d) => [d.deviceId, d.phase])).toEqual([
    ['d-1', 'posted'],
    ['d-2', 'pending'],
  ]);
  const created = await store.createCampaign({
    id: 'c-clear',
    action: 'clear',
    target: 'LAB tenant http://127.0.0.1:1',
    selection: 'triage 1, clear safety safe',
    deadline: '2030-01-01T00:00:00.000Z',
    devices: [{ deviceId: 'd-3', deviceName: 'NYC-LT-000003', baselineSync: null }],
  });
  expect(created.action).toBe('clear');
  expect((await store.getCampaign('c-clear'))?.action).toBe('clear');
  // The devices still belong to their campaign: the phase index and the foreign key still work.
  expect(await store.changePhases('c-old', [{ deviceId: 'd-2', from: ['pending'], to: 'posting' }])).toEqual([
    'd-2',
  ]);
  expect((await store.phaseCounts('c-old')).posting).toBe(1);
}

describe('migration 2: campaign action clear', () => {
  it('SQLite: rebuilds the campaign tables without losing a row', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-migration-'));
    dirs.push(dir);
    const file = path.join(dir, 'fleet.sqlite');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA_VERSION_DDL);
    for (const statement of renderMigration(V1, 'sqlite')) db.exec(statement);
    db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (1, ?)').run(CREATED);
    db.prepare(
      `INSERT INTO campaigns (id, action, status, target, selection, created_at, updated_at, deadline, script_id)
       VALUES ('c-old', 'sync', 'running', 'lab', 'all', ?, ?, '2030-01-01T00:00:00.000Z', NULL)`,
    ).run(CREATED, CREATED);
    const device = db.prepare(
      `INSERT INTO campaign_devices (campaign_id, device_id, phase, updated_at) VALUES ('c-old', ?, ?, ?)`,
    );
    device.run('d-1', 'posted', CREATED);
    device.run('d-2', 'pending', CREATED);
    // Migration 1 refuses the new action: the CHECK really changes.
    expect(() =>
      db
        .prepare(
          `INSERT INTO campaigns (id, action, status, target, selection, created_at, updated_at, deadline)
           VALUES ('x', 'clear', 'running', 'lab', 'all', ?, ?, ?)`,
        )
        .run(CREATED, CREATED, CREATED),
    ).toThrow(/CHECK/);
    db.close();

    const store = await SqliteFleetStore.open(file);
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      // Migration 2 and every later one ran, each once.
      expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
        MIGRATIONS.map((m) => ({ version: m.version })),
      );
      expect(MIGRATIONS.map((m) => m.version).slice(0, 4)).toEqual([1, 2, 3, 4]);
      // No table of the rebuild is left behind, and the child references `campaigns` again.
      const tables = raw.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
        sql: string;
      }[];
      expect(tables.map((t) => t.name).filter((n) => n.endsWith('_v2') || n.endsWith('_v4'))).toEqual([]);
      expect(tables.find((t) => t.name === 'campaign_devices')?.sql).toMatch(
        /REFERENCES "?campaigns"? \(id\)/,
      );
      expect(raw.pragma('foreign_key_check')).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('PostgreSQL: swaps the CHECK constraint in place', async () => {
    const url = await postgres.freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(SCHEMA_VERSION_DDL);
      for (const statement of renderMigration(V1, 'postgres')) await client.query(statement);
      await client.query('INSERT INTO schema_version (version, applied_at) VALUES (1, $1)', [CREATED]);
      await client.query(
        `INSERT INTO campaigns (id, action, status, target, selection, created_at, updated_at, deadline, script_id)
         VALUES ('c-old', 'sync', 'running', 'lab', 'all', $1, $1, '2030-01-01T00:00:00.000Z', NULL)`,
        [CREATED],
      );
      for (const [id, phase] of [
        ['d-1', 'posted'],
        ['d-2', 'pending'],
      ]) {
        await client.query(
          'INSERT INTO campaign_devices (campaign_id, device_id, phase, updated_at) VALUES ($1, $2, $3, $4)',
          ['c-old', id, phase, CREATED],
        );
      }
    } finally {
      await client.end();
    }
    const store = await PostgresFleetStore.open(url);
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
  });
});
