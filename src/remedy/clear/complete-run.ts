/**
 * After the clear is proven (a run kept open: startClearRun / resumeClearRun with keepOpen, or a
 * PPI run), carry the device back in the same journal and end the run:
 *
 *   … proof → [Windows: the post-clear runbook's steps] → resume-task-removed → run-finished + receipt
 *
 * On Windows (a runner is given) the post-clear runbook (runbook/post-clear.ts) is advanced; until
 * it completes the run stays open and the start-up task resumes it at the next boot. On Linux or a
 * lab TPM there is no Windows runbook: the task is removed and the run finished at once.
 */
import path from 'node:path';
import type { PowerShellRunner } from '../../system/powershell.js';
import { RunJournal, stepOutcome } from '../journal.js';
import type { StartupTaskDeps } from '../platform/startup-task.js';
import { type AdvanceOptions, type AdvanceResult, advanceRunbook } from '../runbook/advance-runbook.js';
import { postClearRunbook } from '../runbook/post-clear.js';
import type { IntuneGraph, RunbookStep, RunFacts } from '../runbook/step.js';
import { ClearRunError } from './clear-run-error.js';
import { driveSteps } from './drive-steps.js';
import { type TaskPlatform, thisPlatform } from './resume-task.js';
import { context } from './run-context.js';
import { type ClearRunResult, ended, finishRun } from './run-result.js';
import { resumeTaskRemovedStep } from './steps/resume-task-removed.js';

interface ContinueWindows {
  /** Runs PowerShell on the device (runPowerShell live; recorded outputs in tests). */
  runner: PowerShellRunner;
  /** Default: the wall clock. */
  now?: () => Date;
  /** Facts for the steps; clearRequestedAt defaults to when the run's clear (or PPI request) started. */
  facts?: Partial<RunFacts>;
  /** Steps a person confirmed by hand (`tpm-doctor resume --confirm ID`). */
  confirmed?: readonly string[];
  graph?: IntuneGraph;
  /** Default: postClearRunbook(). */
  steps?: readonly RunbookStep[];
  /** Progress and polling for this advance. */
  advance?: AdvanceOptions;
}

export interface ContinueAfterClearOptions {
  /** The run's journal (open, or its path: then it is opened and closed here). */
  journal: RunJournal | string;
  /** Windows: advance the post-clear runbook first. Absent on Linux and lab TPMs. */
  windows?: ContinueWindows;
  /**
   * How the start-up task is removed at the end: its platform (default: the one the run journaled
   * when it installed the task, else this machine's) and deps (default: the real systemctl /
   * schtasks). `false`: leave tasks alone (a lab run that installed none).
   */
  removeTask?: { platform?: TaskPlatform; deps?: StartupTaskDeps } | false;
}

export interface ContinueAfterClearResult {
  status: 'complete' | 'waiting' | 'failed';
  /** The runbook step the run stopped at (waiting or failed). */
  at?: string;
  message: string;
  /** What the person should do now (waiting or failed). */
  instruction?: string;
  /** The runbook's own answer, when it ran. */
  runbook: AdvanceResult | null;
  /** The run's result: 'finished' with the receipt when complete. */
  run: ClearRunResult;
}

/** When the clear was requested: the first step-started of 'clear' or 'ppi-requested'. */
function clearRequestedAt(journal: RunJournal): string | null {
  const r = journal
    .records()
    .find((x) => x.kind === 'step-started' && (x.step === 'clear' || x.step === 'ppi-requested'));
  return r?.at ?? null;
}

export async function continueAfterClear(
  options: ContinueAfterClearOptions,
): Promise<ContinueAfterClearResult> {
  const opened = typeof options.journal === 'string' ? RunJournal.open(options.journal) : null;
  const journal = opened ?? (options.journal as RunJournal);
  try {
    const ctx = context({ tpm: undefined as never }, journal, path.dirname(journal.path), [
      'lockout',
      'platform',
      'ppi',
    ]);
    const state = journal.state();
    if (state.status !== 'running') {
      const run = ended(ctx);
      return run.status === 'finished'
        ? { status: 'complete', message: 'The run has finished.', runbook: null, run }
        : { status: 'failed', message: run.failure?.message ?? 'The run was abandoned.', runbook: null, run };
    }
    if (stepOutcome(journal.records(), 'proof') !== 'succeeded') {
      throw new ClearRunError(
        'not-cleared-yet',
        `${journal.path}: the clear is not proven yet; resume the clear run first (tpm-doctor resume)`,
        journal.path,
      );
    }
    let runbook: AdvanceResult | null = null;
    if (options.windows !== undefined) {
      const w = options.windows;
      const requestedAt = w.facts?.clearRequestedAt ?? clearRequestedAt(journal) ?? new Date().toISOString();
      // reboot-complete waits for the firmware's PPI clear (TPM event 33 after the reboot). A clear
      // sent by TPM2_Clear from the OS is already proven by the journal's proof step.
      const method = (journal.records()[0]?.data as { meta?: { method?: string } } | undefined)?.meta?.method;
      const clearedBy = method === 'ppi' ? 'firmware' : 'os';
      runbook = await advanceRunbook(
        journal,
        w.steps ?? postClearRunbook(),
        {
          runner: w.runner,
          now: w.now ?? (() => new Date()),
          facts: { clearedBy, ...w.facts, clearRequestedAt: requestedAt },
          ...(w.confirmed === undefined ? {} : { confirmed: w.confirmed }),
          ...(w.graph === undefined ? {} : { graph: w.graph }),
        },
        w.advance,
      );
      if (runbook.status !== 'complete') {
        return {
          status: runbook.status,
          ...(runbook.at === undefined ? {} : { at: runbook.at }),
          message: runbook.message,
          ...(runbook.instruction === undefined ? {} : { instruction: runbook.instruction }),
          runbook,
          run: { ...ended(ctx), status: 'cleared' },
        };
      }
    }
    if (options.removeTask !== false) {
      const platform = options.removeTask?.platform ?? thisPlatform();
      const removed = await driveSteps(ctx, [resumeTaskRemovedStep(platform, options.removeTask?.deps)]);
      if (removed !== null) {
        return {
          status: 'failed',
          message: removed.failure?.message ?? 'The start-up task could not be removed.',
          runbook,
          run: removed,
        };
      }
    }
    const run = finishRun(ctx, runbook === null ? {} : { runbook: 'complete' });
    return {
      status: 'complete',
      message:
        runbook === null
          ? 'Cleared and proven; the run is finished.'
          : `${runbook.message} The run is finished.`,
      runbook,
      run,
    };
  } finally {
    opened?.close();
  }
}
