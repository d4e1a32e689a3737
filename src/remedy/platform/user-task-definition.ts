/**
 * The second Windows task of a clear run: the signed-in user's part of the post-clear runbook.
 * The Windows Hello PIN state (dsregcmd NgcSet) and the Primary Refresh Token (AzureAdPrt) exist
 * only in the user's session: SYSTEM, which runs the boot task, never sees them ("dsregcmd",
 * https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd: the User State
 * and SSO State sections are shown only in the user's context). So at every logon this task runs
 * `tpm-doctor resume --user-steps --run ID` as the user who signed in, unelevated:
 * - LogonTrigger without a UserId: any user's logon;
 * - Principal GroupId S-1-5-32-545 (BUILTIN\Users), RunLevel LeastPrivilege: in the session of
 *   the user who signed in, with that user's own unelevated token ("Principal",
 *   https://learn.microsoft.com/windows/win32/taskschd/taskschedulerschema-principal-principaltype-element);
 * - it starts and keeps running on battery, and is ended after 10 minutes (it only reads and
 *   tells the user what to do);
 * - EndBoundary on its trigger and DeleteExpiredTaskAfter PT0S: it stops and is deleted by the
 *   Task Scheduler when it expires, so it never outlives the run by more than that, and needs no
 *   SYSTEM step to remove it ("DeleteExpiredTaskAfter",
 *   https://learn.microsoft.com/windows/win32/taskschd/taskschedulerschema-deleteexpiredtaskafter-settingstype-element).
 *
 * The user part writes nothing the SYSTEM part reads (the user cannot write the machine's state
 * folder, docs/security.md), and the SYSTEM part never waits for it: what only the user can see
 * is reported to that user (docs/clear.md, "The user's part of the runbook").
 */
import { type ResumeTaskSpec, StartupTaskError } from './startup-task-base.js';
import {
  execActionXml,
  TASK_NAMESPACE,
  taskSettingsXml,
  userStepsTaskExec,
  xmlText,
} from './task-definition.js';

/** How long the logon task lives: long enough for a user who is away, then it deletes itself. */
export const USER_STEPS_TASK_LIFETIME_MS = 14 * 24 * 3600_000;

/** The logon task's name for a run. */
export function userStepsTaskName(runId: string): string {
  return `\\tpm-doctor\\user-steps-${runId}`;
}

/** The logon task definition, as schtasks /XML reads it; it expires at `expiresAt`. */
export function userStepsTaskDefinitionXml(
  spec: Pick<ResumeTaskSpec, 'runId' | 'nodePath' | 'cliPath'>,
  expiresAt: Date,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (Number.isNaN(expiresAt.getTime())) throw new StartupTaskError('the logon task needs an expiry time');
  const exec = userStepsTaskExec(spec, env);
  // xs:dateTime in UTC, whole seconds, as the Task Scheduler writes boundaries.
  const end = `${expiresAt.toISOString().slice(0, 19)}Z`;
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="${TASK_NAMESPACE}">
  <RegistrationInfo>
    <Author>tpm-doctor</Author>
    <Description>tpm-doctor: at sign-in, checks the signed-in user's Windows Hello PIN and Entra sign-in after TPM clear run ${xmlText(spec.runId)}, and says what to do; deletes itself after ${end}.</Description>
    <URI>${xmlText(userStepsTaskName(spec.runId))}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <EndBoundary>${end}</EndBoundary>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Users">
      <GroupId>S-1-5-32-545</GroupId>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
${taskSettingsXml({ startWhenAvailable: false, executionTimeLimit: 'PT10M', deleteExpiredTaskAfter: 'PT0S' })}
${execActionXml('Users', exec)}
</Task>
`;
}
