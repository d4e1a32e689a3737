/**
 * The start-up task as journaled steps of a clear run: 'resume-task-installed' (the PPI route,
 * before the restart) and 'resume-task-removed' (the last step before run-finished, whichever route
 * installed it). Both are idempotent (startup-task.ts), so a step found in flight simply runs again.
 */
import path from 'node:path';
import type { JsonObject, RunJournal } from '../journal.js';
import { stepOutcome } from '../journal.js';
import {
  installResumeTask,
  type RemoveSpec,
  removeResumeTask,
  type StartupTaskDeps,
} from '../platform/startup-task.js';
import { type ClearRunResult, type Ctx, lastData, runStep, TASK_REMOVED_STEP } from './clear-run.js';

export type TaskPlatform = 'linux' | 'win32';

/** What the start-up task runs at boot: `<nodePath> <cliPath> resume --run <id> --journal <path>`. */
export interface ResumeTaskCommand {
  /** The node executable, absolute (process.execPath). */
  nodePath: string;
  /** The tpm-doctor CLI script, absolute. */
  cliPath: string;
  /** Default: the PPI target's platform, else this machine's. */
  platform?: TaskPlatform;
}

export function thisPlatform(): TaskPlatform {
  return process.platform === 'win32' ? 'win32' : 'linux';
}

/**
 * A step found in flight after a crash whose work is idempotent (reading, installing or removing
 * the task): recorded interrupted (failed, not final) so that it runs again.
 */
export function settleIdempotent(journal: RunJournal, step: string): void {
  journal.append('step-failed', step, {
    final: false,
    reason: 'interrupted',
    message: 'interrupted before its outcome was recorded; the step is idempotent and runs again',
  });
}

/** The platform of the task the run installed, or null when it installed none. */
export function installedTaskPlatform(journal: RunJournal): TaskPlatform | null {
  const data = lastData(journal.records(), 'resume-task-installed', 'step-succeeded');
  if (data === undefined) return null;
  return data.platform === 'win32' ? 'win32' : 'linux';
}

/** Runs 'resume-task-installed' (installResumeTask with the journal's absolute path). */
export async function installTaskStep(
  ctx: Ctx,
  command: ResumeTaskCommand & { platform: TaskPlatform },
  deps: StartupTaskDeps | undefined,
): Promise<ClearRunResult | null> {
  const { journal } = ctx;
  if (stepOutcome(journal.records(), 'resume-task-installed') === 'in-flight')
    settleIdempotent(journal, 'resume-task-installed');
  if (stepOutcome(journal.records(), 'resume-task-installed') === 'succeeded') return null;
  return runStep(ctx, 'resume-task-installed', async () => {
    const r = await installResumeTask(
      {
        runId: journal.runId,
        journalPath: path.resolve(journal.path),
        nodePath: command.nodePath,
        cliPath: command.cliPath,
        platform: command.platform,
      },
      deps,
    );
    return {
      ok: true,
      data: {
        name: r.name,
        platform: command.platform,
        changed: r.changed,
        nodePath: command.nodePath,
        cliPath: command.cliPath,
      },
    };
  });
}

/**
 * Runs 'resume-task-removed' (removeResumeTask; nothing to do when there is no task). `platform`
 * is the task's: the one the run journaled when it installed it, else the given one.
 */
export async function removeTaskStep(
  ctx: Ctx,
  platform: TaskPlatform,
  deps: StartupTaskDeps | undefined,
): Promise<ClearRunResult | null> {
  const { journal } = ctx;
  if (stepOutcome(journal.records(), TASK_REMOVED_STEP) === 'in-flight')
    settleIdempotent(journal, TASK_REMOVED_STEP);
  if (stepOutcome(journal.records(), TASK_REMOVED_STEP) === 'succeeded') return null;
  const spec: RemoveSpec = { runId: journal.runId, platform: installedTaskPlatform(journal) ?? platform };
  return runStep(ctx, TASK_REMOVED_STEP, async () => {
    const r = await removeResumeTask(spec, deps);
    return { ok: true, data: { name: r.name, platform: spec.platform, changed: r.changed } };
  });
}

/**
 * Removes the task of a run that is ending without success (or has ended), as a note rather than a
 * step: the run is being abandoned, and a task that outlived it would resume it at every boot.
 * Never throws; journals what happened when the run is still running.
 */
export async function removeTaskQuietly(
  journal: RunJournal,
  deps: StartupTaskDeps | undefined,
): Promise<void> {
  const platform = installedTaskPlatform(journal);
  if (platform === null) return;
  let data: JsonObject;
  try {
    const r = await removeResumeTask({ runId: journal.runId, platform }, deps);
    data = { resumeTask: 'removed', name: r.name, changed: r.changed };
  } catch (e) {
    data = { resumeTask: 'not removed', error: e instanceof Error ? e.message : String(e) };
  }
  if (journal.state().status === 'running') {
    try {
      journal.append('note', TASK_REMOVED_STEP, data);
    } catch {
      // The note is history only.
    }
  }
}
