/** What the SQLite backend promises beyond the contract: private files, WAL, a newer schema refused. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/fleet/store/schema.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';

let tempDir: string;
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-sqlite-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

it('creates the directory 0700 and the database, WAL and shared-memory files 0600, in WAL mode', async () => {
  const file = path.join(tempDir, 'nested', 'state', 'fleet.sqlite');
  const store = await SqliteFleetStore.open(file);
  expect(store.description).toBe(`sqlite:${file}`);
  await store.createCampaign({
    id: 'c',
    action: 'reboot',
    target: 'lab',
    selection: 'all',
    deadline: '2030-01-01T00:00:00.000Z',
    devices: [{ deviceId: 'd', deviceName: null, baselineSync: null }],
  });
  expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  for (const suffix of ['', '-wal', '-shm']) expect((await stat(file + suffix)).mode & 0o777).toBe(0o600);
  const raw = new Database(file, { readonly: true });
  expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
    MIGRATIONS.map(({ version }) => ({ version })),
  );
  raw.close();
  await store.close();
});

it('refuses a store written by a newer tpm-doctor, saying what it expected', async () => {
  const file = path.join(tempDir, 'newer.sqlite');
  await (await SqliteFleetStore.open(file)).close();
  const raw = new Database(file);
  raw
    .prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)')
    .run(LATEST_SCHEMA_VERSION + 1, 'x');
  raw.close();
  await expect(SqliteFleetStore.open(file)).rejects.toThrow(/newer than this tpm-doctor knows/);
});

it('says which file and what it expected when the path is not a database', async () => {
  const notADatabase = path.join(tempDir, 'text.sqlite');
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(notADatabase, 'just some text, not SQLite\n'.repeat(10)),
  );
  await expect(SqliteFleetStore.open(notADatabase)).rejects.toThrow(
    new RegExp(`cannot open the SQLite fleet store ${notADatabase}.*expected a SQLite database file`),
  );
});

it('reads a row it does not understand as a clear error naming the column', async () => {
  const file = path.join(tempDir, 'odd.sqlite');
  const store = await SqliteFleetStore.open(file);
  const run = await store.beginTriage('lab');
  await store.addTriageRows(run, [
    {
      deviceId: 'd',
      deviceName: null,
      azureAdDeviceId: null,
      triageClass: 'healthy',
      clearSafety: 'unknown',
      lastSync: null,
      reasons: [],
    },
  ]);
  const raw = new Database(file);
  raw.prepare('UPDATE triage_rows SET reasons = \'{"not": "an array"}\'').run();
  raw.close();
  await expect(store.triageRows(run)).rejects.toThrow(
    /triage_rows row d: expected a JSON array of strings in reasons/,
  );
  await store.close();
});

it('deletes a Graph write row dated in the future and ignores rows whose count is no whole number, edited into the file', async () => {
  const file = path.join(tempDir, 'hostile-writes.sqlite');
  await (await SqliteFleetStore.open(file)).close();
  const now = Date.now();
  const raw = new Database(file);
  const insert = raw.prepare(
    'INSERT INTO graph_writes (target, tenant_key, service, writes, sent_at) VALUES (?, ?, ?, ?, ?)',
  );
  const recent = new Date(now - 1_000).toISOString();
  insert.run('lab', 'key-1', 'devices', 300_000_000, '2099-01-01T00:00:00.000Z');
  // The schema's CHECK (writes > 0) keeps out 0 and negative counts; these pass it.
  for (const writes of [2.5, 'many', 1e300]) insert.run('lab', 'key-1', 'devices', writes, recent);
  insert.run('lab', 'key-1', 'devices', 300_000_000, recent);
  raw.close();
  const store = await SqliteFleetStore.open(file);
  expect(
    await store.graphWritesSince(
      { target: 'lab', tenantKey: 'key-1' },
      'devices',
      new Date(now - 60_000).toISOString(),
    ),
  ).toEqual({ records: [{ sentAt: recent, writes: 300_000_000 }], ignored: 4 });
  await store.close();
  const after = new Database(file, { readonly: true });
  expect(after.prepare("SELECT COUNT(*) AS n FROM graph_writes WHERE sent_at LIKE '2099%'").get()).toEqual({
    n: 0,
  });
  after.close();
});
