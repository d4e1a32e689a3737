import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVIDENCE_SOURCES } from '../../../src/probe/windows/sources.js';
import { ACTION_MARKER } from '../../../src/remedy/runbook/windows.js';
import type { PowerShellRunner } from '../../../src/system/powershell.js';
import type { ProcessResult } from '../../../src/system/process-result.js';

export const RUNBOOK_FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

/** Every script the fake runner answered: an evidence source or an action, by name. */
export interface RunnerCall {
  kind: 'source' | 'action';
  name: string;
  script: string;
}

export interface RecordedWindows extends PowerShellRunner {
  calls: RunnerCall[];
  /** Answer `source` from this fixture file from now on (time passing on the device). */
  use(source: string, file: string): void;
  /** Run when an action is invoked (e.g. Resume-BitLocker turns protection on). */
  onAction(name: string, effect: () => void): void;
  /** Make an action (or a source) fail with this PowerShell error. */
  fail(name: string, error: string): void;
  /** How many times an action ran. */
  count(name: string): number;
}

function envelope(ok: boolean, data: unknown, error: string | null): ProcessResult {
  return { stdout: `${JSON.stringify({ ok, data, error })}\r\n`, stderr: '', exitCode: 0, timedOut: false };
}

/**
 * Stands in for Windows PowerShell, which cannot run here, behind the runner interface the live
 * path uses (runPowerShell): each evidence source's script (recognised by its command text from
 * sources.ts) and each runbook action (by its first line) is answered from recorded files.
 */
export function recordedWindows(selected: Record<string, string>): RecordedWindows {
  const files = new Map(Object.entries(selected));
  const effects = new Map<string, () => void>();
  const failures = new Map<string, string>();
  const calls: RunnerCall[] = [];
  const runner = async (script: string, _timeoutMs: number): Promise<ProcessResult> => {
    if (script.startsWith(ACTION_MARKER)) {
      const name = script.slice(ACTION_MARKER.length).split('\n')[0]!;
      calls.push({ kind: 'action', name, script });
      const failure = failures.get(name);
      if (failure !== undefined) return envelope(false, null, failure);
      effects.get(name)?.();
      return envelope(
        true,
        JSON.parse(readFileSync(join(RUNBOOK_FIXTURES, `action.${name}.json`), 'utf8')),
        null,
      );
    }
    const source = EVIDENCE_SOURCES.find((s) => script.includes(s.command));
    if (source === undefined) throw new Error(`the fake runner has no recording for this script:\n${script}`);
    calls.push({ kind: 'source', name: source.name, script });
    const failure = failures.get(source.name);
    const file = files.get(source.name);
    if (failure !== undefined || file === undefined) {
      return envelope(false, null, failure ?? 'Access is denied.');
    }
    const text = readFileSync(join(RUNBOOK_FIXTURES, file), 'utf8');
    return envelope(true, source.kind === 'text' ? text : JSON.parse(text), null);
  };
  return Object.assign(runner, {
    calls,
    use: (source: string, file: string) => {
      files.set(source, file);
    },
    onAction: (name: string, effect: () => void) => {
      effects.set(name, effect);
    },
    fail: (name: string, error: string) => {
      failures.set(name, error);
    },
    count: (name: string) => calls.filter((c) => c.kind === 'action' && c.name === name).length,
  });
}

/** The device right after `tpm-doctor clear` sent a PPI clear request, before the restart. */
export const JUST_CLEARED: Record<string, string> = {
  meta: 'meta.json',
  events: 'events.ppi-pending.json',
  'get-tpm': 'get-tpm.restart-pending.json',
  bitlocker: 'bitlocker.suspended.json',
  'manage-bde': 'manage-bde.new-protectors.txt',
  dsregcmd: 'dsregcmd.before-sign-in.txt',
  enrollments: 'enrollments.json',
  'mdm-sync': 'mdm-sync.old.json',
};

/** A clock the test moves. */
export function fakeClock(start: string): {
  now: () => Date;
  set: (iso: string) => void;
  advance: (ms: number) => void;
} {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso) => {
      t = Date.parse(iso);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tpm-doctor-runbook-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
