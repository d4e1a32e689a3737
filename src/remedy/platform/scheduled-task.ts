/**
 * The Windows start-up task: a scheduled task that runs as SYSTEM, elevated, at every start-up
 * until the run deletes it (schtasks /Create /SC ONSTART; Microsoft "schtasks create" doc).
 *
 * Quoting: the arguments go to schtasks.exe as a vector (no shell). Node quotes each element by
 * the MSVCRT rules, which schtasks parses back, so /TR arrives exactly as built here. Inside /TR,
 * every path is double-quoted: the Task Scheduler takes the first quoted string as the program and
 * passes the rest to node.exe, which splits it by the same rules. A path may not contain '"'
 * (Windows forbids it anyway), end in '\' (that would escape the closing quote) or contain '%'
 * (the Task Scheduler expands %VARIABLES% in actions).
 */
import path from 'node:path';
import {
  type RemoveSpec,
  type ResolvedDeps,
  type ResumeTaskSpec,
  resumeArguments,
  runChecked,
  StartupTaskError,
  type StartupTaskResult,
  type TaskAction,
} from './startup-task-base.js';

/** schtasks refuses a /TR longer than 261 characters. */
const MAX_TASK_RUN_LENGTH = 261;

function taskName(runId: string): string {
  return `\\tpm-doctor\\resume-${runId}`;
}

function checkPath(what: string, p: string): void {
  if (!path.win32.isAbsolute(p) || !/^([A-Za-z]:\\|\\\\)/.test(p)) {
    throw new StartupTaskError(
      `${what} must be an absolute Windows path (C:\\... or \\\\server\\...), got ${JSON.stringify(p)}`,
    );
  }
  if (/["%\u0000-\u001f]/.test(p) || p.endsWith('\\')) {
    throw new StartupTaskError(
      `${what} may not contain '"', '%' or control characters, or end in '\\': ${JSON.stringify(p)}`,
    );
  }
}

/** The /TR value: the quoted node.exe, the quoted CLI script, then the resume arguments. */
export function taskRunText(spec: ResumeTaskSpec): string {
  checkPath('nodePath', spec.nodePath);
  checkPath('cliPath', spec.cliPath);
  checkPath('journalPath', spec.journalPath);
  const [verb, runFlag, runId, journalFlag, journal] = resumeArguments(spec);
  const tr = `"${spec.nodePath}" "${spec.cliPath}" ${verb} ${runFlag} ${runId} ${journalFlag} "${journal}"`;
  if (tr.length > MAX_TASK_RUN_LENGTH) {
    throw new StartupTaskError(
      `the start-up command is ${tr.length} characters, more than the ${MAX_TASK_RUN_LENGTH} schtasks accepts; install tpm-doctor or its state directory under a shorter path: ${tr}`,
    );
  }
  return tr;
}

function createArguments(spec: ResumeTaskSpec): string[] {
  return [
    '/Create',
    '/TN',
    taskName(spec.runId),
    '/SC',
    'ONSTART',
    '/RU',
    'SYSTEM',
    '/RL',
    'HIGHEST',
    '/TR',
    taskRunText(spec),
    // Replace a task of the same name: installing twice leaves one task with the latest command.
    '/F',
  ];
}

export async function installScheduledTask(
  spec: ResumeTaskSpec,
  d: ResolvedDeps,
): Promise<StartupTaskResult> {
  const actions: TaskAction[] = [];
  await runChecked(d, actions, d.schtasks, createArguments(spec));
  return { name: taskName(spec.runId), changed: true, dryRun: d.dryRun, actions };
}

export async function removeScheduledTask(spec: RemoveSpec, d: ResolvedDeps): Promise<StartupTaskResult> {
  const name = taskName(spec.runId);
  const actions: TaskAction[] = [];
  // schtasks /Delete fails on a missing task, so ask first: removing twice is not an error.
  if (!d.dryRun && !(await scheduledTaskInstalled(spec, d)))
    return { name, changed: false, dryRun: false, actions };
  await runChecked(d, actions, d.schtasks, ['/Delete', '/TN', name, '/F']);
  return { name, changed: true, dryRun: d.dryRun, actions };
}

/** schtasks /Query exits 0 when the task exists, 1 when it does not. */
export async function scheduledTaskInstalled(spec: RemoveSpec, d: ResolvedDeps): Promise<boolean> {
  const r = await d.run(d.schtasks, ['/Query', '/TN', taskName(spec.runId)]);
  return r.exitCode === 0;
}
