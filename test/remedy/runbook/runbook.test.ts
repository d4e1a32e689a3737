import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JournalRecord, RunJournal, readJournal } from '../../../src/remedy/journal.js';
import {
  advanceRunbook,
  lastOutcome,
  type RunbookProgress,
} from '../../../src/remedy/runbook/advance-runbook.js';
import { postClearRunbook } from '../../../src/remedy/runbook/post-clear.js';
import type { IntuneGraph, RunbookContext } from '../../../src/remedy/runbook/step.js';
import {
  actionScript,
  backupToAadAction,
  resumeBitLockerAction,
  triggerMdmSyncAction,
} from '../../../src/remedy/runbook/windows.js';
import { fakeClock, JUST_CLEARED, type RecordedWindows, recordedWindows, tempDir } from './support.js';

const CLEARED_AT = '2024-06-03T09:00:00.000Z';
const STEP_IDS = [
  'reboot-complete',
  'tpm-ready',
  'bitlocker-protected',
  'entra-healthy',
  'recovery-key-escrowed',
  'mdm-synced',
  'compliant',
  'hello-pin',
];
const RECOVERY_PASSWORD = '518320-407759-226171-593088-172854-660121-394812-083127';
const RECOVERY_PASSWORD_ID = 'e4a7c2d9-1b5f-4e83-9a06-7d2c8b1f5e94';

let scratch: ReturnType<typeof tempDir>;
beforeEach(() => {
  scratch = tempDir();
});
afterEach(() => scratch.remove());

function setup(states: Record<string, string> = JUST_CLEARED, extra: Partial<RunbookContext> = {}) {
  const windows = recordedWindows(states);
  // Resume-BitLocker on the device turns protection back on.
  windows.onAction('resume-bitlocker', () => windows.use('bitlocker', 'bitlocker.resumed.json'));
  const clock = fakeClock('2024-06-03T09:01:00Z');
  const journal = RunJournal.create(scratch.dir, 'run-1', { command: 'clear' });
  const ctx: RunbookContext = {
    runner: windows,
    now: clock.now,
    facts: { clearRequestedAt: CLEARED_AT, pinRules: 'at least 8 characters, with letters and symbols' },
    ...extra,
  };
  return { windows, clock, journal, ctx, steps: postClearRunbook() };
}

/** The device after the restarts, the TPM provisioned, BitLocker resumed, the user signed in. */
const RECOVERED: Record<string, string> = {
  ...JUST_CLEARED,
  events: 'events.cleared.json',
  'get-tpm': 'get-tpm.ready.json',
  bitlocker: 'bitlocker.resumed.json',
  dsregcmd: 'dsregcmd.signed-in.txt',
};

/** A step or note record's data (run-started has its own shape). */
function dataOf(record: JournalRecord | undefined): Record<string, unknown> | undefined {
  return record?.kind === 'run-started' ? undefined : record?.data;
}

/** Marks steps done by hand, as an earlier advance would have. */
function alreadyDone(journal: RunJournal, ids: readonly string[]): void {
  for (const id of ids) {
    journal.append('step-started', id, { attempt: 1, startedAt: CLEARED_AT });
    journal.append('step-succeeded', id, { message: 'done earlier', evidence: {} });
  }
}

function actions(windows: RecordedWindows) {
  return {
    resume: windows.count('resume-bitlocker'),
    backup: windows.count('backup-to-aad'),
    sync: windows.count('trigger-mdm-sync'),
  };
}

