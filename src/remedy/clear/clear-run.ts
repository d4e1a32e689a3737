/**
 * The TPM side of `tpm-doctor clear` by TPM2_Clear (methods 'lockout' and 'platform'): a journaled
 * run of five steps on the run engine (run/engine.ts),
 *
 *   gate-recorded → fingerprint-before → clear → fingerprint-after → proof → run-finished
 *
 * each written to the run journal before it starts (step-started) and after it ends
 * (step-succeeded / step-failed), so a crash, a reboot or a power cut anywhere resumes where the
 * run stopped (resumeClearRun). The receipt (clear-receipt.ts) is written next to the journal.
 *
 * The one rule that matters: **a clear is sent at most once per run, whatever fails when.** Every
 * step but the clear is idempotent (reading the TPM, recording the gate, computing the proof) and
 * simply runs again after a crash; the clear is settled by the SRK Name (steps/tpm2-clear.ts).
 *
 * The physical-presence route (method 'ppi') is ppi-run.ts; resumeClearRun resumes a run of
 * either. Auth values (lockout, owner, endorsement) are taken as arguments on every call, never
 * journaled (the journal refuses them too: journal-record.ts assertNoSecrets).
 */
import path from 'node:path';
import { runPowerShell } from '../../system/powershell.js';
import type { Tpm } from '../../tpm/tpm.js';
import { type JsonObject, RunJournal, readJournal, stepOutcome } from '../journal.js';
import type { PpiTarget } from '../platform/ppi.js';
import type { StartupTaskDeps } from '../platform/startup-task.js';
import type { ClearPurpose, GateResult } from '../preflight/gate.js';
import type { ClearMethodTpm } from './clear-refusal.js';
import { ClearRunError } from './clear-run-error.js';
import { driveSteps } from './drive-steps.js';
import { resumePpiJournal } from './ppi-run.js';
import { type CommonOptions, type Ctx, context } from './run-context.js';
import { type ClearRunResult, cleared, ended, finishRun } from './run-result.js';
import { newRunId, requireGatePassed, startMeta } from './run-start.js';
import { verifySameTpm } from './same-tpm.js';
import { fingerprintAfterStep } from './steps/fingerprint-after.js';
import { fingerprintBeforeStep } from './steps/fingerprint-before.js';
import { gateRecordedStep } from './steps/gate-recorded.js';
import type { ClearStep } from './steps/outcome.js';
import { proofStep } from './steps/proof.js';
import { tpm2ClearStep } from './steps/tpm2-clear.js';

export { ClearRunError } from './clear-run-error.js';
export type { ClearRunResult } from './run-result.js';

/** The steps of a clear by TPM2_Clear, in order. */
const TPM_CLEAR_STEPS: readonly ClearStep[] = [
  gateRecordedStep,
  fingerprintBeforeStep,
  tpm2ClearStep,
  fingerprintAfterStep,
  proofStep,
];

export interface StartClearRunOptions extends CommonOptions {
  /** Directory of the run journals; the journal is `<journalDir>/<runId>.jsonl`. */
  journalDir: string;
  /** The preflight gate's result, already evaluated; a run starts only when it passed. */
  gate: GateResult;
  method: ClearMethodTpm;
  purpose: ClearPurpose;
  approvedBy?: string;
  ticket?: string;
  /** Default: `clear-<UTC time>-<6 hex digits>`. */
  runId?: string;
  /**
   * The URI of the TPM the run is for (the CLI's --tpm), recorded in the run's meta as `tpm`, so a
   * resume can use the same one (recordedTpmUri). Informational: a resume checks the TPM's identity
   * by its EK Name whatever URI it was given.
   */
  tpmUri?: string;
}

export interface ResumeClearRunOptions extends CommonOptions {
  journalPath: string;
  /**
   * For a run of method 'ppi' (resumeClearRun hands it to resumePpiJournal): where the firmware's
   * response is read. Default: this machine's (Linux sysfs, or Win32_Tpm through PowerShell).
   */
  ppi?: PpiTarget;
  /** For a run of method 'ppi': how its start-up task is removed at the end (default: the real systemctl / schtasks). */
  taskDeps?: StartupTaskDeps;
}

/**
 * Starts a clear run and drives it to its end. Refuses (ClearRunError 'gate-not-passed', no
 * journal, nothing sent to the TPM) unless `gate.passed`. Returns 'finished' with the proof and the
 * receipt, or 'failed' when the TPM refused the clear or the proof does not hold (the run is then
 * ended: run-abandoned). Throws ClearRunError when the run stopped where it can be resumed.
 */
