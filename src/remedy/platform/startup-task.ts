/**
 * The start-up task that carries a clear run across the restart: a PPI clear happens in the firmware
 * at the next boot, and the run must go on afterwards without anyone remembering to type
 * `tpm-doctor resume` (a scheduled task on Windows, a systemd unit on Linux; docs/clear.md). It runs `node <cli> resume --run <runId> --journal <journal>` once per
 * boot while it exists; the run removes it when it ends, so it never outlives the run.
 *
 * Install and remove are idempotent: installing twice leaves one task, removing a task that is not
 * there does nothing. A dry run returns the same actions without running or writing anything.
 */
import { runProcess } from '../../system/run-process.js';
import { installScheduledTask, removeScheduledTask, scheduledTaskInstalled } from './scheduled-task.js';
import {
  assertRunId,
  type RemoveSpec,
  type ResolvedDeps,
  type ResumeTaskSpec,
  type StartupTaskDeps,
  type StartupTaskResult,
} from './startup-task-base.js';
import { installSystemdUnit, removeSystemdUnit, systemdUnitInstalled } from './systemd-unit.js';

export {
  type RemoveSpec,
  type ResumeTaskSpec,
  type StartupTaskDeps,
  StartupTaskError,
  type StartupTaskResult,
} from './startup-task-base.js';

function resolve(deps: StartupTaskDeps): ResolvedDeps {
  return {
    run: deps.run ?? runProcess,
    dryRun: deps.dryRun ?? false,
    unitDir: deps.unitDir ?? '/etc/systemd/system',
    systemctl: deps.systemctl ?? 'systemctl',
    schtasks: deps.schtasks ?? `${process.env.SystemRoot ?? 'C:\\Windows'}\\System32\\schtasks.exe`,
  };
}

export async function installResumeTask(
  spec: ResumeTaskSpec,
  deps: StartupTaskDeps = {},
): Promise<StartupTaskResult> {
  assertRunId(spec.runId);
  return spec.platform === 'win32'
    ? installScheduledTask(spec, resolve(deps))
    : installSystemdUnit(spec, resolve(deps));
}

export async function removeResumeTask(
  spec: RemoveSpec,
  deps: StartupTaskDeps = {},
): Promise<StartupTaskResult> {
  assertRunId(spec.runId);
  return spec.platform === 'win32'
    ? removeScheduledTask(spec, resolve(deps))
    : removeSystemdUnit(spec, resolve(deps));
}

export async function resumeTaskInstalled(
  spec: RemoveSpec,
  deps: Omit<StartupTaskDeps, 'dryRun'> = {},
): Promise<boolean> {
  assertRunId(spec.runId);
  const d = resolve({ ...deps, dryRun: false });
  return spec.platform === 'win32' ? scheduledTaskInstalled(spec, d) : systemdUnitInstalled(spec, d);
}