describe('advanceRunbook: the whole runbook after a clear', () => {
  it('goes from "just cleared" to complete over several advances as the device changes', async () => {
    const { windows, clock, journal, ctx, steps } = setup();
    expect(steps.map((s) => s.id)).toEqual(STEP_IDS);
    const progress: RunbookProgress[] = [];
    const advance = (more: Partial<RunbookContext> = {}) =>
      advanceRunbook(journal, steps, { ...ctx, ...more }, { onProgress: (p) => progress.push(p) });

    // 1. The PPI request is pending: the person must restart and press the firmware key.
    let r = await advance();
    expect(r).toMatchObject({ status: 'waiting', at: 'reboot-complete' });
    expect(r.instruction).toMatch(/firmware.*press the key.*F12/);
    // Idempotent: advancing again without a change stays there.
    expect(await advance()).toMatchObject({ status: 'waiting', at: 'reboot-complete' });

    // 2. Restarted, the TPM cleared (event 33), not provisioned yet.
    windows.use('events', 'events.cleared.json');
    windows.use('get-tpm', 'get-tpm.not-ready.json');
    clock.set('2024-06-03T09:06:00Z');
    r = await advance();
    expect(r).toMatchObject({ status: 'waiting', at: 'tpm-ready' });
    expect(r.instruction).toMatch(/auto-provisioning/);

    // 3. Provisioned: BitLocker is resumed by tpm-doctor; then the user must sign in.
    windows.use('get-tpm', 'get-tpm.ready.json');
    clock.set('2024-06-03T09:10:00Z');
    r = await advance();
    expect(actions(windows)).toEqual({ resume: 1, backup: 0, sync: 0 });
    expect(r).toMatchObject({ status: 'waiting', at: 'entra-healthy' });
    expect(r.message).toMatch(
      /DeviceAuthStatus FAILED\. ERROR, KeySignTest FAILED\. 0x80090016, AzureAdPrt NO/,
    );
    expect(r.instruction).toMatch(/Sign in to Windows with your work account/);

    // 4. Signed in: the key is backed up, and (no fleet credentials) a person must confirm it.
    windows.use('dsregcmd', 'dsregcmd.signed-in.txt');
    clock.set('2024-06-03T09:20:00Z');
    r = await advance();
    expect(r).toMatchObject({ status: 'waiting', at: 'recovery-key-escrowed' });
    expect(r.instruction).toContain(`recovery key ID ${RECOVERY_PASSWORD_ID}`);
    expect(r.instruction).toContain('tpm-doctor resume --confirm recovery-key-escrowed');
    expect(actions(windows).backup).toBe(1);
    const backup = windows.calls.find((c) => c.name === 'backup-to-aad')!;
    expect(backup.script).toContain(
      `-MountPoint 'C:' -KeyProtectorId '{${RECOVERY_PASSWORD_ID.toUpperCase()}}'`,
    );

    // 5. Confirmed: the sync is triggered (PushLaunch) and waited for.
    clock.set('2024-06-03T09:25:00Z');
    r = await advance({ confirmed: ['recovery-key-escrowed'] });
    expect(r).toMatchObject({ status: 'waiting', at: 'mdm-synced' });
    expect(r.message).toMatch(/Keep this PC awake/);
    expect(actions(windows).sync).toBe(1);
    const trigger = windows.calls.find((c) => c.name === 'trigger-mdm-sync')!;
    expect(trigger.script).toContain("$guid = 'B7E0D1A2-3C4F-4A5B-9C6D-7E8F9A0B1C2D'");
    expect(trigger.script).toContain("-TaskName 'PushLaunch'");
    expect(trigger.script).toContain('/o $guid /c /b');

    // 6. Fifteen minutes later, no sync yet: still waiting, and no second trigger within the hour.
    clock.set('2024-06-03T09:40:00Z');
    r = await advance();
    expect(r).toMatchObject({ status: 'waiting', at: 'mdm-synced' });
    expect(r.message).toMatch(/requested 15 min ago/);
    expect(actions(windows).sync).toBe(1);

    // 7. Synced at 10:22: compliance cannot be checked without Graph (recorded as such); the PIN is next.
    windows.use('mdm-sync', 'mdm-sync.synced.json');
    clock.set('2024-06-03T10:30:00Z');
    r = await advance();
    expect(r).toMatchObject({ status: 'waiting', at: 'hello-pin' });
    expect(r.instruction).toMatch(/Settings > Accounts > Sign-in options > PIN \(Windows Hello\)/);
    expect(r.instruction).toContain(
      "Your organisation's PIN rules: at least 8 characters, with letters and symbols.",
    );

    // 8. PIN set up: complete.
    windows.use('dsregcmd', 'dsregcmd.hello.txt');
    r = await advance();
    expect(r).toEqual({ status: 'complete', message: 'All 8 steps are done.' });
    expect(await advance()).toEqual(r);

    const state = journal.state();
    expect(state.completedSteps).toEqual(STEP_IDS);
    expect(state.inFlight).toBeNull();
    const records = journal.records();
    for (const id of STEP_IDS) expect(lastOutcome(records, id)).toBe('done');
    const compliance = records.find((x) => x.kind === 'step-succeeded' && x.step === 'compliant');
    expect(dataOf(compliance)?.evidence).toEqual({ checked: false, reason: 'no-graph' });
    // Waiting was journaled as step-failed { waiting: true }, one per advance that stopped there.
    const waits = records.filter((x) => x.kind === 'step-failed' && x.data?.waiting === true);
    expect(waits.map((x) => x.step)).toEqual([
      'reboot-complete',
      'reboot-complete',
      'tpm-ready',
      'entra-healthy',
      'recovery-key-escrowed',
      'mdm-synced',
      'mdm-synced',
      'hello-pin',
    ]);
    expect(actions(windows)).toEqual({ resume: 1, backup: 1, sync: 1 });
    expect(progress.some((p) => p.step === 'mdm-synced' && p.phase === 'acting')).toBe(true);
    // The journal reads back clean from disk.
    expect(readJournal(journal.path).error).toBeUndefined();
    journal.close();
  });

  it('never writes a recovery password: the journal holds protector IDs only', async () => {
    const { journal, ctx, steps } = setup({ ...RECOVERED, bitlocker: 'bitlocker.suspended.json' });
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r.at).toBe('recovery-key-escrowed');
    const text = readFileSync(journal.path, 'utf8');
    // The recorded outputs hold the password (Get-BitLockerVolume's RecoveryPassword, manage-bde's Password:).
    expect(text).not.toContain(RECOVERY_PASSWORD);
    expect(text).not.toContain(RECOVERY_PASSWORD.replace(/-/g, ''));
    expect(text).not.toMatch(/"RecoveryPassword"\s*:/);
    expect(text).toContain(RECOVERY_PASSWORD_ID);
    const bitlocker = journal
      .records()
      .find((x) => x.kind === 'step-succeeded' && x.step === 'bitlocker-protected');
    expect(dataOf(bitlocker)?.evidence).toMatchObject({
      protectionStatus: 'On',
      protectors: [
        { id: '3c9e1f24-6a8b-4d17-b2e5-90f4a1c7d803', type: 'Tpm' },
        { id: RECOVERY_PASSWORD_ID, type: 'RecoveryPassword' },
      ],
    });
    journal.close();
  });
});