export async function startClearRun(options: StartClearRunOptions): Promise<ClearRunResult> {
  const { method } = options;
  if (method !== 'lockout' && method !== 'platform') {
    throw new ClearRunError(
      'bad-options',
      `expected method 'lockout' or 'platform', found ${JSON.stringify(method)} (the PPI route is a runbook of its own)`,
    );
  }
  requireGatePassed(options.gate, 'nothing on the TPM changes');
  const journal = RunJournal.create(
    options.journalDir,
    options.runId ?? newRunId(),
    startMeta(options, method),
  );
  try {
    return await drive(context(options, journal, options.journalDir, ['lockout', 'platform']));
  } finally {
    journal.close();
  }
}

/**
 * Resumes a run from its journal after a crash, a reboot or a power cut: checks that the TPM is
 * the run's (verifySameTpm: 'wrong-tpm' otherwise, before anything reaches the TPM), settles the
 * step in flight, runs the remaining steps, and finishes. On a run that already ended it sends
 * nothing to the TPM and returns its result (writing the receipt again if a crash came before it
 * was written). The journal's lock is held throughout: a run another live process is resuming is
 * refused (RunLockedError from RunJournal.open). A run of method 'ppi' is resumed by ppi-run.ts, in
 * the same open journal (so the lock is never let go in between).
 */
export async function resumeClearRun(options: ResumeClearRunOptions): Promise<ClearRunResult> {
  const journal = RunJournal.open(options.journalPath);
  try {
    if (methodOf(journal) === 'ppi') {
      return await resumePpiJournal(journal, {
        ...options,
        ppi: options.ppi ?? defaultPpiTarget(),
        ...(options.taskDeps === undefined ? {} : { taskDeps: options.taskDeps }),
      });
    }
    const ctx = context(options, journal, path.dirname(options.journalPath), ['lockout', 'platform']);
    if (journal.state().status === 'running') await verifySameTpm(ctx);
    return await drive(ctx);
  } finally {
    journal.close();
  }
}

async function drive(ctx: Ctx): Promise<ClearRunResult> {
  if (ctx.journal.state().status !== 'running') return ended(ctx);
  const stopped = await driveSteps(ctx, TPM_CLEAR_STEPS);
  if (stopped !== null) return stopped;
  if (ctx.keepOpen) return cleared(ctx);
  return finishRun(ctx);
}

/**
 * The TPM URI the run was started with (meta.tpm: startClearRun / startPpiRun `tpmUri`), or null
 * when it recorded none (an older run, or a caller that gave none). Reads the journal without
 * taking its lock. Throws when the file cannot be read.
 */
export function recordedTpmUri(journalPath: string): string | null {
  const first = readJournal(journalPath).records[0];
  if (first?.kind !== 'run-started') return null;
  const uri = (first.data.meta as Record<string, unknown>).tpm;
  return typeof uri === 'string' ? uri : null;
}

/** This machine's physical-presence interface: Linux sysfs, or Win32_Tpm through PowerShell. */
export function defaultPpiTarget(): PpiTarget {
  return process.platform === 'win32'
    ? { platform: 'win32', powershell: runPowerShell }
    : { platform: 'linux' };
}

function methodOf(journal: RunJournal): unknown {
  const first = journal.records()[0];
  return first?.kind === 'run-started' ? (first.data.meta as Record<string, unknown>).method : undefined;
}

/**
 * Ends a clear run whose proof holds (one kept open with keepOpen, after its post-clear runbook):
 * writes run-finished and the receipt, chained to the journal's last record. On a run that already
 * finished it writes nothing and returns its result (writing the receipt again if it is missing).
 * Throws ClearRunError 'not-cleared-yet' when the proof has not succeeded or a step is in flight,
 * and returns the failed result of an abandoned run.
 */
export function finishClearRun(journal: RunJournal | string, data: JsonObject = {}): ClearRunResult {
  const opened = typeof journal === 'string' ? RunJournal.open(journal) : null;
  const j = opened ?? (journal as RunJournal);
  try {
    const ctx = context({ tpm: undefined as unknown as Tpm }, j, path.dirname(j.path), [
      'lockout',
      'platform',
      'ppi',
    ]);
    const state = j.state();
    if (state.status !== 'running') return ended(ctx);
    if (stepOutcome(j.records(), 'proof') !== 'succeeded' || state.inFlight !== null) {
      throw new ClearRunError(
        'not-cleared-yet',
        `${j.path}: the run cannot finish yet: ${
          state.inFlight !== null
            ? `step ${state.inFlight} is in flight (resume the run first)`
            : 'its proof has not succeeded (resume the clear run first)'
        }`,
        j.path,
      );
    }
    return finishRun(ctx, data);
  } finally {
    opened?.close();
  }
}
