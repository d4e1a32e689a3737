/**
 * One throwaway PostgreSQL server per vitest test file.
 *
 * ```ts
 * const postgres = usePostgres();
 * it('...', async () => { const store = await PostgresFleetStore.open(await postgres.freshDatabase()); });
 * ```
 * beforeAll: initdb into a fresh mkdtemp directory (trust authentication, superuser `tpmdoctor`),
 * then `postgres` on 127.0.0.1 and a free port, its socket and lock file inside that directory (so
 * two test files never share one). afterAll: exactly that PID is stopped and the directory
 * removed, whether the tests passed or not. When PostgreSQL is missing the file fails with the
 * install command; it never skips.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export const POSTGRES_INSTALL_HINT = 'apt-get install postgresql';

export interface PostgresServer {
  readonly pid: number;
  readonly port: number;
  /** The directory holding the cluster (`data/`) and the socket; removed by stop(). */
  readonly dir: string;
  readonly dataDir: string;
  /** `postgres://tpmdoctor@127.0.0.1:PORT/postgres` (trust authentication: any password is accepted). */
  readonly url: string;
  /** The URL of a new, empty database on this server. */
  freshDatabase(): Promise<string>;
  /** SIGINT (fast shutdown), SIGKILL after the grace period, then remove the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** How long to wait for the server to accept connections; default 30000 ms. */
  readyTimeoutMs?: number;
  /** How long a stopping server gets before SIGKILL; default 5000 ms. */
  stopGraceMs?: number;
}

const SUPERUSER = 'tpmdoctor';
const START_ATTEMPTS = 5;
const POLL_MS = 50;

/** initdb and postgres of the newest PostgreSQL under /usr/lib/postgresql (Debian's layout). */
export function findPostgresBinaries(root = '/usr/lib/postgresql'): { initdb: string; postgres: string } {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => /^\d+(\.\d+)?$/.test(entry))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    const initdb = path.join(bin, 'initdb');
    const postgres = path.join(bin, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  throw new Error(
    `PostgreSQL tests cannot run: no initdb and postgres under ${root}/*/bin. Install them with: ${POSTGRES_INSTALL_HINT}`,
  );
}

/**
 * PostgreSQL refuses to run as root ("root execution of the PostgreSQL server is not permitted"),
 * and CI runs tests as root: then the cluster belongs to, and the server runs as, the `postgres`
 * system user the Debian package creates.
 */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const fields = line?.split(':');
  const uid = Number(fields?.[2]);
  const gid = Number(fields?.[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error(
      `PostgreSQL tests run as root need the postgres system user (none in /etc/passwd). Install: ${POSTGRES_INSTALL_HINT}`,
    );
  }
  return { uid, gid };
}

// Processes and directories still owned, for the worker's exit (afterAll may never run if it dies).
const liveServers = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveServers) if (child.pid !== undefined && isRunning(child)) child.kill('SIGKILL');
    for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
  });
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function run(
  file: string,
  args: string[],
  options: { cwd: string; uid?: number; gid?: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...options,
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (data: string) => {
      output += data;
    });
    child.stderr?.setEncoding('utf8').on('data', (data: string) => {
      output += data;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(file)} exited with ${code}: ${output.slice(-2000)}`)),
    );
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (!isRunning(child)) return;
  // SIGINT is PostgreSQL's "fast shutdown": it ends open sessions (a test that failed before
  // closing its pool) and exits cleanly; SIGTERM ("smart") would wait for those sessions.
  // PostgreSQL manual §19.5, "Shutting Down the Server".
  child.kill('SIGINT');
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, graceMs);
}

/** Polls until a client can run SELECT 1, the server exits, or the deadline passes. */
async function waitUntilReady(
  child: ChildProcess,
  url: string,
  dataDir: string,
  readyTimeoutMs: number,
  log: () => string,
): Promise<boolean> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (!isRunning(child)) return false;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      // Another test file's server may hold this port (ours then fails to bind): only ours counts.
      const result = await client.query<{ data_directory: string }>('SHOW data_directory');
      if (result.rows[0]?.data_directory === dataDir) return true;
    } catch {
      // not yet
    } finally {
      await client.end().catch(() => {});
    }
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL did not accept connections within ${readyTimeoutMs} ms: ${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Starts a throwaway server (see the file comment). The caller must stop() it. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const binaries = findPostgresBinaries();
  const owner = serverUser();
  installExitHook();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-pg-'));
  ownedDirs.add(dir);
  const dataDir = path.join(dir, 'data');
  const ids = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
  const graceMs = options.stopGraceMs ?? 5_000;
  try {
    if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
    // --no-sync: a throwaway cluster need not survive a power cut, and fsync is slow on a shared CI disk.
    await run(
      binaries.initdb,
      ['-D', dataDir, '-A', 'trust', '-U', SUPERUSER, '-E', 'UTF8', '--locale=C', '--no-sync'],
      { cwd: dir, ...ids },
    );
    // Another test file may take the free port between our probe and the server's bind: retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
      let log = '';
      const child = spawn(
        binaries.postgres,
        // Small and fast: a test server holds a few connections, and durability is not what it tests.
        [
          '-D',
          dataDir,
          '-k',
          dir,
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-c',
          'fsync=off',
          '-c',
          'max_connections=20',
          '-c',
          'shared_buffers=16MB',
        ],
        { cwd: dir, ...ids, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      liveServers.add(child);
      child.stderr?.setEncoding('utf8').on('data', (data: string) => {
        log = (log + data).slice(-4000);
      });
      const spawned = await new Promise<boolean>((resolve) => {
        child.once('spawn', () => resolve(true));
        child.once('error', () => resolve(false));
      });
      if (
        spawned &&
        (await waitUntilReady(child, url, dataDir, options.readyTimeoutMs ?? 30_000, () => log))
      ) {
        return makeServer(child, port, dir, dataDir, url, graceMs);
      }
      await stopChild(child, graceMs);
      liveServers.delete(child);
      if (
        !/could not (bind|create listen socket)|Address already in use/i.test(log) ||
        attempt >= START_ATTEMPTS
      ) {
        throw new Error(`PostgreSQL did not start (attempt ${attempt}): ${log.trim() || 'no output'}`);
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    ownedDirs.delete(dir);
    throw error;
  }
}

function makeServer(
  child: ChildProcess,
  port: number,
  dir: string,
  dataDir: string,
  url: string,
  graceMs: number,
): PostgresServer {
  let databases = 0;
  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid as number,
    port,
    dir,
    dataDir,
    url,
    async freshDatabase() {
      databases += 1;
      const name = `test_${databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    stop() {
      stopped ??= (async () => {
        await stopChild(child, graceMs);
        liveServers.delete(child);
        await rm(dir, { recursive: true, force: true });
        ownedDirs.delete(dir);
      })();
      return stopped;
    },
  };
}

/** Call at the top level of a test file: a server started in beforeAll, stopped in afterAll. */
export function usePostgres(options?: PostgresOptions): {
  get(): PostgresServer;
  freshDatabase(): Promise<string>;
} {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres(options);
  });
  afterAll(async () => {
    const running = server;
    server = undefined;
    await running?.stop();
  });
  const get = (): PostgresServer => {
    if (server === undefined) {
      throw new Error('usePostgres(): no server yet; call get() inside a test or hook, not at import time');
    }
    return server;
  };
  return { get, freshDatabase: () => get().freshDatabase() };
}
