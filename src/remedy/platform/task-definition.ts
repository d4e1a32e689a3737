/**
 * The Windows resume task as a Task Scheduler task definition (XML, "Task Scheduler Schema",
 * https://learn.microsoft.com/en-us/windows/win32/taskschd/task-scheduler-schema), registered with
 * `schtasks /Create /XML` (scheduled-task.ts). `schtasks /SC ONSTART` cannot say what a laptop
 * restarted for a PPI clear needs; its defaults do not start on battery, stop the task when the
 * machine goes on battery, and end it after 72 hours. Here:
 * - BootTrigger: at every start-up, until the run removes the task;
 * - Principal S-1-5-18 (LocalSystem) with RunLevel HighestAvailable;
 * - DisallowStartIfOnBatteries false, StopIfGoingOnBatteries false: it starts and keeps running on
 *   battery (settingsType, "DisallowStartIfOnBatteries", "StopIfGoingOnBatteries");
 * - StartWhenAvailable true: a start that was missed runs as soon as possible;
 * - ExecutionTimeLimit PT0S: no time limit ("ExecutionTimeLimit": PT0S lets the task run
 *   indefinitely); MultipleInstancesPolicy IgnoreNew: one resume at a time.
 *
 * The program runs as SYSTEM, so whoever can replace it gets SYSTEM at the next boot: it must
 * be under %ProgramFiles%, which only administrators can change (docs/deploy-windows.md installs
 * tpm-doctor.exe in %ProgramFiles%\tpm-doctor). A program anywhere else (a per-user npm or nvm
 * folder, %ProgramData%, a download folder) is refused.
 */
import path from 'node:path';
import {
  type ResumeTaskSpec,
  resumeArguments,
  StartupTaskError,
  taskProgram,
  userStepsArguments,
} from './startup-task-base.js';

export const TASK_NAMESPACE = 'http://schemas.microsoft.com/windows/2004/02/mit/task';

/** The folders the program may be in: %ProgramFiles% of the 64-bit view, as Windows sets it. */
function programFilesFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const folders = [env.ProgramW6432, env.ProgramFiles, 'C:\\Program Files'].filter(
    (f): f is string => typeof f === 'string' && path.win32.isAbsolute(f),
  );
  const normalized = folders.map((f) => path.win32.normalize(f).replace(/\\+$/, ''));
  return normalized.filter((f, i) => normalized.findIndex((g) => g.toLowerCase() === f.toLowerCase()) === i);
}

