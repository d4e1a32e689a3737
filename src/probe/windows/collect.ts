import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { redact } from '../../snapshot/redact-secrets.js';
import type { WindowsEvidence } from '../../snapshot/windows-evidence.js';
import { type PowerShellRunner, runPowerShell } from '../../system/powershell.js';
import { envelopeScript, noResultMessage, readEnvelope } from '../../system/powershell-envelope.js';
import type { ProcessResult } from '../../system/process-result.js';
import { evidenceFromSources, notCollected, type RawSource } from './evidence-bundle.js';
import { EvidenceError } from './evidence-error.js';
import { isRecord } from './json-values.js';
import { EVIDENCE_SOURCES, type EvidenceSource } from './sources.js';

/**
 * `tpm-doctor collect` on Windows: runs each source of sources.ts in its own Windows PowerShell
 * process (src/system/powershell.ts), a few at a time, each with its own timeout, then parses the
 * results exactly as a saved bundle is parsed. The PowerShell text is the same as in
 * scripts/collect-evidence.ps1 (both come from sources.ts); each result comes back in the one
 * envelope of src/system/powershell-envelope.ts.
 */

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
  return envelopeScript(source.command, { list: source.list, depth: 8 });
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
    file: f.source.file,
    message: notCollected(f.source, f.error, elevated),
  }));
  if (options.outDir !== undefined) await writeBundle(options.outDir, raw, failures);
  return evidenceFromSources(raw, 'live', problems);
}

async function runSource(
  source: EvidenceSource,
  runner: PowerShellRunner,
): Promise<{ raw: RawSource } | { error: string }> {
  let result: ProcessResult;
  try {
    result = await runner(powershellScriptFor(source), source.timeoutSeconds * 1000);
  } catch (e) {
    return { error: `PowerShell could not be started: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (result.timedOut) return { error: `timed out after ${source.timeoutSeconds} s` };
  const reading = readEnvelope(result.stdout);
  if (reading.kind === 'no-json') return { error: noResultMessage(result) };
  if (reading.kind === 'not-an-envelope')
    return { error: 'PowerShell returned something other than a result object' };
  const envelope = reading.envelope;
  if (!envelope.ok) return { error: envelope.error ?? 'failed' };
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
    writeFileAtomic(join(dir, source.file), redact(text));
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