describe('advanceRunbook: resuming after a crash', () => {
  it('re-checks a step found in flight instead of starting it again', async () => {
    const { journal, ctx, steps } = setup({ ...JUST_CLEARED, events: 'events.cleared.json' });
    journal.append('step-started', 'reboot-complete', { attempt: 1, startedAt: CLEARED_AT });
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r.at).toBe('tpm-ready');
    const mine = journal.records().filter((x) => x.step === 'reboot-complete');
    expect(mine.map((x) => x.kind)).toEqual(['step-started', 'note', 'step-succeeded']);
    expect(mine[1]?.data).toMatchObject({ resumed: true });
    journal.close();
  });

  it('does not act again when the interrupted action had taken effect', async () => {
    // Crash inside Resume-BitLocker: it was started, never recorded finished, and it did resume.
    const { windows, journal, ctx, steps } = setup(RECOVERED);
    alreadyDone(journal, ['reboot-complete', 'tpm-ready']);
    journal.append('step-started', 'bitlocker-protected', {
      attempt: 1,
      startedAt: '2024-06-03T09:00:30.000Z',
    });
    journal.append('note', 'bitlocker-protected', { act: 'started', at: '2024-06-03T09:00:31.000Z' });
    const r = await advanceRunbook(journal, steps, ctx);
    expect(windows.count('resume-bitlocker')).toBe(0);
    expect(lastOutcome(journal.records(), 'bitlocker-protected')).toBe('done');
    expect(r.at).toBe('recovery-key-escrowed');
    journal.close();
  });

  it('does not trigger a second sync within the hour after a crash, and does after it', async () => {
    const { windows, clock, journal, ctx, steps } = setup(RECOVERED);
    alreadyDone(journal, STEP_IDS.slice(0, 5));
    journal.append('step-started', 'mdm-synced', { attempt: 1, startedAt: '2024-06-03T09:20:00.000Z' });
    journal.append('note', 'mdm-synced', { act: 'started', at: '2024-06-03T09:20:01.000Z' });
    journal.append('note', 'mdm-synced', { act: 'finished', at: '2024-06-03T09:20:05.000Z', result: null });
    clock.set('2024-06-03T09:30:00Z');
    let r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'waiting', at: 'mdm-synced' });
    expect(windows.count('trigger-mdm-sync')).toBe(0);
    clock.set('2024-06-03T10:30:00Z');
    r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'waiting', at: 'mdm-synced' });
    expect(windows.count('trigger-mdm-sync')).toBe(1);
    // The baseline is the step's first start (09:20), not the latest attempt.
    const last = journal.records().at(-1);
    expect(dataOf(last)?.evidence).toMatchObject({ syncRequestedSince: '2024-06-03T09:20:00.000Z' });
    journal.close();
  });

  it('refuses to go on while a step that is not its own is in flight', async () => {
    const { journal, ctx, steps } = setup();
    journal.append('step-started', 'clear', {});
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'failed', at: 'clear' });
    expect(journal.records().at(-1)?.kind).toBe('step-started');
    journal.close();
  });
});

