/**
 * The Windows start-up task: a scheduled task that runs as SYSTEM, elevated, at every start-up
 * until the run deletes it, registered from a task definition (task-definition.ts: battery,
 * catch-up and time-limit settings, and the program refused unless only administrators can
 * change it) with `schtasks /Create /XML` (Microsoft "schtasks create" doc: /XML creates a task
 * from the task XML in a file). The file is written as UTF-16LE with a byte order mark, as the
 * Task Scheduler's own exports are, into a folder of its own under this user's temporary folder,
 * and removed once schtasks has read it. A second task, the signed-in user's part of the runbook
 * (user-task-definition.ts), is registered beside it; it expires and deletes itself.
 *
 * The arguments go to schtasks.exe as a vector (no shell): nothing in them needs quoting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type RemoveSpec,
  type ResolvedDeps,
  type ResumeTaskSpec,
  runChecked,
  type StartupTaskResult,
  type TaskAction,
} from './startup-task-base.js';
import { taskDefinitionXml } from './task-definition.js';
import {
  USER_STEPS_TASK_LIFETIME_MS,
  userStepsTaskDefinitionXml,
  userStepsTaskName,
} from './user-task-definition.js';

function taskName(runId: string): string {
  return `\\tpm-doctor\\resume-${runId}`;
}

/** The task definition file's bytes: UTF-16LE with a byte order mark, matching encoding="UTF-16". */
function taskDefinitionBytes(xml: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replaceAll('\n', '\r\n'), 'utf16le')]);
}

function createArguments(name: string, xmlFile: string): string[] {
  // /F replaces a task of the same name: installing twice leaves one task with the latest definition.
  return ['/Create', '/TN', name, '/XML', xmlFile, '/F'];
}

export async function installScheduledTask(
  spec: ResumeTaskSpec,
  d: ResolvedDeps,
): Promise<StartupTaskResult> {
  const name = taskName(spec.runId);
  const xml = taskDefinitionXml(spec, name);
  const actions: TaskAction[] = [];
  const folder = d.dryRun
    ? path.join(os.tmpdir(), `tpm-doctor-task-${spec.runId}`)
    : mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-task-'));
  const file = path.join(folder, `resume-${spec.runId}.xml`);
  // The signed-in user's part (user-task-definition.ts): a logon task that expires by itself.
  const userName = userStepsTaskName(spec.runId);
  const userXml = userStepsTaskDefinitionXml(spec, new Date(Date.now() + USER_STEPS_TASK_LIFETIME_MS));
  const userFile = path.join(folder, `user-steps-${spec.runId}.xml`);
  try {
    actions.push({ kind: 'write-file', path: file, content: xml });
    if (!d.dryRun) writeFileSync(file, taskDefinitionBytes(xml), { flag: 'wx' });
    await runChecked(d, actions, d.schtasks, createArguments(name, file));
    actions.push({ kind: 'write-file', path: userFile, content: userXml });
    if (!d.dryRun) writeFileSync(userFile, taskDefinitionBytes(userXml), { flag: 'wx' });
    await runChecked(d, actions, d.schtasks, createArguments(userName, userFile));
  } finally {
    actions.push({ kind: 'remove-file', path: file });
    actions.push({ kind: 'remove-file', path: userFile });
    if (!d.dryRun) rmSync(folder, { recursive: true, force: true });
  }
  return { name, changed: true, dryRun: d.dryRun, actions };
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
