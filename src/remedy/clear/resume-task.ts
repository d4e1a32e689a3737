/**
 * The start-up task of a clear run, which resumes the run at boot (startup-task.ts): what it runs,
 * on which platform, and removing it quietly when a run ends without success. Installing and
 * removing it as steps of the run: steps/resume-task-installed.ts, steps/resume-task-removed.ts.
 */
import type { JsonObject, RunJournal } from '../journal.js';
import { removeResumeTask, type StartupTaskDeps } from '../platform/startup-task.js';
import { lastStepData } from '../run/records.js';

export type TaskPlatform = 'linux' | 'win32';

/**
 * What the start-up task runs at boot: `<nodePath> <cliPath> resume --run <id> --journal <path>`,
 * or `<nodePath> resume ...` when nodePath is tpm-doctor as a single executable.
 */
export interface ResumeTaskCommand {
  /** The program, absolute: node (process.execPath), or the single executable itself. */
  nodePath: string;
  /** The tpm-doctor CLI script, absolute; absent for the single executable (docs/single-executable.md). */
  cliPath?: string;
  /** Default: the PPI target's platform, else this machine's. */
  platform?: TaskPlatform;
}

/** Journaled with 'resume-task-removed': the step, or a note when the run ends without success. */
export const TASK_REMOVED_STEP = 'resume-task-removed';

export function thisPlatform(): TaskPlatform {
  return process.platform === 'win32' ? 'win32' : 'linux';
}

/** The platform of the task the run installed, or null when it installed none. */
export function installedTaskPlatform(journal: RunJournal): TaskPlatform | null {
  const data = lastStepData(journal.records(), 'resume-task-installed', 'step-succeeded');
  if (data === undefined) return null;
  return data.platform === 'win32' ? 'win32' : 'linux';
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
