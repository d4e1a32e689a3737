/**
 * Run tpm2-tools (5.x) against a swtpm instance and parse their YAML output.
 */
import { spawn } from 'node:child_process';
import { parse } from 'yaml';
import { SWTPM_INSTALL_HINT } from '../../src/lab/swtpm-process.js';

export interface Tpm2Result {
  stdout: string;
  stderr: string;
  code: number;
}

export interface Tpm2Options {
  /** Bytes written to the tool's stdin (then stdin is closed). */
  input?: Buffer;
  /** Resolve with the non-zero exit code instead of throwing. */
  allowFailure?: boolean;
  /** Kill the tool after this long; default 30000 ms. */
  timeoutMs?: number;
}

const TIMEOUT_MS = 30_000;

/** Options whose value is an auth value (password) in tpm2-tools 5.x. */
const AUTH_OPTIONS = new Set(['-p', '-P', '--auth', '--hierarchy-auth', '--auth-hierarchy', '--new-auth']);

/**
 * The command line with auth values replaced by `<redacted>`, for error messages: values of the auth
 * options above (also in `--auth=x` form), `str:`/`hex:` auth strings, and the positional arguments of
 * tpm2_changeauth (the new auth value).
 */
export function redactArgs(args: readonly string[]): string {
  const tool = args[0] ?? '';
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const previous = i > 0 ? (args[i - 1] ?? '') : '';
    const eq = arg.indexOf('=');
    if (i > 0 && AUTH_OPTIONS.has(previous)) out.push('<redacted>');
    else if (arg.startsWith('--') && eq > 0 && AUTH_OPTIONS.has(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=<redacted>`);
    } else if (/^(str|hex):/.test(arg)) out.push('<redacted>');
    else if (i > 0 && tool === 'tpm2_changeauth' && !arg.startsWith('-') && !previous.startsWith('-')) {
      out.push('<redacted>');
    } else out.push(arg);
  }
  return out.join(' ');
}

/**
 * Runs a tpm2-tools command (e.g. ['tpm2_getcap','properties-fixed']) against the instance with
 * TPM2TOOLS_TCTI set; returns stdout/stderr/code; throws with stderr on a non-zero exit (unless
 * `allowFailure`). Timeout 30 s (the tool is SIGKILLed).
 *
 * Connection rule: tpm2-tss's swtpm TCTI opens a NEW TCP connection to the data port for every TPM
 * command (and the control port, PORT+1, for CMD_INIT / CMD_SET_LOCALITY). swtpm serves ONE data client
 * at a time and one control client at a time; a second client is accepted by the kernel's backlog but
 * not served until the first disconnects. So every other client of this swtpm (our own TPM client,
 * a SwtpmControl request) must have closed its connection before calling this, or the tool hangs
 * until the timeout.
 *
 * Auth values passed in `args` are redacted from error messages (see {@link redactArgs}).
 */
export async function tpm2(
  instance: { tcti: string },
  args: string[],
  options: Tpm2Options = {},
): Promise<Tpm2Result> {
  const [tool, ...rest] = args;
  if (tool === undefined) throw new Error('tpm2(): args must start with the tool name, e.g. tpm2_getcap');
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const shown = redactArgs(args);

  const result = await new Promise<Tpm2Result & { timedOut: boolean }>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TPM2TOOLS_TCTI: instance.tcti };
    delete env.TSS2_LOG; // keep tss debug logs (which can dump command bytes) off
    const child = spawn(tool, rest, { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdin.on('error', () => {
      // the tool may exit without reading stdin
    });
    child.stdin.end(options.input);
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') {
        reject(
          new Error(`${tool} not found on PATH (tpm2-tools missing?). Install with: ${SWTPM_INSTALL_HINT}`),
        );
      } else reject(new Error(`could not run ${tool}: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? (signal ? 128 : 1), timedOut });
    });
  });

  if (result.timedOut) {
    throw new Error(
      `${shown} timed out after ${timeoutMs} ms (is another client still connected to ${instance.tcti}?)` +
        (result.stderr.trim() ? `\n${result.stderr.trim()}` : ''),
    );
  }
  if (result.code !== 0 && !options.allowFailure) {
    throw new Error(`${shown} exited with code ${result.code}:\n${result.stderr.trim() || '(no stderr)'}`);
  }
  return { stdout: result.stdout, stderr: result.stderr, code: result.code };
}

/**
 * Same as {@link tpm2}, parsing stdout as YAML (YAML 1.2 core schema: `0x…` values become numbers).
 * Pass `intAsBigInt` for 64-bit values that do not fit a double.
 */
export async function tpm2Yaml<T = unknown>(
  instance: { tcti: string },
  args: string[],
  options: { input?: Buffer; intAsBigInt?: boolean } = {},
): Promise<T> {
  const { stdout } = await tpm2(instance, args, options.input ? { input: options.input } : {});
  return parse(stdout, { intAsBigInt: options.intAsBigInt ?? false }) as T;
}

/**
 * A tpm2-tools command's stdout as YAML with every scalar a string (the failsafe schema): the
 * core schema would turn a 64-digit hex PCR value into an imprecise float.
 */
export async function toolYaml(
  instance: { tcti: string },
  args: string[],
  options: Tpm2Options = {},
): Promise<unknown> {
  const { stdout } = await tpm2(instance, args, options);
  return parse(stdout, { schema: 'failsafe' }) as unknown;
}

/** A YAML scalar ('0x1C', '28', '1') as a number; throws on anything else. */
export function num(value: unknown): number {
  if (typeof value !== 'string' || !/^(0x[0-9a-fA-F]+|\d+)$/.test(value.trim())) {
    throw new Error(`expected a number in tpm2-tools output, got ${JSON.stringify(value)}`);
  }
  return Number(value.trim());
}

/** A YAML mapping; throws on anything else. */
export function map(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected a mapping in tpm2-tools output, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}
