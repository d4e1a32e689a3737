import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectExitCode, renderCollectSummary } from '../../src/cli/render/collect-text.js';
import { EXIT } from '../../src/exit-codes.js';
import { collectWindowsEvidence, powershellScriptFor } from '../../src/probe/windows/collect.js';
import { readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';
import { EvidenceError } from '../../src/probe/windows/evidence-error.js';
import { EVIDENCE_SOURCES } from '../../src/probe/windows/sources.js';
import type { PowerShellRunner } from '../../src/system/powershell.js';
import { POWERSHELL_PRELUDE } from '../../src/system/powershell-prelude.js';
import type { ProcessResult } from '../../src/system/process-result.js';
import { FIXTURES, fixtureText } from './support.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-collect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Which source a generated script runs. */
function sourceOf(script: string) {
  const source = EVIDENCE_SOURCES.find((s) => script.includes(s.command));
  if (!source) throw new Error('unknown script');
  return source;
}

/**
 * Stands in for Windows PowerShell, which cannot run here: answers each source's script with the
 * envelope the real one prints, built from a fixture bundle's files.
 */
function fixtureRunner(
  bundle: string,
  override: Record<string, Partial<ProcessResult> | 'throw'> = {},
): PowerShellRunner & { seen: { name: string; timeoutMs: number }[] } {
  const seen: { name: string; timeoutMs: number }[] = [];
  const runner = async (script: string, timeoutMs: number): Promise<ProcessResult> => {
    const source = sourceOf(script);
    seen.push({ name: source.name, timeoutMs });
    const o = override[source.name];
    if (o === 'throw') throw new Error('spawn powershell.exe ENOENT');
    if (o) return { stdout: '', stderr: '', exitCode: 0, timedOut: false, ...o };
    let data: unknown;
    try {
      const text = fixtureText(`${bundle}/${source.file}`);
      data = source.kind === 'text' ? text : JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      return {
        stdout: JSON.stringify({ ok: false, data: null, error: 'Access denied' }),
        stderr: '',
        exitCode: 0,
        timedOut: false,
      };
    }
    if (source.name === 'meta' && typeof data === 'object' && data !== null)
      delete (data as { Sources?: unknown }).Sources;
    return {
      stdout: `${JSON.stringify({ ok: true, data, error: null })}\r\n`,
      stderr: '',
      exitCode: 0,
      timedOut: false,
    };
  };
  return Object.assign(runner, { seen });
}

describe('collectWindowsEvidence', () => {
  it('refuses to run anywhere but Windows, saying what to do instead', async () => {
    const error = await collectWindowsEvidence({ platform: 'linux' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvidenceError);
    expect((error as Error).message).toMatch(
      /runs on Windows only \(this is linux\).*collect-evidence\.ps1 -Full.*--evidence PATH/,
    );
  });

  it('parses the collected sources exactly as the saved bundle is parsed', async () => {
    const runner = fixtureRunner('healthy');
    const live = await collectWindowsEvidence({ platform: 'win32', runner });
    const saved = await readEvidenceBundle(join(FIXTURES, 'healthy'));
    expect(live).toEqual({ ...saved, origin: 'live' });
    expect(runner.seen.map((s) => s.name).sort()).toEqual(EVIDENCE_SOURCES.map((s) => s.name).sort());
    expect(runner.seen.find((s) => s.name === 'events')?.timeoutMs).toBe(60_000);
  });

  it('reports sources that failed, timed out or could not start, with the elevation hint', async () => {
    const runner = fixtureRunner('secureboot-1801', {
      dsregcmd: { timedOut: true },
      tpmtool: 'throw',
      events: { stdout: '', stderr: 'At line:1 char:1\r\n+ garbage', exitCode: 1 },
    });
    const e = await collectWindowsEvidence({ platform: 'win32', runner });
    expect(e.elevated).toBe(false);
    const byName = Object.fromEntries(e.problems.map((p) => [p.source, p.message]));
    expect(byName['get-tpm']).toBe(
      'get-tpm.json: not collected on the device: Access denied (it needs an elevated prompt, and the collector was not elevated: run it as administrator)',
    );
    expect(byName.dsregcmd).toBe('dsregcmd.txt: not collected on the device: timed out after 60 s');
    expect(byName.tpmtool).toMatch(
      /^tpmtool\.txt: not collected on the device: PowerShell could not be started: spawn/,
    );
    expect(byName.events).toBe(
      'events.json: not collected on the device: PowerShell exited with 1 and no result: At line:1 char:1',
    );
    expect(e.tpmtool).toBeNull();
    expect(e.enrollments).toHaveLength(2);
  });

  it('collecting nothing is exit 8, never 0; one cause is said once, with the files it kept out; unknown elevation is not "not elevated"', async () => {
    const all = Object.fromEntries(EVIDENCE_SOURCES.map((s) => [s.name, 'throw' as const]));
    const e = await collectWindowsEvidence({ platform: 'win32', runner: fixtureRunner('healthy', all) });
    expect(e.elevated).toBeNull();
    expect(collectExitCode(e)).toBe(EXIT.NOT_DIAGNOSABLE);
    const text = renderCollectSummary(e, undefined);
    expect(text).toMatch(/^Collected nothing from this device \(whether it ran elevated is unknown/);
    expect(text).not.toMatch(/not elevated/);
    const causes = text.split('\n').filter((line) => line.includes('PowerShell could not be started'));
    expect(causes).toHaveLength(1);
    for (const source of EVIDENCE_SOURCES) expect(causes[0]).toContain(source.file);
  });

  it('some sources not collected: exit 17 (incomplete), each cause once; all collected: exit 0', async () => {
    const partial = await collectWindowsEvidence({
      platform: 'win32',
      runner: fixtureRunner('secureboot-1801', { dsregcmd: { timedOut: true } }),
    });
    expect(collectExitCode(partial)).toBe(EXIT.EVIDENCE_INCOMPLETE);
    const text = renderCollectSummary(partial, 'C:\\out');
    expect(text).toMatch(/\(not elevated: sources that need an administrator were skipped\)/);
    expect(text).toMatch(/^ {2}dsregcmd\.txt: timed out after 60 s$/m);
    expect(text).toMatch(/diagnose --evidence C:\\out$/m);
    const complete = await collectWindowsEvidence({ platform: 'win32', runner: fixtureRunner('healthy') });
    expect(complete.problems).toEqual([]);
    expect(collectExitCode(complete)).toBe(EXIT.OK);
  });

  it('runs only the sources asked for (and always meta)', async () => {
    const runner = fixtureRunner('healthy');
    const e = await collectWindowsEvidence({ platform: 'win32', runner, sources: ['tpmtool'] });
    expect(runner.seen.map((s) => s.name).sort()).toEqual(['meta', 'tpmtool']);
    expect(e.tpmtool?.tpmPresent).toBe(true);
    expect(e.getTpm).toBeNull();
  });

  it('writes a bundle the reader reads back to the same evidence', async () => {
    const out = join(scratch, 'bundle');
    const live = await collectWindowsEvidence({
      platform: 'win32',
      runner: fixtureRunner('lockout', {
        'ek-info': { stdout: '{"ok":false,"data":null,"error":"Access denied"}' },
      }),
      outDir: out,
    });
    const back = await readEvidenceBundle(out);
    expect(back).toEqual({ ...live, origin: out });
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    expect(meta.Sources['ek-info']).toEqual({ Ok: false, Error: 'Access denied' });
    expect(meta.Sources['get-tpm']).toEqual({ Ok: true, Error: null });
    expect(readFileSync(join(out, 'manage-bde.txt'), 'utf8')).not.toMatch(/\d{6}-\d{6}/);
  });

  it('wraps each command in the shared prelude and a one-line JSON envelope', () => {
    for (const source of EVIDENCE_SOURCES) {
      const script = powershellScriptFor(source);
      expect(script).toContain(POWERSHELL_PRELUDE);
      expect(script).toContain(source.command);
      expect(script).toContain(source.list ? '$r.data = @(& {' : '$r.data = & {');
      expect(script.trimEnd().split('\n').at(-1)).toBe(
        '[Console]::Out.Write((ConvertTo-TpmDoctorAscii (ConvertTo-Json -InputObject $r -Depth 8 -Compress)))',
      );
    }
  });
});
