/**
 * Shared by the test/cli/*.test.ts files: they run the BUILT CLI (dist/tpm-doctor.cjs) as a child
 * process, exactly as a user or an Intune script would, and compare what it prints with what
 * tpm2-tools 5.x reads from the same swtpm.
 *
 * swtpm serves one data connection at a time, and both tpm2-tools and the CLI open one per run:
 * every helper here awaits the child's exit before returning, so runs never overlap.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { TpmStatus } from '../../src/snapshot/tpm-status.js';
import { tpm2 } from '../support/tpm2-tools.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist', 'tpm-doctor.cjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The CLI's process id (it has exited when the result is returned). */
  pid: number;
}

export interface CliOptions {
  /**
   * Extra environment variables (TPM_DOCTOR_TPM, the colour and locale variables are removed
   * from the inherited environment unless set here; LANG is C.UTF-8, TZ is UTC).
   */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL the CLI after this long; default 30000 ms. The result then has signal SIGKILL. */
  timeoutMs?: number;
  /** SIGKILL the CLI as soon as this returns true (asked every 10 ms): a kill at a state, not a time. */
  killWhen?: (output: { stdout: string; stderr: string }) => boolean;
  /** The signal `killWhen` sends (default SIGKILL; SIGINT is a Ctrl-C). The timeout always sends SIGKILL. */
  killSignal?: NodeJS.Signals;
}

/** Runs `node dist/tpm-doctor.cjs ...args` and waits for it to exit. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TPM_DOCTOR_TPM;
  delete env.TPM2TOOLS_TCTI;
  delete env.NODE_OPTIONS; // vitest's loader hooks must not leak into the CLI
  // Output as a pipe gets it: no colour unless a test asks (a CI runner may set FORCE_COLOR).
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  // English, whatever the machine's locale (a Japanese CI runner would otherwise switch the
  // screen's language): a test that wants Japanese says --lang ja or sets LANG.
  delete env.LC_ALL;
  delete env.LC_MESSAGES;
  env.LANG = 'C.UTF-8';
  // Times in human output are in the admin's time zone: UTC here, unless a test sets TZ.
  env.TZ = 'UTC';
  Object.assign(env, options.env);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const kill = (signal: NodeJS.Signals = 'SIGKILL'): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const timer = setTimeout(kill, options.timeoutMs ?? 30_000);
    const killWhen = options.killWhen;
    const watcher = killWhen
      ? setInterval(() => {
          if (killWhen({ stdout, stderr })) {
            kill(options.killSignal);
            // One Ctrl-C: a second would force the CLI to exit before it recorded what was in flight.
            if (options.killSignal !== undefined && options.killSignal !== 'SIGKILL') clearInterval(watcher);
          }
        }, 10)
      : undefined;
    child.once('error', (err) => {
      clearTimeout(timer);
      clearInterval(watcher);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watcher);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started, pid: child.pid ?? -1 });
    });
  });
}

/** `status --json` against a URI: the exit code, the parsed JSON and the raw streams. */
/**
 * Runs the CLI on a terminal (a pty from util-linux `script`), answers `answer` when `prompt`
 * appears, and returns everything the terminal showed (stdout and stderr together, as a person
 * sees them).
 */
export function runCliOnTerminal(
  args: string[],
  dialogue: { prompt: RegExp; answer: string },
  options: CliOptions = {},
): Promise<{ code: number | null; screen: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TPM_DOCTOR_TPM;
  delete env.TPM2TOOLS_TCTI;
  delete env.NODE_OPTIONS;
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
  Object.assign(env, options.env);
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let answered = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
      if (!answered && dialogue.prompt.test(screen)) {
        answered = true;
        child.stdin.write(`${dialogue.answer}\n`);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      screen += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(
        new Error(
          `util-linux "script" is needed for terminal tests (apt-get install bsdutils): ${err.message}`,
        ),
      );
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen: screen.replaceAll('\r', '') });
    });
  });
}

