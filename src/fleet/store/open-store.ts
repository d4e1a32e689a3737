/**
 * Which fleet store a command uses, from `--store SPEC` or TPM_DOCTOR_STORE:
 * - `postgres://...` or `postgresql://...`: PostgreSQL;
 * - `sqlite:PATH`, or a plain path: a SQLite file;
 * - nothing: `fleet.sqlite` in the default directory (defaultStoreDir below).
 *
 * The drivers are imported here, on demand: better-sqlite3 is a native module and pg a sizeable
 * one, and start-up time is part of the product (docs/benchmarks.md), so commands that never
 * touch the store never load them.
 */
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../../remedy/state-dir.js';
import type { FleetStore } from './fleet-store.js';
import { isPostgresUrl, POSTGRES_URL_SHAPE } from './postgres-url.js';
import { FleetStoreError } from './store-error.js';

export const STORE_ENV = 'TPM_DOCTOR_STORE';
const DEFAULT_STORE_FILE = 'fleet.sqlite';

export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string };

/** Where `spec` (else TPM_DOCTOR_STORE, else the default file) points, without opening anything. */
export function resolveStoreLocation(spec?: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const chosen = nonEmpty(spec) ?? nonEmpty(env[STORE_ENV]);
  if (chosen === undefined)
    return { kind: 'sqlite', file: path.join(defaultStoreDir(env), DEFAULT_STORE_FILE) };
  if (isPostgresUrl(chosen)) return { kind: 'postgres', url: chosen };
  if (/^sqlite:/i.test(chosen)) {
    const file = chosen.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file.length === 0) throw new FleetStoreError('store sqlite: has no path; expected sqlite:PATH');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  // Another URL scheme (mysql://, https://) is a mistake, not a file name. A Windows drive path
  // (C:\...) has a one-letter "scheme" and no //, so it stays a path.
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(chosen);
  if (scheme) {
    throw new FleetStoreError(
      `store scheme ${scheme[1]}:// is not supported; expected ${POSTGRES_URL_SHAPE}, sqlite:PATH or a file path`,
    );
  }
  return { kind: 'sqlite', file: path.resolve(chosen) };
}

/**
 * Opens the store `spec` names (see {@link resolveStoreLocation}), its schema brought up to date.
 * `mustExist`: for commands that only read what an earlier command stored (`fleet status`,
 * `fleet resume`): a SQLite file named by --store or TPM_DOCTOR_STORE that is not there is an
 * error, and neither it nor its folder is created (a mistyped --store would otherwise leave an
 * empty database behind). The default store is still made from nothing, privately.
 */
export async function openFleetStore(
  spec?: string,
  options: { mustExist?: boolean } = {},
): Promise<FleetStore> {
  const location = resolveStoreLocation(spec);
  const named = nonEmpty(spec) ?? nonEmpty(process.env[STORE_ENV]);
  // lstat: a link at the name is "there", and the store's own checks refuse it with why.
  if (
    options.mustExist &&
    named !== undefined &&
    location.kind === 'sqlite' &&
    lstatSync(location.file, { throwIfNoEntry: false }) === undefined
  ) {
    throw new FleetStoreError(
      `no fleet store at ${location.file}; expected the SQLite file a fleet triage or campaign wrote (check --store or ${STORE_ENV})`,
    );
  }
  if (location.kind === 'postgres') {
    const { PostgresFleetStore } = await import('./postgres-store.js');
    return PostgresFleetStore.open(location.url);
  }
  const { SqliteFleetStore } = await import('./sqlite-store.js');
  return SqliteFleetStore.open(location.file);
}

/**
 * Where the default store lives. Fleet state is the admin's, not the machine's: root (or
 * TPM_DOCTOR_STATE_DIR) keeps tpm-doctor's state directory (/var/lib/tpm-doctor, as for clear
 * runs); anyone else gets their own state directory, $XDG_STATE_HOME/tpm-doctor or
 * ~/.local/state/tpm-doctor (XDG Base Directory spec), or %LOCALAPPDATA%\tpm-doctor on Windows,
 * instead of a folder they cannot write.
 */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TPM_DOCTOR_STATE_DIR) return path.resolve(env.TPM_DOCTOR_STATE_DIR);
  if (process.platform === 'win32') {
    return env.LOCALAPPDATA ? path.join(env.LOCALAPPDATA, 'tpm-doctor') : stateDir();
  }
  if (process.getuid?.() === 0) return stateDir();
  const base = env.XDG_STATE_HOME || (env.HOME ? path.join(env.HOME, '.local', 'state') : undefined);
  return base ? path.join(base, 'tpm-doctor') : stateDir();
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed.length === 0 ? undefined : trimmed;
}