describe('advanceRunbook: waiting and failing', () => {
  it('does not resume BitLocker without a TPM protector, and says what to do', async () => {
    const { windows, journal, ctx, steps } = setup({
      ...RECOVERED,
      bitlocker: 'bitlocker.no-tpm-protector.json',
      'manage-bde': 'manage-bde.no-tpm-protector.txt',
    });
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'waiting', at: 'bitlocker-protected' });
    expect(r.instruction).toContain('manage-bde -protectors -add C: -tpm');
    expect(windows.count('resume-bitlocker')).toBe(0);
    journal.close();
  });

  it('waits for a recovery password protector, with the command to add one', async () => {
    const { windows, journal, ctx, steps } = setup({
      ...RECOVERED,
      bitlocker: 'bitlocker.no-recovery-password.json',
      'manage-bde': 'manage-bde.no-recovery-password.txt',
    });
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'waiting', at: 'bitlocker-protected' });
    expect(r.instruction).toContain('manage-bde -protectors -add C: -rp');
    expect(windows.count('resume-bitlocker')).toBe(0);
    expect(journal.records().at(-1)).toMatchObject({ kind: 'step-failed', data: { waiting: true } });
    journal.close();
  });

  it('asks to run elevated when Get-Tpm cannot be read', async () => {
    const { windows, journal, ctx, steps } = setup({ ...RECOVERED });
    alreadyDone(journal, ['reboot-complete']);
    windows.fail('get-tpm', 'Access denied');
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'failed', at: 'tpm-ready' });
    expect(r.instruction).toMatch(/elevated prompt/);
    journal.close();
  });

  it('fails when there is no sign of the clear, and retries the step on the next advance', async () => {
    const { windows, journal, ctx, steps } = setup({
      ...JUST_CLEARED,
      events: 'events.no-clear.json',
      'get-tpm': 'get-tpm.not-ready.json',
    });
    let r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'failed', at: 'reboot-complete' });
    // The February event 33 is an earlier clear, not this run's.
    expect(r.message).toMatch(/no TPM event 33/);
    const last = journal.records().at(-1);
    expect(last).toMatchObject({ kind: 'step-failed', step: 'reboot-complete', data: { waiting: false } });
    windows.use('events', 'events.cleared.json');
    r = await advanceRunbook(journal, steps, ctx);
    expect(r.at).toBe('tpm-ready');
    journal.close();
  });

  it('fails the step when its action fails, with the error', async () => {
    const { windows, journal, ctx, steps } = setup({ ...RECOVERED, bitlocker: 'bitlocker.suspended.json' });
    windows.fail('resume-bitlocker', 'The TPM protector could not be resealed. (0x80284001)');
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'failed', at: 'bitlocker-protected' });
    expect(r.message).toMatch(/The action failed: resume-bitlocker failed: The TPM protector/);
    expect(journal.records().some((x) => x.kind === 'note' && x.data?.act === 'failed')).toBe(true);
    journal.close();
  });

  it('fails the PIN check when dsregcmd ran outside the user session', async () => {
    const { journal, ctx, steps } = setup({ ...RECOVERED, dsregcmd: 'dsregcmd.system-context.txt' });
    alreadyDone(journal, STEP_IDS.slice(0, 7));
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'failed', at: 'hello-pin' });
    expect(r.instruction).toMatch(/as the signed-in user/);
    journal.close();
  });

  it('gives up on the sync after a day', async () => {
    const { clock, journal, ctx, steps } = setup(RECOVERED);
    alreadyDone(journal, STEP_IDS.slice(0, 5));
    journal.append('step-started', 'mdm-synced', { attempt: 1, startedAt: '2024-06-03T09:20:00.000Z' });
    journal.append('step-failed', 'mdm-synced', { waiting: true, message: 'waiting', evidence: {} });
    clock.set('2024-06-04T09:30:00Z');
    const r = await advanceRunbook(journal, steps, ctx);
    expect(r).toMatchObject({ status: 'failed', at: 'mdm-synced' });
    expect(r.message).toMatch(/No successful Intune sync in 1 d 10 min/);
    journal.close();
  });
});