export async function statusJson(
  uri: string,
  extra: string[] = [],
  options: CliOptions = {},
): Promise<CliResult & { json: TpmStatus }> {
  const result = await runCli(['status', '--tpm', uri, '--json', ...extra], options);
  let json: TpmStatus;
  try {
    json = JSON.parse(result.stdout) as TpmStatus;
  } catch (e) {
    throw new Error(
      `status --json printed no valid JSON (exit ${result.code}): ${(e as Error).message}\n` +
        `stdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`,
    );
  }
  return { ...result, json };
}

// ---------------------------------------------------------------------------
// The bundle: built once per test file when missing or older than its sources.

function newestMtime(entry: string): number {
  const st = statSync(entry);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

function bundleIsStale(): boolean {
  let built: number;
  try {
    built = statSync(CLI).mtimeMs;
  } catch {
    return true;
  }
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'src')),
    newestMtime(path.join(ROOT, 'rolldown.config.mjs')),
    newestMtime(path.join(ROOT, 'package.json')),
  );
  return sources > built;
}

function _sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function rolldown(): Promise<void> {
  const bin = path.join(ROOT, 'node_modules', 'rolldown', 'bin', 'cli.mjs');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, '-c', 'rolldown.config.mjs'],
      { cwd: ROOT, timeout: 120_000 },
      (err, stdout, stderr) => {
        const plain = `${stdout}\n${stderr}`.replace(/\x1b\[[0-9;]*m/g, '').trim();
        if (err) reject(new Error(`building dist/ with rolldown failed:\n${plain.slice(0, 4000)}`));
        else resolve();
      },
    );
  });
}

/**
 * Builds dist/ with rolldown (not `npm run build`, which deletes dist/ first and would pull the
 * bundle from under a concurrently running test file) when the bundle is missing or older than
 * src/. A lock directory keeps two vitest workers from building at the same time.
 */
function ensureBuilt(): Promise<void> {
  return buildOnce({
    lockName: 'tpm-doctor-cli-test-build.lock',
    maxMs: 120_000,
    isStale: bundleIsStale,
    build: rolldown,
  });
}

