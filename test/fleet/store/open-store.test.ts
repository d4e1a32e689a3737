/** Which store a spec opens: PostgreSQL URLs, sqlite:PATH, plain paths, the env, the default file. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultStoreDir,
  openFleetStore,
  resolveStoreLocation,
  STORE_ENV,
} from '../../../src/fleet/store/open-store.js';
import { usePostgres } from '../../support/postgres-harness.js';

const postgres = usePostgres();
let tempDir: string;
const savedEnv = { store: process.env[STORE_ENV], state: process.env.TPM_DOCTOR_STATE_DIR };
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-open-store-'));
});
afterEach(() => {
  for (const [name, value] of [
    [STORE_ENV, savedEnv.store],
    ['TPM_DOCTOR_STATE_DIR', savedEnv.state],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

describe('resolveStoreLocation', () => {
  it('reads URLs, sqlite: prefixes and paths', () => {
    const env = {};
    expect(resolveStoreLocation('postgres://u@h/db', env)).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
    });
    expect(resolveStoreLocation('postgresql://h/db', env).kind).toBe('postgres');
    expect(resolveStoreLocation('sqlite:/var/x.sqlite', env)).toEqual({
      kind: 'sqlite',
      file: '/var/x.sqlite',
    });
    expect(resolveStoreLocation('sqlite:///var/x.sqlite', env)).toEqual({
      kind: 'sqlite',
      file: '/var/x.sqlite',
    });
    expect(resolveStoreLocation('rel/x.sqlite', env)).toEqual({
      kind: 'sqlite',
      file: path.resolve('rel/x.sqlite'),
    });
    expect(() => resolveStoreLocation('sqlite:', env)).toThrow(/expected sqlite:PATH/);
    expect(() => resolveStoreLocation('mysql://root:hunter2@h/db', env)).toThrow(
      /mysql:\/\/ is not supported/,
    );
    expect(() => resolveStoreLocation('mysql://root:hunter2@h/db', env)).not.toThrow(/hunter2/);
  });

  it('prefers the argument, then TPM_DOCTOR_STORE, then fleet.sqlite in the state directory', () => {
    expect(resolveStoreLocation('/a.sqlite', { [STORE_ENV]: '/b.sqlite' })).toEqual({
      kind: 'sqlite',
      file: '/a.sqlite',
    });
    expect(resolveStoreLocation(undefined, { [STORE_ENV]: '/b.sqlite' })).toEqual({
      kind: 'sqlite',
      file: '/b.sqlite',
    });
    process.env.TPM_DOCTOR_STATE_DIR = tempDir;
    expect(resolveStoreLocation(undefined, {})).toEqual({
      kind: 'sqlite',
      file: path.join(tempDir, 'fleet.sqlite'),
    });
  });
});

describe('openFleetStore', () => {
  it('opens the default SQLite file in TPM_DOCTOR_STATE_DIR', async () => {
    delete process.env[STORE_ENV];
    process.env.TPM_DOCTOR_STATE_DIR = path.join(tempDir, 'state');
    const store = await openFleetStore();
    expect(store.description).toBe(`sqlite:${path.join(tempDir, 'state', 'fleet.sqlite')}`);
    expect(await store.listCampaigns()).toEqual([]);
    await store.close();
  });

  it("defaults to the admin's own state directory, or the machine's as root", () => {
    delete process.env.TPM_DOCTOR_STATE_DIR;
    const env = { HOME: '/home/ann', XDG_STATE_HOME: '' } as NodeJS.ProcessEnv;
    const root = process.getuid?.() === 0;
    if (process.platform !== 'win32') {
      expect(defaultStoreDir(env)).toBe(root ? '/var/lib/tpm-doctor' : '/home/ann/.local/state/tpm-doctor');
      expect(defaultStoreDir({ ...env, XDG_STATE_HOME: '/srv/state' })).toBe(
        root ? '/var/lib/tpm-doctor' : '/srv/state/tpm-doctor',
      );
    }
    expect(defaultStoreDir({ ...env, TPM_DOCTOR_STATE_DIR: path.join(tempDir, 's') })).toBe(
      path.resolve(tempDir, 's'),
    );
  });

  it('opens PostgreSQL from TPM_DOCTOR_STORE', async () => {
    process.env[STORE_ENV] = await postgres.freshDatabase();
    const store = await openFleetStore();
    expect(store.description).toMatch(/^postgres:\/\/tpmdoctor@127\.0\.0\.1:\d+\/test_\d+$/);
    expect(await store.latestTriage()).toBeUndefined();
    await store.close();
  });
});
