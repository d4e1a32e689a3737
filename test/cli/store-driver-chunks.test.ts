/**
 * Start-up is part of the product (docs/benchmarks.md): each fleet store's database driver is
 * loaded only when that store is opened. The built CLI with a preload that lists every module it
 * loaded (cli-support.ts loadedFiles): `fleet status` on a SQLite store loads better-sqlite3 and
 * not pg, on a PostgreSQL store pg and not better-sqlite3, and `fleet --help` neither
 * (rolldown.config.mjs: a chunk per store backend).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresFleetStore } from '../../src/fleet/store/postgres-store.js';
import { SqliteFleetStore } from '../../src/fleet/store/sqlite-store.js';
import { usePostgres } from '../support/postgres-harness.js';
import { loadedFiles, useBuiltCli } from './cli-support.js';

useBuiltCli();
const postgres = usePostgres();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-store-chunks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Which of the two drivers (and their chunks) a run loaded. */
async function drivers(args: string[]): Promise<{ sqlite: boolean; pg: boolean; chunks: string[] }> {
  const files = await loadedFiles(args);
  return {
    sqlite: files.some((f) => /(^|\/)node_modules\/better-sqlite3\//.test(f)),
    pg: files.some((f) => /(^|\/)node_modules\/pg\//.test(f)),
    chunks: files.filter((f) => /^chunks\/store-/.test(f)),
  };
}

describe('the store drivers load with their store only', () => {
  it('fleet status on a SQLite store: better-sqlite3, never pg', async () => {
    const file = path.join(dir, 'fleet.sqlite');
    await (await SqliteFleetStore.open(file)).close();
    expect(await drivers(['fleet', 'status', '--store', `sqlite:${file}`])).toEqual({
      sqlite: true,
      pg: false,
      chunks: ['chunks/store-sqlite.cjs'],
    });
  });

  it('fleet status on a PostgreSQL store: pg, never better-sqlite3', async () => {
    const url = await postgres.freshDatabase();
    await (await PostgresFleetStore.open(url)).close();
    expect(await drivers(['fleet', 'status', '--store', url])).toEqual({
      sqlite: false,
      pg: true,
      chunks: ['chunks/store-postgres.cjs'],
    });
  });

  it('fleet --help and fleet status --help: neither', async () => {
    for (const args of [
      ['fleet', '--help'],
      ['fleet', 'status', '--help'],
    ]) {
      expect(await drivers(args), args.join(' ')).toEqual({ sqlite: false, pg: false, chunks: [] });
    }
  });
});
