/**
 * The logon task of a clear run (src/remedy/platform/user-task-definition.ts): the signed-in
 * user's part of the runbook, read back from its Task Scheduler XML as schtasks would get it.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { installResumeTask, StartupTaskError } from '../../../src/remedy/platform/startup-task.js';
import {
  USER_STEPS_TASK_LIFETIME_MS,
  userStepsTaskDefinitionXml,
  userStepsTaskName,
} from '../../../src/remedy/platform/user-task-definition.js';
import { child, readXml, textAt } from '../../support/read-xml.js';
import { recordingRunner } from './recording-runner.js';

const RUN = 'clear-20250101T120000000Z-a1b2c3';
const EXE = 'C:\\Program Files\\tpm-doctor\\tpm-doctor.exe';
const EXPIRES = new Date('2025-01-15T12:00:00.000Z');

describe('the logon task (the user steps)', () => {
  it('runs at any logon as the signed-in user, unelevated, and deletes itself when it expires', () => {
    const task = readXml(userStepsTaskDefinitionXml({ runId: RUN, nodePath: EXE }, EXPIRES));
    expect(textAt(task, 'RegistrationInfo', 'URI')).toBe(`\\tpm-doctor\\user-steps-${RUN}`);
    expect(userStepsTaskName(RUN)).toBe(`\\tpm-doctor\\user-steps-${RUN}`);
    // One trigger: a logon, any user's (no UserId), until it expires.
    const triggers = child(task, 'Triggers');
    expect(triggers.children.map((t) => t.name)).toEqual(['LogonTrigger']);
    const logon = child(triggers, 'LogonTrigger');
    expect(logon.children.map((c) => c.name)).toEqual(['Enabled', 'EndBoundary']);
    expect(textAt(logon, 'Enabled')).toBe('true');
    expect(textAt(logon, 'EndBoundary')).toBe('2025-01-15T12:00:00Z');
    // The principal: the Users group (S-1-5-32-545), least privilege; no user ID, no SYSTEM.
    const principals = child(task, 'Principals');
    expect(principals.children).toHaveLength(1);
    const principal = child(principals, 'Principal');
    expect(principal.children.map((c) => c.name)).toEqual(['GroupId', 'RunLevel']);
    expect(textAt(principal, 'GroupId')).toBe('S-1-5-32-545');
    expect(textAt(principal, 'RunLevel')).toBe('LeastPrivilege');
    expect(child(task, 'Actions').attributes.Context).toBe(principal.attributes.id);
    const settings = child(task, 'Settings');
    expect(textAt(settings, 'DeleteExpiredTaskAfter')).toBe('PT0S');
    expect(textAt(settings, 'ExecutionTimeLimit')).toBe('PT10M');
    expect(textAt(settings, 'DisallowStartIfOnBatteries')).toBe('false');
    expect(textAt(settings, 'StopIfGoingOnBatteries')).toBe('false');
    expect(textAt(settings, 'MultipleInstancesPolicy')).toBe('IgnoreNew');
    // The command line: the executable once, the user steps of this run, no journal path.
    const exec = child(child(task, 'Actions'), 'Exec');
    expect(textAt(exec, 'Command')).toBe(EXE);
    expect(textAt(exec, 'Arguments')).toBe(`resume --user-steps --run ${RUN}`);
  });

  it('runs node and the script when tpm-doctor is the npm package under %ProgramFiles%', () => {
    const task = readXml(
      userStepsTaskDefinitionXml(
        {
          runId: RUN,
          nodePath: 'C:\\Program Files\\nodejs\\node.exe',
          cliPath: 'C:\\Program Files\\tpm-doctor\\tpm-doctor.cjs',
        },
        EXPIRES,
      ),
    );
    expect(textAt(task, 'Actions', 'Exec', 'Command')).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(textAt(task, 'Actions', 'Exec', 'Arguments')).toBe(
      `"C:\\Program Files\\tpm-doctor\\tpm-doctor.cjs" resume --user-steps --run ${RUN}`,
    );
  });

  it('refuses a program another user could replace (it would run as whoever signs in next)', () => {
    for (const nodePath of [
      'C:\\Users\\yamada\\AppData\\Roaming\\npm\\tpm-doctor.exe',
      'C:\\ProgramData\\tpm-doctor\\tpm-doctor.exe',
      'C:\\Program Files\\..\\Users\\x\\tpm-doctor.exe',
    ]) {
      expect(() => userStepsTaskDefinitionXml({ runId: RUN, nodePath }, EXPIRES)).toThrow(StartupTaskError);
    }
    expect(() => userStepsTaskDefinitionXml({ runId: RUN, nodePath: EXE }, new Date(Number.NaN))).toThrow(
      /expiry/,
    );
  });

  it('is registered with the boot task, expiring about 14 days later', async () => {
    const files: string[] = [];
    const rec = recordingRunner((_file, args) => {
      files.push(readFileSync(args[4]!).subarray(2).toString('utf16le'));
      return {};
    });
    const before = Date.now();
    await installResumeTask(
      {
        runId: RUN,
        nodePath: EXE,
        journalPath: `C:\\ProgramData\\tpm-doctor\\runs\\${RUN}.jsonl`,
        platform: 'win32',
      },
      { run: rec.run, schtasks: 'C:\\Windows\\System32\\schtasks.exe' },
    );
    expect(rec.calls.map((c) => c.args[2])).toEqual([`\\tpm-doctor\\resume-${RUN}`, userStepsTaskName(RUN)]);
    const end = Date.parse(textAt(readXml(files[1]!), 'Triggers', 'LogonTrigger', 'EndBoundary'));
    expect(end).toBeGreaterThanOrEqual(Math.floor((before + USER_STEPS_TASK_LIFETIME_MS) / 1000) * 1000);
    expect(end).toBeLessThanOrEqual(Date.now() + USER_STEPS_TASK_LIFETIME_MS);
  });
});
