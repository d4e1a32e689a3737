import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import type { WindowsEvidence } from '../../snapshot/windows-evidence.js';
import { evidenceFromSources, notCollected, type RawSource } from './evidence-bundle.js';
import { EvidenceError, redactSecrets } from './evidence-error.js';
import { isRecord } from './json-values.js';
import { EVIDENCE_SOURCES, type EvidenceSource, POWERSHELL_PRELUDE } from './sources.js';

/**
 * `tpm-doctor collect` on Windows: runs each source of sources.ts in its own Windows PowerShell
 * process (-NoProfile -NonInteractive -ExecutionPolicy Bypass), a few at a time, each with its
 * own timeout, then parses the results exactly as a saved bundle is parsed. The PowerShell text
 * is the same as in scripts/collect-evidence.ps1 (both come from sources.ts).
 *
 * The script is passed as -EncodedCommand (base64 UTF-16LE), which is -Command without
 * powershell.exe's quoting rules, and each result comes back as one line of ASCII-only JSON
 * ({"ok":..,"data":..,"error":..}), so neither quoting nor the console code page (CP932 on
 * Japanese Windows) can garble it.
 */

export interface PowerShellResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
}

/** Runs one PowerShell script with a deadline. Swappable for tests (collect cannot run off Windows). */
export type PowerShellRunner = (script: string, timeoutMs: number) => Promise<PowerShellResult>;

export interface CollectOptions {
  /** Also write the raw bundle here (the same files as collect-evidence.ps1 -Full), for a helpdesk. */
  outDir?: string;
  runner?: PowerShellRunner;
  /** Defaults to process.platform. */
  platform?: NodeJS.Platform;
  /** PowerShell processes at a time (default 3). */
  concurrency?: number;
  /** Only these sources (names from sources.ts); default all. */
  sources?: readonly string[];
}

/** The whole script one source runs: prelude, the source's command, and the JSON envelope. */
export function powershellScriptFor(source: EvidenceSource): string {
  const run = source.list ? `@(& {\n${source.command}\n})` : `& {\n${source.command}\n}`;
  return [
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    POWERSHELL_PRELUDE,
    '$r = [ordered]@{ ok = $true; data = $null; error = $null }',
    `try { $r.data = ${run} } catch { $r.ok = $false; $r.error = [string]$_.Exception.Message }`,
    '[Console]::Out.Write((ConvertTo-TpmDoctorAscii (ConvertTo-Json -InputObject $r -Depth 8 -Compress)))',
  ].join('\n');
}

/** Collects Windows evidence from this machine. Throws an EvidenceError anywhere but Windows. */
export async function collectWindowsEvidence(options: CollectOptions = {}): Promise<WindowsEvidence> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'win32') {
    throw new EvidenceError(
      `tpm-doctor collect reads Windows evidence and runs on Windows only (this is ${platform}). ` +
        'To diagnose a Windows device from here, collect on it with scripts/collect-evidence.ps1 -Full ' +
        'and pass the folder with --evidence PATH.',
    );
  }
  const runner = options.runner ?? runPowerShell;
  const wanted = EVIDENCE_SOURCES.filter(
    (s) => s.name === 'meta' || options.sources === undefined || options.sources.includes(s.name),
  );
  const results = await mapLimit(wanted, options.concurrency ?? 3, (s) => runSource(s, runner));

  const raw = new Map<string, RawSource>();
  const failures: { source: EvidenceSource; error: string }[] = [];
  for (const [i, result] of results.entries()) {
    const src = wanted[i]!;
    if ('error' in result) failures.push({ source: src, error: result.error });
    else raw.set(src.name, result.raw);
  }
  const meta = raw.get('meta');
  const elevated =
    meta?.kind === 'json' && isRecord(meta.value) && typeof meta.value.Elevated === 'boolean'
      ? meta.value.Elevated
      : null;
  const problems = failures.map((f) => ({
    source: f.source.name,
    message: notCollected(f.source, f.error, elevated),
  }));
  if (options.outDir !== undefined) await writeBundle(options.outDir, raw, failures);
  return evidenceFromSources(raw, 'live', problems);
}

async function runSource(
  source: EvidenceSource,
  runner: PowerShellRunner,
): Promise<{ raw: RawSource } | { error: string }> {
  let result: PowerShellResult;
  try {
    result = await runner(powershellScriptFor(source), source.timeoutSeconds * 1000);
  } catch (e) {
    return { error: `PowerShell could not be started: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (result.timedOut) return { error: `timed out after ${source.timeoutSeconds} s` };
  const line =
    result.stdout
      .trim()
      .split(/\r\n|\r|\n/)
      .at(-1) ?? '';
  let envelope: unknown;
  try {
    envelope = JSON.parse(line);
  } catch {
    const err = result.stderr.trim().split(/\r\n|\r|\n/)[0] ?? '';
    return {
      error: `PowerShell exited with ${result.exitCode ?? 'a signal'} and no result${err ? `: ${err}` : ''}`,
    };
  }
  if (!isRecord(envelope)) return { error: 'PowerShell returned something other than a result object' };
  if (envelope.ok !== true) return { error: typeof envelope.error === 'string' ? envelope.error : 'failed' };
  if (source.kind === 'text') {
    if (typeof envelope.data !== 'string') return { error: 'expected text output, found none' };
    return { raw: { kind: 'text', text: envelope.data } };
  }
  return { raw: { kind: 'json', value: envelope.data } };
}

/** Writes the raw results as a bundle directory (UTF-8), with the collector's status in meta.json. */
async function writeBundle(
  dir: string,
  raw: ReadonlyMap<string, RawSource>,
  failures: readonly { source: EvidenceSource; error: string }[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const source of EVIDENCE_SOURCES) {
    const content = raw.get(source.name);
    if (content === undefined) continue;
    let value = content.kind === 'text' ? content.text : content.value;
    if (source.name === 'meta' && isRecord(value)) {
      const statuses: Record<string, { Ok: boolean; Error: string | null }> = {};
      for (const s of EVIDENCE_SOURCES) {
        const failed = failures.find((f) => f.source === s);
        if (raw.has(s.name) || failed) statuses[s.name] = { Ok: !failed, Error: failed?.error ?? null };
      }
      value = { ...value, Sources: statuses };
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    writeFileAtomic(join(dir, source.file), redactSecrets(text));
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Output larger than this from one source is cut off and the process stopped. */
const MAX_OUTPUT = 25 * 1024 * 1024;

/** Windows PowerShell 5.1 by its full path (not PATH: a planted powershell.exe is not run). */
export const runPowerShell: PowerShellRunner = (script, timeoutMs) =>
  new Promise((resolve, reject) => {
    const root = process.env.SystemRoot ?? 'C:\\Windows';
    const exe = join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
    const encoded = Buffer.from(script, 'utf16le').toString('base64');
    const child = spawn(
      exe,
      ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded],
      { windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT) child.kill();
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 64) err.push(chunk);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
        timedOut,
      });
    });
  });