function checkPath(what: string, p: string): void {
  if (!path.win32.isAbsolute(p) || !/^([A-Za-z]:\\|\\\\)/.test(p)) {
    throw new StartupTaskError(
      `${what} must be an absolute Windows path (C:\\... or \\\\server\\...), got ${JSON.stringify(p)}`,
    );
  }
  // '"' and a trailing '\' break the quoting of Arguments; '%' would be expanded by the Task
  // Scheduler (it expands %VARIABLES% in actions).
  if (/["%\u0000-\u001f]/.test(p) || p.endsWith('\\')) {
    throw new StartupTaskError(
      `${what} may not contain '"', '%' or control characters, or end in '\\': ${JSON.stringify(p)}`,
    );
  }
}

/** Refuses a program a standard user could replace (see the module comment). */
function checkAdminOnlyProgram(what: string, p: string, env: NodeJS.ProcessEnv = process.env): void {
  checkPath(what, p);
  const folders = programFilesFolders(env);
  const normalized = path.win32.normalize(p).toLowerCase();
  const parts = p.split(/[\\/]/);
  if (
    parts.includes('..') ||
    parts.includes('.') ||
    !folders.some((f) => normalized.startsWith(`${f.toLowerCase()}\\`))
  ) {
    throw new StartupTaskError(
      `the start-up task runs ${p} as SYSTEM at every boot, but it is not under ${folders[0] ?? '%ProgramFiles%'}: a standard user may be able to replace it and would get SYSTEM. Install tpm-doctor.exe in %ProgramFiles%\\tpm-doctor (docs/deploy-windows.md) and run the clear from there.`,
    );
  }
}

export function xmlText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** What the task runs: the program, and its arguments with every path double-quoted. */
export function taskExec(
  spec: ResumeTaskSpec,
  env: NodeJS.ProcessEnv = process.env,
): { command: string; arguments: string } {
  const [program, script] = taskProgram(spec);
  checkAdminOnlyProgram('nodePath', program!, env);
  if (script !== undefined) checkAdminOnlyProgram('cliPath', script, env);
  checkPath('journalPath', spec.journalPath);
  const [verb, runFlag, runId, journalFlag, journal] = resumeArguments(spec);
  const args = `${verb} ${runFlag} ${runId} ${journalFlag} "${journal}"`;
  return { command: program!, arguments: script === undefined ? args : `"${script}" ${args}` };
}

/**
 * What the logon task runs (user-task-definition.ts): the same program, checked the same way (a
 * program another user could replace would run as whoever signs in next), with
 * `resume --user-steps --run ID`; no journal path, as the user cannot read the machine's runs.
 */
export function userStepsTaskExec(
  spec: Pick<ResumeTaskSpec, 'runId' | 'nodePath' | 'cliPath'>,
  env: NodeJS.ProcessEnv = process.env,
): { command: string; arguments: string } {
  const [program, script] = taskProgram(spec);
  checkAdminOnlyProgram('nodePath', program!, env);
  if (script !== undefined) checkAdminOnlyProgram('cliPath', script, env);
  const args = userStepsArguments(spec).join(' ');
  return { command: program!, arguments: script === undefined ? args : `"${script}" ${args}` };
}

/** The task definition, as schtasks /XML reads it (the file is written as UTF-16LE with a BOM). */
export function taskDefinitionXml(
  spec: ResumeTaskSpec,
  taskPath: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const exec = taskExec(spec, env);
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="${TASK_NAMESPACE}">
  <RegistrationInfo>
    <Author>tpm-doctor</Author>
    <Description>tpm-doctor: resume TPM clear run ${xmlText(spec.runId)} after the restart; the run removes this task when it ends.</Description>
    <URI>${xmlText(taskPath)}</URI>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
    </BootTrigger>
  </Triggers>
  <Principals>
    <Principal id="LocalSystem">
      <UserId>S-1-5-18</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
${taskSettingsXml({ startWhenAvailable: true, executionTimeLimit: 'PT0S' })}
${execActionXml('LocalSystem', exec)}
</Task>
`;
}

/**
 * The settings both tasks share: start and keep running on battery, no second instance, never
 * wait for idle or network (Task Scheduler schema, taskSettingsType:
 * https://learn.microsoft.com/windows/win32/taskschd/tasksettings). `deleteExpiredTaskAfter`
 * makes the Task Scheduler delete a task whose triggers have expired.
 */
export function taskSettingsXml(o: {
  startWhenAvailable: boolean;
  executionTimeLimit: string;
  deleteExpiredTaskAfter?: string;
}): string {
  return `  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>${o.startWhenAvailable}</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>${o.executionTimeLimit}</ExecutionTimeLimit>
${o.deleteExpiredTaskAfter === undefined ? '' : `    <DeleteExpiredTaskAfter>${o.deleteExpiredTaskAfter}</DeleteExpiredTaskAfter>\n`}    <Priority>7</Priority>
  </Settings>`;
}

/** The task's one action: the program and its arguments, run in the principal `context`. */
export function execActionXml(context: string, exec: { command: string; arguments: string }): string {
  return `  <Actions Context="${context}">
    <Exec>
      <Command>${xmlText(exec.command)}</Command>
      <Arguments>${xmlText(exec.arguments)}</Arguments>
    </Exec>
  </Actions>`;
}
