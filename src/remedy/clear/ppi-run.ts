/**
 * The physical-presence route of `tpm-doctor clear --method ppi` as a run on the run engine
 * (run/engine.ts), in the same journal format as clear-run.ts (meta.method 'ppi'):
 *
 *   gate-recorded → fingerprint-before → ppi-requested → resume-task-installed
 *     … the machine restarts; the firmware asks the person at the machine …
 *   ppi-confirmed → fingerprint-after → proof → [keepOpen: 'cleared'] → resume-task-removed → run-finished
 *
 * The firmware, not tpm-doctor, clears the TPM, so the one proof that it happened is the SRK Name
 * (steps/ppi-confirmed.ts). The request is written at most once per run (steps/ppi-requested.ts).
 * A run that ends without success removes its start-up task (resume-task.ts removeTaskQuietly).
 *
 * Every resume first checks that the TPM is the run's (same-tpm.ts).
 */
import path from 'node:path';
import { type JsonObject, RunJournal } from '../journal.js';
import type { PpiTarget } from '../platform/ppi.js';
import type { StartupTaskDeps } from '../platform/startup-task.js';
import type { ClearPurpose, GateResult } from '../preflight/gate.js';
import { ClearRunError } from './clear-run-error.js';
import { driveSteps } from './drive-steps.js';
import { type ResumeTaskCommand, removeTaskQuietly, type TaskPlatform, thisPlatform } from './resume-task.js';
import { type CommonOptions, type Ctx, context } from './run-context.js';
import { type ClearRunResult, cleared, ended, finishRun } from './run-result.js';
import { newRunId, requireGatePassed, startMeta } from './run-start.js';
import { verifySameTpm } from './same-tpm.js';
import { fingerprintAfterStep } from './steps/fingerprint-after.js';
import { fingerprintBeforeStep } from './steps/fingerprint-before.js';
import { gateRecordedStep } from './steps/gate-recorded.js';
import type { ClearStep } from './steps/outcome.js';
import { ppiConfirmedStep } from './steps/ppi-confirmed.js';
import { requestedTransition, restartInstruction } from './steps/ppi-readings.js';
import { ppiRequestedStep } from './steps/ppi-requested.js';
import { proofStep } from './steps/proof.js';
import { resumeTaskInstalledStep } from './steps/resume-task-installed.js';
import { resumeTaskRemovedStep } from './steps/resume-task-removed.js';

export interface StartPpiRunOptions extends CommonOptions {
  /** Directory of the run journals; the journal is `<journalDir>/<runId>.jsonl`. */
  journalDir: string;
  /** The preflight gate's result (evaluated for method 'ppi'); a run starts only when it passed. */
  gate: GateResult;
  purpose: ClearPurpose;
  approvedBy?: string;
  ticket?: string;
  /** Default: `clear-<UTC time>-<6 hex digits>`. */
  runId?: string;
  /** Where the request goes: Linux sysfs (root, files, operation) or Win32_Tpm (a PowerShell runner). No dryRun. */
  ppi: PpiTarget;
  /** The start-up task that resumes the run after the restart. */
  task: ResumeTaskCommand;
  /** How the task is installed and removed (default: the real systemctl / schtasks). */
  taskDeps?: StartupTaskDeps;
  /** The URI of the TPM the run is for, recorded in meta as `tpm` (see StartClearRunOptions.tpmUri). */
  tpmUri?: string;
}

export interface ResumePpiRunOptions extends CommonOptions {
  /** Where the response and the pending request are read (the same machine as the request). */
  ppi: PpiTarget;
  taskDeps?: StartupTaskDeps;
}

interface PpiRoute {
  ppi: PpiTarget;
  task: ResumeTaskCommand & { platform: TaskPlatform };
  taskDeps: StartupTaskDeps | undefined;
}

/** The steps up to the restart: the run then waits for the firmware. */
function beforeRestart(x: PpiRoute): ClearStep[] {
  return [
    gateRecordedStep,
    fingerprintBeforeStep,
    ppiRequestedStep(x.ppi),
    resumeTaskInstalledStep(x.task, x.taskDeps),
  ];
}

/** Every step of the route, in order (what a resume drives). */
function allSteps(x: PpiRoute): ClearStep[] {
  return [...beforeRestart(x), ppiConfirmedStep(x.ppi), fingerprintAfterStep, proofStep];
}