describe('advanceRunbook: polling and Graph', () => {
  it('waits for the sync within one advance, reporting progress, in one attempt', async () => {
    const { windows, clock, journal, ctx, steps } = setup({ ...RECOVERED, dsregcmd: 'dsregcmd.hello.txt' });
    alreadyDone(journal, STEP_IDS.slice(0, 5));
    clock.set('2024-06-03T10:00:00Z');
    const progress: RunbookProgress[] = [];
    let sleeps = 0;
    const r = await advanceRunbook(
      journal,
      steps,
      { ...ctx, facts: { ...ctx.facts } },
      {
        onProgress: (p) => progress.push(p),
        poll: {
          intervalMs: 10 * 60_000,
          forMs: 2 * 60 * 60_000,
          sleep: async (ms) => {
            clock.advance(ms);
            if (++sleeps === 3) windows.use('mdm-sync', 'mdm-sync.synced.json');
          },
        },
      },
    );
    expect(sleeps).toBe(3);
    expect(r.status).toBe('complete');
    const sync = progress.filter(
      (p) => p.step === 'mdm-synced' && (p.phase === 'waiting' || p.phase === 'done'),
    );
    expect(sync.map((p) => p.phase)).toEqual(['waiting', 'waiting', 'waiting', 'waiting', 'done']);
    expect(sync.at(-1)?.waitedMs).toBe(30 * 60_000);
    expect(
      journal.records().filter((x) => x.step === 'mdm-synced' && x.kind === 'step-started'),
    ).toHaveLength(1);
    journal.close();
  });

  it('uses Graph for the escrow, the sync and compliance when fleet credentials exist', async () => {
    let compliance = 'noncompliant';
    let lastSync = '2024-06-02T22:15:12Z';
    const graphCalls: string[] = [];
    const graph: IntuneGraph = {
      syncDevice: async (id) => {
        graphCalls.push(`syncDevice ${id}`);
        lastSync = '2024-06-03T10:05:00Z';
      },
      lastSyncDateTime: async () => lastSync,
      complianceState: async () => compliance,
      escrowedRecoveryKeyIds: async (deviceId) => {
        graphCalls.push(`keys ${deviceId}`);
        return [`{${RECOVERY_PASSWORD_ID.toUpperCase()}}`];
      },
    };
    const { windows, clock, journal, ctx, steps } = setup(RECOVERED, { graph });
    const run = { ...ctx, facts: { ...ctx.facts, managedDeviceId: 'md-0042' } };
    alreadyDone(journal, STEP_IDS.slice(0, 4));
    clock.set('2024-06-03T10:00:00Z');
    let r = await advanceRunbook(journal, steps, run);
    expect(r).toMatchObject({ status: 'waiting', at: 'compliant' });
    expect(r.message).toMatch(/noncompliant/);
    expect(windows.count('backup-to-aad')).toBe(0);
    expect(graphCalls).toEqual(['keys 5b1c7e0a-2f7d-4c1e-9a61-3e0f7d2b8c44', 'syncDevice md-0042']);
    expect(windows.count('trigger-mdm-sync')).toBe(1);
    const synced = journal.records().find((x) => x.kind === 'step-succeeded' && x.step === 'mdm-synced');
    expect(dataOf(synced)?.evidence).toMatchObject({ graphLastSyncDateTime: '2024-06-03T10:05:00Z' });
    compliance = 'compliant';
    windows.use('dsregcmd', 'dsregcmd.hello.txt');
    r = await advanceRunbook(journal, steps, run);
    expect(r.status).toBe('complete');
    journal.close();
  });
});

describe('runbook actions', () => {
  it('put only checked GUIDs and mount points into PowerShell, and keep no BitLocker object', () => {
    expect(() => backupToAadAction('C:', "x'; Remove-Item C:\\ -Recurse; '")).toThrow(
      /expected a key protector ID as a GUID/,
    );
    expect(() => resumeBitLockerAction("C:'; calc; '")).toThrow(/expected a mount point like C:/);
    expect(() => triggerMdmSyncAction('not-a-guid')).toThrow(/expected an enrollment ID as a GUID/);
    const sync = actionScript(triggerMdmSyncAction('{b7e0d1a2-3c4f-4a5b-9c6d-7e8f9a0b1c2d}'));
    expect(sync.split('\n')[0]).toBe('# tpm-doctor runbook action: trigger-mdm-sync');
    expect(sync).toContain("$path = '\\Microsoft\\Windows\\EnterpriseMgmt\\' + $guid + '\\'");
    // Both cmdlets return the volume with its recovery passwords: the scripts drop it.
    expect(backupToAadAction('c:', RECOVERY_PASSWORD_ID).command).toMatch(/\| Out-Null\n'sent'$/);
    expect(resumeBitLockerAction('C:').command).toMatch(/^Resume-BitLocker -MountPoint 'C:' \| Out-Null\n/);
  });
});
