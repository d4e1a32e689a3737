import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type JournalReadResult, type RunState, readJournal, runState } from './journal.js';
import { type RunEnding, runEnding } from './run-ending.js';
import { isRunId } from './run-id.js';
import { runsDir, stateDir } from './state-dir.js';

/**
 * The runs kept in one folder, read back from their journals: `<dir>/<runId>.jsonl`. Every verb
 * that names, lists or looks for runs (clear, resume, runs, abandon) asks this catalog, so a run
 * ID means the same thing to all of them. A file whose name is not a run ID is not a run.
 */

const SUFFIX = '.jsonl';

/** One run as `tpm-doctor runs` lists it. */
export interface RunSummary {
  runId: string;
  /** When line 1 was written; null for a journal with no readable line. */
  startedAt: string | null;
  /**
   * 'running', or how it ended (run-ending.ts: the word `clear` and `resume` print too); 'damaged'
   * when the journal's chain breaks (`error` says where).
   */
  status: 'running' | RunEnding | 'damaged';
  completedSteps: readonly string[];
  inFlight: string | null;
  error: string | null;
}

/**
 * The runs folder a command uses: `--state-dir` (or the machine's state directory). A lab run's
 * journal is a demo: without `--state-dir` it goes to a private temporary folder of this run
 * (mkdtemp, 0700; a lab TPM lives for one command, so there is nothing to resume), never among
 * the machine's real runs and never in a fixed shared path another user could plant first.
 */
export function runCatalogDir(stateDirFlag: string | undefined, options: { lab?: boolean } = {}): string {
  return runsDir(
    stateDirFlag !== undefined || !options.lab
      ? stateDir(stateDirFlag)
      : mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-lab-')),
  );
}

/** The run IDs in `dir`, in the order of their journals' file names. */
export function runIds(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
    .map((f) => f.slice(0, -SUFFIX.length))
    .filter(isRunId);
}

/** The journal of run `runId` in `dir`, or undefined when `runId` is not a run ID or there is no such run. */
export function findRun(dir: string, runId: string): string | undefined {
  if (!isRunId(runId)) return undefined;
  const file = path.join(dir, `${runId}${SUFFIX}`);
  return existsSync(file) ? file : undefined;
}

/** A run's journal read back and checked, with the state its records add up to. */
export function readRun(file: string): JournalReadResult & { state: RunState } {
  const read = readJournal(file);
  return { ...read, state: runState(read.records) };
}

/** Every run in `dir`, in run-ID order. */
export function listRuns(dir: string): RunSummary[] {
  return runIds(dir).map((runId) => {
    const read = readRun(path.join(dir, `${runId}${SUFFIX}`));
    return {
      runId,
      startedAt: read.records[0]?.at ?? null,
      status: read.error ? 'damaged' : (runEnding(read.records.at(-1)) ?? 'running'),
      completedSteps: read.state.completedSteps,
      inFlight: read.state.inFlight,
      error: read.error ?? null,
    };
  });
}

/**
 * Runs in `dir` that neither finished nor were abandoned. A damaged journal counts by the records
 * before the damage: a run cut off mid-way is still unfinished.
 */
export function unfinishedRuns(dir: string): string[] {
  return runIds(dir).filter(
    (runId) => readRun(path.join(dir, `${runId}${SUFFIX}`)).state.status === 'running',
  );
}
