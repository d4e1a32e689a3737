/**
 * The runbook split by who can see what (docs/clear.md, "The user's part of the runbook"): SYSTEM's
 * boot-time runbook never waits for the signed-in user's facts (the Windows Hello PIN, the PRT),
 * and the user's part, run at logon, checks them read-only and says what to do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunJournal } from '../../../src/remedy/journal.js';
import { advanceRunbook } from '../../../src/remedy/runbook/advance-runbook.js';
import {
  leftToUserPart,
  postClearRunbook,
  userRunbookSteps,
} from '../../../src/remedy/runbook/post-clear.js';
import { runbookSession } from '../../../src/remedy/runbook/session.js';
import type { RunbookStep } from '../../../src/remedy/runbook/step.js';
import { checkUserSteps } from '../../../src/remedy/runbook/user-steps.js';
import { fakeClock, JUST_CLEARED, recordedWindows, tempDir } from './support.js';

const CLEARED_AT = '2024-06-03T09:00:00.000Z';

let scratch: ReturnType<typeof tempDir>;
beforeEach(() => {
  scratch = tempDir();
});
afterEach(() => scratch.remove());

/** Marks steps done, as earlier advances would have. */
function alreadyDone(journal: RunJournal, ids: readonly string[]): void {
  for (const id of ids) {
    journal.append('step-started', id, { attempt: 1, startedAt: CLEARED_AT });
    journal.append('step-succeeded', id, { message: 'done earlier', evidence: {} });
  }
}

describe("SYSTEM's runbook (the boot task)", () => {
  it('has no step that needs the signed-in user, and the interactive one keeps them all', () => {
    expect(postClearRunbook('system').map((s) => s.id)).toEqual([
      'reboot-complete',
      'tpm-ready',
      'bitlocker-protected',
      'entra-healthy',
      'recovery-key-escrowed',
      'mdm-synced',
      'compliant',
    ]);
    expect(postClearRunbook('system').every((s) => s.context !== 'user')).toBe(true);
    expect(postClearRunbook().map((s) => s.id)).toContain('hello-pin');
    expect(userRunbookSteps().map((s) => [s.id, s.context])).toEqual([
      ['entra-prt', 'user'],
      ['hello-pin', 'user'],
    ]);
  });

  it('passes the Entra step on what SYSTEM sees (no SSO State) and completes without the user', async () => {
    const windows = recordedWindows({
      ...JUST_CLEARED,
      events: 'events.cleared.json',
      'get-tpm': 'get-tpm.ready.json',
      bitlocker: 'bitlocker.resumed.json',
      dsregcmd: 'dsregcmd.system-no-sso.txt',
    });
    const journal = RunJournal.create(scratch.dir, 'run-1', { command: 'clear' });
    const steps = postClearRunbook('system');
    alreadyDone(journal, ['reboot-complete', 'tpm-ready', 'bitlocker-protected']);
    const clock = fakeClock('2024-06-03T10:00:00Z');
    const ctx = { runner: windows, now: clock.now, facts: { clearRequestedAt: CLEARED_AT } };
    let r = await advanceRunbook(journal, steps, ctx);
    // Past entra-healthy: it stops at the next step, not at the PRT it cannot see.
    expect(r.at).not.toBe('entra-healthy');
    const entra = journal.records().find((x) => x.kind === 'step-succeeded' && x.step === 'entra-healthy');
    expect(entra?.kind === 'step-succeeded' && String(entra.data?.message)).toMatch(
      /as SYSTEM sees it.*checked at the user's next sign-in/,
    );
    // The rest done: the run completes with no user step in it.
    alreadyDone(journal, ['recovery-key-escrowed', 'mdm-synced', 'compliant']);
    r = await advanceRunbook(journal, steps, ctx);
    expect(r).toEqual({ status: 'complete', message: 'All 7 steps are done.' });
    journal.close();
  });

  it("closes a user step a person's session left in flight as waiting, so SYSTEM's run can finish", async () => {
    const windows = recordedWindows({ ...JUST_CLEARED, dsregcmd: 'dsregcmd.system-no-sso.txt' });
    const journal = RunJournal.create(scratch.dir, 'run-3', { command: 'clear' });
    // An elevated person's session got to the PIN and was polling it when the PC restarted.
    alreadyDone(
      journal,
      postClearRunbook('interactive')
        .slice(0, 7)
        .map((s) => s.id),
    );
    journal.append('step-started', 'hello-pin', { attempt: 1, startedAt: CLEARED_AT });
    const clock = fakeClock('2024-06-03T10:00:00Z');
    const ctx = { runner: windows, now: clock.now, facts: { clearRequestedAt: CLEARED_AT } };
    // Without being told the step is another session's, the runbook stops, as before.
    expect(await advanceRunbook(journal, postClearRunbook('system'), ctx)).toMatchObject({
      status: 'failed',
      at: 'hello-pin',
    });
    const r = await advanceRunbook(journal, postClearRunbook('system'), ctx, {
      leftToOthers: leftToUserPart('system'),
    });
    expect(r).toEqual({ status: 'complete', message: 'All 7 steps are done.' });
    expect(journal.records().at(-1)).toMatchObject({
      kind: 'step-failed',
      step: 'hello-pin',
      data: { waiting: true },
    });
    expect(journal.state().inFlight).toBeNull();
    journal.append('run-finished');
    expect(leftToUserPart('interactive')).toEqual([]);
    journal.close();
  });

  it('still waits for what SYSTEM can see: KeySignTest failed is not passed', async () => {
    const windows = recordedWindows({ ...JUST_CLEARED, dsregcmd: 'dsregcmd.before-sign-in.txt' });
    const journal = RunJournal.create(scratch.dir, 'run-2', { command: 'clear' });
    alreadyDone(journal, ['reboot-complete', 'tpm-ready', 'bitlocker-protected']);
    const clock = fakeClock('2024-06-03T10:00:00Z');
    const r = await advanceRunbook(journal, postClearRunbook('system'), {
      runner: windows,
      now: clock.now,
      facts: { clearRequestedAt: CLEARED_AT },
    });
    expect(r).toMatchObject({ status: 'waiting', at: 'entra-healthy' });
    journal.close();
  });

  it('tells SYSTEM from a person by the environment Windows gives it', () => {
    expect(runbookSession({ USERPROFILE: 'C:\\Windows\\system32\\config\\systemprofile' }, 'win32')).toBe(
      'system',
    );
    expect(runbookSession({ USERNAME: 'PC-0042$', COMPUTERNAME: 'PC-0042' }, 'win32')).toBe('system');
    expect(
      runbookSession(
        { USERPROFILE: 'C:\\Users\\yamada', USERNAME: 'yamada', COMPUTERNAME: 'PC-0042' },
        'win32',
      ),
    ).toBe('interactive');
    // Cannot tell: interactive, where the user's steps stay and say what to do.
    expect(runbookSession({}, 'win32')).toBe('interactive');
    expect(runbookSession({ USERPROFILE: 'C:\\Windows\\system32\\config\\systemprofile' }, 'linux')).toBe(
      'interactive',
    );
  });
});

