/**
 * resume-task-installed: the start-up task that resumes the run after the restart (the PPI route,
 * before the restart). Idempotent (startup-task.ts): found in flight, it simply runs again.
 */
import path from 'node:path';
import { installResumeTask, type StartupTaskDeps } from '../../platform/startup-task.js';
import type { ResumeTaskCommand, TaskPlatform } from '../resume-task.js';
import { type ClearStep, succeeded } from './outcome.js';

export function resumeTaskInstalledStep(
  command: ResumeTaskCommand & { platform: TaskPlatform },
  deps: StartupTaskDeps | undefined,
): ClearStep {
  return {
    id: 'resume-task-installed',
    policy: { inFlight: 'repeat' },
    async act({ journal }) {
      const r = await installResumeTask(
        {
          runId: journal.runId,
          journalPath: path.resolve(journal.path),
          nodePath: command.nodePath,
          ...(command.cliPath === undefined ? {} : { cliPath: command.cliPath }),
          platform: command.platform,
        },
        deps,
      );
      return succeeded({
        name: r.name,
        platform: command.platform,
        changed: r.changed,
        nodePath: command.nodePath,
        ...(command.cliPath === undefined ? {} : { cliPath: command.cliPath }),
      });
    },
  };
}
