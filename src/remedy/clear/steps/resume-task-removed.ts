/**
 * resume-task-removed: the last step before run-finished, whichever route installed the start-up
 * task (nothing to do when there is none). Idempotent (startup-task.ts): found in flight, it runs
 * again.
 */
import { removeResumeTask, type StartupTaskDeps } from '../../platform/startup-task.js';
import { installedTaskPlatform, TASK_REMOVED_STEP, type TaskPlatform } from '../resume-task.js';
import { type ClearStep, succeeded } from './outcome.js';

/** `platform` is the task's when the run journaled none when it installed it. */
export function resumeTaskRemovedStep(platform: TaskPlatform, deps: StartupTaskDeps | undefined): ClearStep {
  return {
    id: TASK_REMOVED_STEP,
    policy: { inFlight: 'repeat' },
    async act({ journal }) {
      const spec = { runId: journal.runId, platform: installedTaskPlatform(journal) ?? platform };
      const r = await removeResumeTask(spec, deps);
      return succeeded({ name: r.name, platform: spec.platform, changed: r.changed });
    },
  };
}