describe("the signed-in user's part (resume --user-steps)", () => {
  it('is complete when the user has a PRT and a PIN', async () => {
    const windows = recordedWindows({ meta: 'meta.json', dsregcmd: 'dsregcmd.hello.txt' });
    const r = await checkUserSteps(windows);
    expect(r.status).toBe('complete');
    expect(r.steps.map((s) => [s.id, s.state])).toEqual([
      ['entra-prt', 'done'],
      ['hello-pin', 'done'],
    ]);
    // Read-only: it ran the dsregcmd source and no action.
    expect(windows.calls.every((c) => c.kind === 'source')).toBe(true);
  });

  it('tells the user to set up the PIN when signed in without one', async () => {
    const r = await checkUserSteps(
      recordedWindows({ meta: 'meta.json', dsregcmd: 'dsregcmd.signed-in.txt' }),
    );
    expect(r.status).toBe('waiting');
    expect(r.steps[1]).toMatchObject({ id: 'hello-pin', state: 'waiting' });
    expect(r.steps[1]!.instruction).toMatch(/Sign-in options > PIN/);
  });

  it('tells the user to sign in again when there is no PRT', async () => {
    const r = await checkUserSteps(
      recordedWindows({ meta: 'meta.json', dsregcmd: 'dsregcmd.before-sign-in.txt' }),
    );
    expect(r.status).toBe('waiting');
    expect(r.steps[0]).toMatchObject({ id: 'entra-prt', state: 'waiting' });
    expect(r.steps[0]!.instruction).toMatch(/sign in again/);
  });

  it('fails, never passes, when run outside the user session or when dsregcmd cannot be read', async () => {
    let r = await checkUserSteps(
      recordedWindows({ meta: 'meta.json', dsregcmd: 'dsregcmd.system-no-sso.txt' }),
    );
    expect(r.status).toBe('failed');
    expect(r.steps.map((s) => s.state)).toEqual(['failed', 'failed']);
    expect(r.steps[0]!.instruction).toMatch(/your own session/);
    r = await checkUserSteps(recordedWindows({ meta: 'meta.json' }));
    expect(r.steps.map((s) => s.state)).toEqual(['failed', 'failed']);
    const throwing: RunbookStep = {
      id: 'x',
      title: 'X',
      instruction: 'do x',
      async check() {
        throw new Error('boom');
      },
    };
    r = await checkUserSteps(recordedWindows({}), { steps: [throwing] });
    expect(r).toEqual({
      status: 'failed',
      steps: [
        { id: 'x', title: 'X', state: 'failed', message: 'The check failed: boom', instruction: 'do x' },
      ],
    });
  });
});
