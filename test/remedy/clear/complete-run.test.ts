/**
 * keepOpen on the TPM route (platform clear on a real provisioned swtpm): the proven run stays open,
 * the post-clear runbook runs in the same journal (recorded Windows outputs through the runner the
 * live path uses: test/remedy/runbook/support.ts), and the run is finished afterwards, with the
 * runbook's steps between proof and run-finished and the receipt chained to run-finished.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClearReceipt } from '../../../src/remedy/clear/clear-receipt.js';
import {
  ClearRunError,
  type ClearRunResult,
  finishClearRun,
  resumeClearRun,
  startClearRun,
} from '../../../src/remedy/clear/clear-run.js';
import { continueAfterClear } from '../../../src/remedy/clear/complete-run.js';
import { RunJournal, readJournal } from '../../../src/remedy/journal.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { recordingRunner } from '../platform/recording-runner.js';
import { fakeClock, JUST_CLEARED, recordedWindows } from '../runbook/support.js';
import { buildOwnerState } from './owner-state.js';
import { passedGate, swtpmClient } from './support.js';

const swtpm = useSwtpm({ provision: true });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-complete-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNBOOK = [
  'reboot-complete',
  'tpm-ready',
  'bitlocker-protected',
  'entra-healthy',
  'recovery-key-escrowed',
  'mdm-synced',
  'compliant',
  'hello-pin',
];

async function clearKeptOpen(runId: string): Promise<ClearRunResult> {
  await buildOwnerState(swtpm.get());
  const tpm = swtpmClient(swtpm.get().port);
  try {
    return await startClearRun({
      tpm,
      journalDir: dir,
      runId,
      gate: passedGate(),
      method: 'platform',
      purpose: 'repair',
      keepOpen: true,
    });
  } finally {
    await tpm.close();
  }
}

function steps(file: string): string[] {
  const read = readJournal(file);
  expect(read.error).toBeUndefined();
  return read.records.map((r) => `${r.kind}${r.step === undefined ? '' : ` ${r.step}`}`);
}

describe('keepOpen on the TPM route', () => {
  it("stops at 'cleared' (no run-finished, no receipt); a resume keeps it open; finishClearRun ends it", async () => {
    const r = await clearKeptOpen('kept-open');
    expect(r.status).toBe('cleared');
    expect(r.proof?.proven).toBe(true);
    expect(r.receipt).toBeNull();
    expect(r.receiptPath).toBeNull();
    expect(existsSync(path.join(dir, 'kept-open.receipt.json'))).toBe(false);
    expect(steps(r.journalPath).at(-1)).toBe('step-succeeded proof');

    // The resume of a kept-open run (meta.keepOpen) sends nothing and keeps it open.
    const tpm = swtpmClient(swtpm.get().port);
    const again = await resumeClearRun({ tpm, journalPath: r.journalPath }).finally(() => tpm.close());
    expect(again.status).toBe('cleared');
    expect(steps(r.journalPath).at(-1)).toBe('step-succeeded proof');

    const done = finishClearRun(r.journalPath, { runbook: 'none (lab)' });
    expect(done.status).toBe('finished');
    const records = readJournal(r.journalPath).records;
    expect(records.at(-1)?.kind).toBe('run-finished');
    expect(records.at(-1)?.data).toMatchObject({ proven: true, runbook: 'none (lab)' });
    const receipt = JSON.parse(readFileSync(done.receiptPath ?? '', 'utf8')) as ClearReceipt;
    expect(receipt.journalHash).toBe(records.at(-1)?.hash);
    expect(receipt.journalSeq).toBe(records.length);
    // Finishing twice writes nothing more.
    expect(finishClearRun(r.journalPath)).toEqual(done);
    expect(readJournal(r.journalPath).records).toHaveLength(records.length);
  });

  it('refuses to finish a run whose proof has not succeeded', () => {
    const journal = RunJournal.create(dir, 'not-cleared', {
      kind: 'tpm-doctor clear',
      method: 'platform',
      purpose: 'repair',
      approvedBy: null,
      ticket: null,
      gate: JSON.parse(JSON.stringify(passedGate())),
    });
    try {
      expect(() => finishClearRun(journal)).toThrow(ClearRunError);
      expect(() => finishClearRun(journal)).toThrow(/proof has not succeeded/);
      expect(journal.records()).toHaveLength(1);
    } finally {
      journal.close();
    }
  });

  it('carries the Windows runbook in the same journal, then removes the task and finishes', async () => {
    const r = await clearKeptOpen('with-runbook');
    expect(r.status).toBe('cleared');
    const windows = recordedWindows(JUST_CLEARED);
    windows.onAction('resume-bitlocker', () => windows.use('bitlocker', 'bitlocker.resumed.json'));
    const clock = fakeClock('2024-06-03T09:01:00Z');
    const rec = recordingRunner();
    const unitDir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-complete-units-'));
    const go = (confirmed: string[] = []) =>
      continueAfterClear({
        journal: r.journalPath,
        windows: {
          runner: windows,
          now: clock.now,
          // The recorded outputs are from 2024: the clear time they are read against.
          facts: { clearRequestedAt: '2024-06-03T09:00:00.000Z', pinRules: 'at least 8 characters' },
          confirmed,
        },
        removeTask: { platform: 'win32', deps: { run: rec.run, unitDir } },
      });

    // A clear sent from the OS is proven by the run: no firmware step; Windows has not
    // re-provisioned the TPM yet, so the run waits at tpm-ready, still open.
    let c = await go();
    expect(c).toMatchObject({ status: 'waiting', at: 'tpm-ready' });
    expect(c.run.status).toBe('cleared');
    expect(steps(r.journalPath)).toContain('step-succeeded reboot-complete');
    expect(readJournal(r.journalPath).records.at(-1)?.kind).toBe('step-failed');

    // The device recovered: restarted, provisioned, signed in, synced, PIN set up again.
    windows.use('events', 'events.cleared.json');
    windows.use('get-tpm', 'get-tpm.ready.json');
    windows.use('dsregcmd', 'dsregcmd.signed-in.txt');
    clock.set('2024-06-03T09:20:00Z');
    c = await go();
    expect(c).toMatchObject({ status: 'waiting', at: 'recovery-key-escrowed' });
    clock.set('2024-06-03T09:25:00Z');
    c = await go(['recovery-key-escrowed']);
    expect(c).toMatchObject({ status: 'waiting', at: 'mdm-synced' });
    windows.use('mdm-sync', 'mdm-sync.synced.json');
    windows.use('dsregcmd', 'dsregcmd.hello.txt');
    clock.set('2024-06-03T10:30:00Z');
    c = await go();
    expect(c.status).toBe('complete');
    expect(c.runbook?.status).toBe('complete');
    expect(c.run.status).toBe('finished');
    // The Windows task removal (schtasks) went through the recorded runner.
    expect(rec.calls.length).toBeGreaterThan(0);
    expect(rec.calls.every((x) => x.file.toLowerCase().includes('schtasks'))).toBe(true);

    const all = steps(r.journalPath);
    const proofAt = all.indexOf('step-succeeded proof');
    const between = all.slice(proofAt + 1, -1);
    expect(all.at(-1)).toBe('run-finished');
    const succeeded = between.filter((s) => s.startsWith('step-succeeded ')).map((s) => s.slice(15));
    expect(succeeded).toEqual([...RUNBOOK, 'resume-task-removed']);
    const records = readJournal(r.journalPath).records;
    expect(records.at(-1)?.data).toMatchObject({ proven: true, runbook: 'complete' });
    const receipt = JSON.parse(readFileSync(c.run.receiptPath ?? '', 'utf8')) as ClearReceipt;
    expect(receipt.journalHash).toBe(records.at(-1)?.hash);
    expect(receipt.proof.proven).toBe(true);

    // Continuing a finished run changes nothing.
    const again = await go();
    expect(again.status).toBe('complete');
    expect(readJournal(r.journalPath).records).toHaveLength(records.length);
    rmSync(unitDir, { recursive: true, force: true });
  });
});
