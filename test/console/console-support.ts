/**
 * The built console for the tests that run it as a user does: dist/tpm-doctor.cjs (built by
 * cli-support's useBuiltCli) and the front end in dist/console (built here with Vite when missing
 * or older than console/), and a running `tpm-doctor console` child process.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll } from 'vitest';
import { CLI, ROOT, useBuiltCli } from '../cli/cli-support.js';
import { buildOnce } from '../support/build-once.js';

const FRONT_END = path.join(ROOT, 'dist', 'console', 'index.html');

function newest(entry: string): number {
  const st = statSync(entry);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

function frontEndIsStale(): boolean {
  const built = statSync(FRONT_END, { throwIfNoEntry: false })?.mtimeMs;
  return built === undefined || newest(path.join(ROOT, 'console')) > built;
}

function viteBuild(): Promise<void> {
  const bin = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, 'build', 'console', '--logLevel', 'warn'],
      // As `npm run build` builds it: vitest's NODE_ENV=test would make Vite keep development code.
      { cwd: ROOT, timeout: 180_000, env: { ...process.env, NODE_ENV: 'production', NODE_OPTIONS: '' } },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(`building dist/console with Vite failed:\n${`${stdout}\n${stderr}`.slice(0, 4000)}`),
          );
        else resolve();
      },
    );
  });
}

/** Builds the front end when needed; a lock folder keeps two test workers from building at once. */
function ensureFrontEnd(): Promise<void> {
  return buildOnce({
    lockName: 'tpm-doctor-console-test-build.lock',
    maxMs: 180_000,
    isStale: frontEndIsStale,
    build: viteBuild,
  });
}

/** Call at the top level of a test file: the CLI and the console's front end are built before its tests. */
export function useBuiltConsole(): void {
  useBuiltCli();
  beforeAll(ensureFrontEnd, 200_000);
}

export interface ConsoleProcess {
  child: ChildProcess;
  signInUrl: string;
  origin: string;
  output(): { stdout: string; stderr: string };
  /** Sends `signal` and resolves with the exit code once the process has ended. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `tpm-doctor console ARGS` and resolves once it printed its sign-in link. `stdin`: a pipe
 * the test types into (`child.stdin`), as into the console's terminal; else no standard input.
 */
export function startConsoleCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { stdin?: boolean } = {},
): Promise<ConsoleProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  delete childEnv.FORCE_COLOR;
  const child = spawn(process.execPath, [CLI, 'console', ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`console printed no sign-in link in 120 s:\n${stdout}\n${stderr}`));
    }, 120_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const link = /(http:\/\/\S+\/sign-in\?token=\S+)/.exec(stdout)?.[1];
      if (link === undefined) return;
      clearTimeout(timer);
      resolve({
        child,
        signInUrl: link,
        origin: new URL(link).origin,
        output: () => ({ stdout, stderr }),
        stop: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`console exited ${code} before printing a sign-in link:\n${stdout}\n${stderr}`));
    });
  });
}