/**
 * Starts a PPI clear run: records the gate, fingerprints the TPM, submits the request, installs the
 * start-up task, and returns 'waiting' with what the person must do (restart, accept the prompt).
 * Refuses (ClearRunError 'gate-not-passed' or 'bad-options', no journal) before anything changes.
 */
export async function startPpiRun(options: StartPpiRunOptions): Promise<ClearRunResult> {
  if (options.ppi.dryRun === true) {
    throw new ClearRunError('bad-options', 'a PPI run cannot be a dry run: use the preflight gate for that');
  }
  requireGatePassed(options.gate, 'nothing is requested');
  const platform = options.task.platform ?? options.ppi.platform;
  const ppiMeta: JsonObject = {
    ppi: {
      platform: options.ppi.platform,
      operation: options.ppi.operation ?? null,
      ...(options.ppi.platform === 'linux' && options.ppi.sysfsRoot !== undefined
        ? { sysfsRoot: options.ppi.sysfsRoot }
        : {}),
    },
    task: {
      nodePath: options.task.nodePath,
      ...(options.task.cliPath === undefined ? {} : { cliPath: options.task.cliPath }),
      platform,
    },
  };
  const journal = RunJournal.create(
    options.journalDir,
    options.runId ?? newRunId(),
    startMeta(options, 'ppi', ppiMeta),
  );
  try {
    const ctx = context(options, journal, options.journalDir, ['ppi']);
    const x: PpiRoute = { ppi: options.ppi, task: { ...options.task, platform }, taskDeps: options.taskDeps };
    const stopped = await driveSteps(ctx, beforeRestart(x), () => removeTaskQuietly(journal, x.taskDeps));
    if (stopped !== null) return stopped;
    // Before the restart there is nothing for ppi-confirmed to read.
    return waitingForRestart(ctx);
  } finally {
    journal.close();
  }
}

/**
 * Resumes a PPI run (after the restart, or a crash) on its journal, open and locked (resumeClearRun
 * hands its own over, so the run's lock is held throughout; the caller closes it): settles the step
 * in flight, reads what the firmware did, proves the clear, and finishes (or returns 'cleared' with
 * keepOpen). Before the firmware has acted it returns 'waiting'. On a run that already ended it
 * sends nothing, removes a leftover start-up task, and returns its result.
 */
export async function resumePpiJournal(
  journal: RunJournal,
  options: ResumePpiRunOptions,
): Promise<ClearRunResult> {
  const ctx = context(options, journal, path.dirname(journal.path), ['ppi']);
  const first = journal.records()[0];
  const meta = (first?.kind === 'run-started' ? first.data.meta : {}) as Record<string, unknown>;
  const task = (meta.task ?? {}) as Record<string, unknown>;
  const x: PpiRoute = {
    ppi: options.ppi,
    task: {
      nodePath: String(task.nodePath ?? process.execPath),
      // No script: the task runs the single executable (docs/single-executable.md).
      ...(typeof task.cliPath === 'string' && task.cliPath !== '' ? { cliPath: task.cliPath } : {}),
      platform: task.platform === 'win32' ? 'win32' : task.platform === 'linux' ? 'linux' : thisPlatform(),
    },
    taskDeps: options.taskDeps,
  };
  // Before anything reaches the TPM (or the firmware): is this the run's TPM?
  if (journal.state().status === 'running') await verifySameTpm(ctx);
  if (journal.state().status !== 'running') {
    await removeTaskQuietly(journal, x.taskDeps);
    return ended(ctx);
  }
  const stopped = await driveSteps(ctx, allSteps(x), () => removeTaskQuietly(journal, x.taskDeps));
  if (stopped !== null) return stopped;
  if (ctx.keepOpen) return cleared(ctx);
  const removed = await driveSteps(ctx, [resumeTaskRemovedStep(x.task.platform, x.taskDeps)]);
  if (removed !== null) return removed;
  return finishRun(ctx);
}

function waitingForRestart(ctx: Ctx): ClearRunResult {
  const instruction =
    `${restartInstruction(ctx)} Someone must be at the machine to accept the firmware prompt; ` +
    'the run resumes by itself after the restart (tpm-doctor resume).';
  return { ...ended(ctx), status: 'waiting', instruction, transition: requestedTransition(ctx) };
}