/** The files of dist/ a CLI run loaded (read from require.cache as the process exits). */
export async function loadedFiles(args: string[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-chunks-'));
  const preload = path.join(dir, 'list-modules.cjs');
  await writeFile(
    preload,
    "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n",
  );
  try {
    return await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['--require', preload, CLI, ...args],
        { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
        (_err, _stdout, stderr) => {
          const line = /LOADED (.*)/.exec(stderr)?.[1];
          if (line === undefined) return reject(new Error(`no module list: ${stderr}`));
          resolve((JSON.parse(line) as string[]).map((f) => path.relative(path.join(ROOT, 'dist'), f)));
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Call at the top level of a test file: makes sure dist/tpm-doctor.cjs is current before its tests. */
export function useBuiltCli(): void {
  beforeAll(ensureBuilt, 150_000);
}

// ---------------------------------------------------------------------------
// tpm2-tools output

import { buildOnce } from '../support/build-once.js';
import { map, num, toolYaml } from '../support/tpm2-tools.js';

export { map, num, toolYaml };

/** `0x1c00002` / 29360130 -> '0x01c00002', the form status prints. */
export function hex8(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** Handles as `tpm2_getcap handles-<kind>` lists them (nothing printed = none). */
export async function toolHandles(
  instance: { tcti: string },
  kind: 'persistent' | 'nv-index' | 'transient',
): Promise<string[]> {
  const list = await toolYaml(instance, ['tpm2_getcap', `handles-${kind}`]);
  if (list === null || list === undefined || list === '') return [];
  if (!Array.isArray(list)) throw new Error(`tpm2_getcap handles-${kind} printed ${JSON.stringify(list)}`);
  return list.map((h) => hex8(num(h)));
}

/** TPMA_PERMANENT bits (TPM 2.0 Part 2 §8.6) under the names tpm2_getcap prints. */
export const PERMANENT_BITS: Record<string, number> = {
  ownerAuthSet: 0x1,
  endorsementAuthSet: 0x2,
  lockoutAuthSet: 0x4,
  disableClear: 0x100,
  inLockout: 0x200,
  tpmGeneratedEPS: 0x400,
};

/** TPMA_STARTUP_CLEAR bits (Part 2 §8.7) under the names tpm2_getcap prints. */
export const STARTUP_CLEAR_BITS: Record<string, number> = {
  phEnable: 0x1,
  shEnable: 0x2,
  ehEnable: 0x4,
  phEnableNV: 0x8,
  orderly: 0x80000000,
};

/** Rebuilds an attribute word from tpm2_getcap's one-line-per-bit YAML; reserved fields must print 0. */
export function bitsToWord(printed: unknown, bits: Record<string, number>): number {
  let word = 0;
  for (const [name, value] of Object.entries(map(printed))) {
    if (name.startsWith('reserved')) {
      if (num(value) !== 0) throw new Error(`${name} printed ${String(value)}`);
      continue;
    }
    const bit = bits[name];
    if (bit === undefined) throw new Error(`unexpected field ${name} in tpm2_getcap output`);
    if (num(value) !== 0) word |= bit;
  }
  return word >>> 0;
}

/** tpm2_getcap properties-variable, with TPM2_PT_PERMANENT and _STARTUP_CLEAR folded back into words. */
export async function toolVariableProperties(instance: { tcti: string }): Promise<Record<string, number>> {
  const printed = map(await toolYaml(instance, ['tpm2_getcap', 'properties-variable']));
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(printed)) {
    if (name === 'TPM2_PT_PERMANENT') out[name] = bitsToWord(value, PERMANENT_BITS);
    else if (name === 'TPM2_PT_STARTUP_CLEAR') out[name] = bitsToWord(value, STARTUP_CLEAR_BITS);
    else out[name] = num(value);
  }
  return out;
}

/** tpm2_getcap properties-fixed as name -> raw value. */
export async function toolFixedProperties(instance: { tcti: string }): Promise<Record<string, number>> {
  const printed = map(await toolYaml(instance, ['tpm2_getcap', 'properties-fixed']));
  return Object.fromEntries(Object.entries(printed).map(([name, v]) => [name, num(map(v).raw)]));
}

export interface ToolNvPublic {
  index: string;
  name: string;
  nameAlg: number;
  attributes: string;
  attributesValue: number;
  size: number;
}

/** Every NV index as `tpm2_nvreadpublic` (no argument) prints them. */
export async function toolNvPublics(instance: { tcti: string }): Promise<ToolNvPublic[]> {
  const printed = await toolYaml(instance, ['tpm2_nvreadpublic']);
  if (printed === null || printed === undefined || printed === '') return [];
  return Object.entries(map(printed)).map(([index, v]) => {
    const entry = map(v);
    const attributes = map(entry.attributes);
    return {
      index: hex8(num(index)),
      name: String(entry.name),
      nameAlg: num(map(entry['hash algorithm']).value),
      attributes: String(attributes.friendly),
      attributesValue: num(attributes.value),
      size: num(entry.size),
    };
  });
}

/** `tpm2_pcrread` output as bank -> PCR -> lower-case hex. */
export async function toolPcrs(instance: { tcti: string }): Promise<Record<string, Record<string, string>>> {
  const { stdout } = await tpm2(instance, ['tpm2_pcrread']);
  const banks: Record<string, Record<string, string>> = {};
  let bank: Record<string, string> | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^ {2}(\w+):\s*$/.exec(line);
    if (header) {
      bank = {};
      banks[header[1]!] = bank;
      continue;
    }
    const value = /^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$/.exec(line);
    if (value) {
      if (!bank) throw new Error(`tpm2_pcrread: PCR value outside a bank: ${line}`);
      bank[String(Number(value[1]))] = value[2]!.toLowerCase();
    }
  }
  return banks;
}

// ---------------------------------------------------------------------------
// Misc

/** A temporary directory for tpm2-tools context and output files, removed after the file's tests. */
export function useTempDir(prefix = 'tpm-doctor-cli-'): { file(name: string): string; dir(): string } {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const get = (): string => {
    if (!dir) throw new Error('useTempDir(): use inside a test or hook');
    return dir;
  };
  return { dir: get, file: (name) => path.join(get(), name) };
}

/** Lines of `text` that match `pattern`. */
export function linesMatching(text: string, pattern: RegExp): string[] {
  return text.split('\n').filter((line) => pattern.test(line));
}
