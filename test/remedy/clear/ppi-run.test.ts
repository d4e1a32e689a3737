/**
 * The physical-presence route as a run (src/remedy/clear/ppi-run.ts) on a real provisioned swtpm,
 * on Linux with a fake sysfs directory, the start-up task written to a temp unit dir with systemctl
 * recorded (no real systemd), and the firmware's part simulated with tpm2-tools and a CMD_INIT
 * power cycle (ppi-support.ts). A SIGKILL inside ppi-requested shows the request is written once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClearReceipt } from '../../../src/remedy/clear/clear-receipt.js';
import { ClearRunError, type ClearRunResult, resumeClearRun } from '../../../src/remedy/clear/clear-run.js';
import { continueAfterClear } from '../../../src/remedy/clear/complete-run.js';
import { type StartPpiRunOptions, startPpiRun } from '../../../src/remedy/clear/ppi-run.js';
import { journalPath, readJournal, runState } from '../../../src/remedy/journal.js';
import { listRuns } from '../../../src/remedy/run-catalog.js';
import type { Tpm } from '../../../src/tpm/tpm.js';
import { type ClearFingerprint, takeClearFingerprint } from '../../../src/verify/clear-fingerprint.js';
import { proveNoClear } from '../../../src/verify/clear-proof.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { type FakeSysfs, fakeSysfs } from '../platform/fake-sysfs.js';
import { recordingRunner } from '../platform/recording-runner.js';
import { buildOwnerState, nvIndices, OWNER_NV, OWNER_OBJECT, persistentHandles } from './owner-state.js';
import { countingSysfs, firmwareRestart, TASK } from './ppi-support.js';
import { ownerPrimaryUnreachable, passedGate, srkName, swtpmClient } from './support.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const swtpm = useSwtpm({ provision: true });
let dir: string;
let child: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-ppi-run-'));
  child = path.join(dir, 'ppi-crash-child.mjs');
  await build({
    input: path.join(HERE, 'ppi-crash-child.ts'),
    platform: 'node',
    logLevel: 'silent',
    output: { file: child, format: 'esm' },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sys: FakeSysfs;
let unitDir: string;
let writes: string[];
let rec: ReturnType<typeof recordingRunner>;
beforeEach(() => {
  sys = fakeSysfs();
  unitDir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-ppi-units-'));
  writes = [];
  rec = recordingRunner();
});
afterEach(() => {
  sys.cleanup();
  rmSync(unitDir, { recursive: true, force: true });
});

function ppiTarget() {
  return {
    platform: 'linux' as const,
    sysfsRoot: sys.root,
    files: countingSysfs((text) => writes.push(text)),
  };
}

async function withClient<T>(fn: (tpm: Tpm) => Promise<T>): Promise<T> {
  const tpm = swtpmClient(swtpm.get().port);
  try {
    return await fn(tpm);
  } finally {
    await tpm.close();
  }
}

function start(runId: string, extra: Partial<StartPpiRunOptions> = {}): Promise<ClearRunResult> {
  return withClient((tpm) =>
    startPpiRun({
      tpm,
      journalDir: dir,
      runId,
      gate: passedGate(),
      purpose: 'decommission',
      approvedBy: 'Ada',
      ticket: 'CHG-7',
      ppi: ppiTarget(),
      task: TASK,
      taskDeps: { run: rec.run, unitDir },
      ...extra,
    }),
  );
}

/** What `tpm-doctor resume` calls: the one entry point, dispatching on the journal's method. */
function resume(runId: string): Promise<ClearRunResult> {
  return withClient((tpm) => resumeWith(tpm, runId));
}

function resumeWith(tpm: Tpm, runId: string): Promise<ClearRunResult> {
  return resumeClearRun({
    tpm,
    journalPath: journalPath(dir, runId),
    ppi: ppiTarget(),
    taskDeps: { run: rec.run, unitDir },
  });
}

/** Resumes with a client whose SRK TPM2_CreatePrimary fails in the transport; returns what it threw. */
async function resumeUnreachable(runId: string): Promise<ClearRunError> {
  const tpm = ownerPrimaryUnreachable(swtpm.get().port);
  try {
    await resumeWith(tpm, runId);
  } catch (e) {
    expect(e).toBeInstanceOf(ClearRunError);
    return e as ClearRunError;
  } finally {
    await tpm.close();
  }
  throw new Error('the resume did not throw');
}

/** An in-process crash at `point`: the hook throws, leaving the journal as a kill would. */
function crashAt(point: string) {
  return {
    onPoint: (p: string) => {
      if (p === point) throw new Error(`crash at ${p}`);
    },
  };
}

function steps(file: string): string[] {
  const read = readJournal(file);
  expect(read.error).toBeUndefined();
  return read.records.map((r) => `${r.kind}${r.step === undefined ? '' : ` ${r.step}`}`);
}

const UNTIL_RESTART = [
  'run-started',
  ...['gate-recorded', 'fingerprint-before', 'ppi-requested', 'resume-task-installed'].flatMap((s) => [
    `step-started ${s}`,
    `step-succeeded ${s}`,
  ]),
];
const unit = (runId: string) => `tpm-doctor-resume-${runId}.service`;
const requestFile = () => readFileSync(path.join(sys.ppiDir, 'request'), 'utf8');

async function fingerprint(): Promise<ClearFingerprint> {
  return withClient((tpm) => takeClearFingerprint(tpm));
}

describe('the PPI route on Linux (fake sysfs, recorded systemctl, swtpm)', () => {
  it('requests, waits for the restart, then proves the clear, removes the task and finishes', async () => {
    await buildOwnerState(swtpm.get());
    const srk0 = await srkName(swtpm.get().port);

    const first = await start('ppi-ok');
    expect(first.status).toBe('waiting');
    expect(first.instruction).toMatch(/Restart the machine/);
    expect(first.instruction).toMatch(/accept the firmware prompt/);
    // The firmware's transition, for the fleet clear script to restart or shut down by.
    expect(first.transition).toEqual({ code: 2, action: 'reboot' });
    expect(first.receipt).toBeNull();
    expect(requestFile()).toBe('14\n');
    expect(writes).toEqual(['14\n']);
    expect(steps(first.journalPath)).toEqual(UNTIL_RESTART);
    const requested = readJournal(first.journalPath).records.find(
      (r) => r.kind === 'step-succeeded' && r.step === 'ppi-requested',
    );
    expect(requested?.data).toMatchObject({ operation: 14, pending: 14, transition: { action: 'reboot' } });
    expect((requested?.data as Record<string, unknown> | undefined)?.instruction).toMatch(
      /Restart the machine/,
    );
    // The start-up task: the unit file, daemon-reload, enable; it resumes this journal.
    expect(readdirSync(unitDir)).toEqual([unit('ppi-ok')]);
    expect(readFileSync(path.join(unitDir, unit('ppi-ok')), 'utf8')).toContain(
      `"resume" "--run" "ppi-ok" "--journal" "${path.resolve(first.journalPath)}"`,
    );
    expect(rec.calls.map((c) => c.args.join(' '))).toEqual(['daemon-reload', `enable ${unit('ppi-ok')}`]);
    expect(await srkName(swtpm.get().port)).toBe(srk0);

    // A resume before the restart (the task at a boot that never reached the firmware prompt): waiting, nothing written.
    const early = await resume('ppi-ok');
    expect(early.status).toBe('waiting');
    expect(writes).toHaveLength(1);
    expect(steps(first.journalPath).slice(-2)).toEqual([
      'step-started ppi-confirmed',
      'step-failed ppi-confirmed',
    ]);

    await firmwareRestart(swtpm.get(), sys.ppiDir, 'accept');
    const done = await resume('ppi-ok');
    expect(done.status).toBe('finished');
    expect(done.failure).toBeNull();
    expect(done.proof?.proven).toBe(true);
    expect(writes).toHaveLength(1);
    const srk1 = await srkName(swtpm.get().port);
    expect(srk1).not.toBe(srk0);
    expect(await persistentHandles(swtpm.get())).not.toContain(OWNER_OBJECT);
    expect(await nvIndices(swtpm.get())).not.toContain(OWNER_NV);

    const all = steps(done.journalPath);
    expect(all.slice(UNTIL_RESTART.length + 2)).toEqual([
      'step-started ppi-confirmed',
      'step-succeeded ppi-confirmed',
      'step-started fingerprint-after',
      'step-succeeded fingerprint-after',
      'step-started proof',
      'step-succeeded proof',
      'step-started resume-task-removed',
      'step-succeeded resume-task-removed',
      'run-finished',
    ]);
    const records = readJournal(done.journalPath).records;
    const confirmed = records.find((r) => r.kind === 'step-succeeded' && r.step === 'ppi-confirmed');
    expect(confirmed?.data).toMatchObject({
      response: { operation: 14, result: 0, outcome: 'success' },
      srkBefore: srk0,
      srkNow: srk1,
    });
    // The task is gone: disable, then daemon-reload after the file was removed.
    expect(rec.calls.slice(2).map((c) => c.args.join(' '))).toEqual([
      `disable ${unit('ppi-ok')}`,
      'daemon-reload',
    ]);
    expect(readdirSync(unitDir)).toEqual([]);
    // The receipt, chained to run-finished.
    const receipt = JSON.parse(readFileSync(done.receiptPath ?? '', 'utf8')) as ClearReceipt;
    expect(receipt).toMatchObject({ runId: 'ppi-ok', method: 'ppi', approvedBy: 'Ada', ticket: 'CHG-7' });
    expect(receipt.journalHash).toBe(records.at(-1)?.hash);
    expect(receipt.before.srkName).toBe(srk0);
    expect(receipt.after.srkName).toBe(srk1);
    expect(receipt.after.ek).toBe(receipt.before.ek);

    // Resuming the finished run writes nothing anywhere.
    const again = await resume('ppi-ok');
    expect(again).toEqual(done);
    expect(writes).toHaveLength(1);
    expect(readJournal(done.journalPath).records).toHaveLength(records.length);
  });

  it('fails with the firmware message when the person declined, TPM untouched, task removed', async () => {
    await buildOwnerState(swtpm.get());
    const before = await fingerprint();
    expect((await start('ppi-abort')).status).toBe('waiting');
    await firmwareRestart(swtpm.get(), sys.ppiDir, 'decline');
    const r = await resume('ppi-abort');
    // The firmware's User Abort: the run was rejected at the prompt, the same word `runs` prints.
    expect(r.status).toBe('rejected');
    expect(listRuns(dir).find((x) => x.runId === 'ppi-abort')?.status).toBe('rejected');
    expect(r.failure).toMatchObject({ step: 'ppi-confirmed', reason: 'ppi-user-aborted' });
    expect(r.failure?.message).toMatch(/declined .*the TPM was not cleared/);
    expect(r.receipt).toBeNull();
    expect(steps(r.journalPath).slice(-4)).toEqual([
      'step-started ppi-confirmed',
      'step-failed ppi-confirmed',
      'note resume-task-removed',
      'run-abandoned',
    ]);
    expect(readdirSync(unitDir)).toEqual([]);
    expect(rec.calls.map((c) => c.args[0])).toContain('disable');
    const after = await fingerprint();
    const proof = proveNoClear(before, after);
    expect(proof.checks.filter((c) => !c.passed)).toEqual([]);
    expect(writes).toEqual(['14\n']);
  });

  it("fails 'not-proven' when the firmware says success but the SRK Name did not change", async () => {
    await buildOwnerState(swtpm.get());
    const srk0 = await srkName(swtpm.get().port);
    expect((await start('ppi-liar')).status).toBe('waiting');
    await firmwareRestart(swtpm.get(), sys.ppiDir, 'success-without-clear');
    const r = await resume('ppi-liar');
    expect(r.status).toBe('failed');
    expect(r.failure).toMatchObject({ step: 'ppi-confirmed', reason: 'not-proven' });
    expect(r.failure?.message).toMatch(
      /SRK Name is the one from before the request: the TPM was not cleared/,
    );
    expect(await srkName(swtpm.get().port)).toBe(srk0);
  });

  it('keepOpen: the proven PPI run stays open; continueAfterClear (Linux: no runbook) removes the task and finishes', async () => {
    await buildOwnerState(swtpm.get());
    expect((await start('ppi-open', { keepOpen: true })).status).toBe('waiting');
    await firmwareRestart(swtpm.get(), sys.ppiDir, 'accept');
    const r = await resume('ppi-open');
    expect(r.status).toBe('cleared');
    expect(r.proof?.proven).toBe(true);
    expect(r.receipt).toBeNull();
    expect(existsSync(path.join(dir, 'ppi-open.receipt.json'))).toBe(false);
    expect(readdirSync(unitDir)).toEqual([unit('ppi-open')]);
    const c = await continueAfterClear({
      journal: r.journalPath,
      removeTask: { deps: { run: rec.run, unitDir } },
    });
    expect(c.status).toBe('complete');
    expect(c.run.status).toBe('finished');
    expect(readdirSync(unitDir)).toEqual([]);
    expect(steps(r.journalPath).slice(-3)).toEqual([
      'step-started resume-task-removed',
      'step-succeeded resume-task-removed',
      'run-finished',
    ]);
    expect(c.run.receipt?.journalHash).toBe(readJournal(r.journalPath).records.at(-1)?.hash);
  });
});

function runChild(runId: string, point: string): Promise<{ writes: number }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [child, String(swtpm.get().port), dir, runId, point, sys.root, unitDir],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      if (signal !== 'SIGKILL')
        reject(new Error(`not killed at ${point} (code ${code}):\n${stdout}\n${stderr}`));
      else resolve({ writes: stdout.split('\n').filter((l) => l === 'ppi-write').length });
    });
  });
}

describe('SIGKILL inside ppi-requested, then resume: the request is written once', () => {
  it('dies after the write, before it is recorded: the resume reads the pending 14 back and writes nothing', async () => {
    await buildOwnerState(swtpm.get());
    const died = await runChild('ppi-crash-done', 'ppi-requested:done');
    expect(died.writes).toBe(1);
    expect(requestFile()).toBe('14\n');
    const file = journalPath(dir, 'ppi-crash-done');
    expect(steps(file).at(-1)).toBe('step-started ppi-requested');

    const r = await resume('ppi-crash-done');
    expect(r.status).toBe('waiting');
    expect(writes).toEqual([]);
    const ppiRecords = readJournal(file).records.filter((x) => x.step === 'ppi-requested');
    expect(ppiRecords.map((x) => x.kind)).toEqual(['step-started', 'step-succeeded']);
    expect(ppiRecords[1]?.data).toMatchObject({
      note: 'confirmed by the pending request after a crash',
      pending: 14,
    });
    // Then the task, and (still before the restart) ppi-confirmed finds the request pending.
    expect(steps(file).slice(-4)).toEqual([
      'step-started resume-task-installed',
      'step-succeeded resume-task-installed',
      'step-started ppi-confirmed',
      'step-failed ppi-confirmed',
    ]);

    await firmwareRestart(swtpm.get(), sys.ppiDir, 'accept');
    const done = await resume('ppi-crash-done');
    expect(done.status).toBe('finished');
    expect(done.proof?.proven).toBe(true);
    expect(writes).toEqual([]);
  });

  it('dies before the write: nothing pending, the TPM not cleared, so the resume writes it (once in all)', async () => {
    await buildOwnerState(swtpm.get());
    const died = await runChild('ppi-crash-started', 'ppi-requested:started');
    expect(died.writes).toBe(0);
    expect(requestFile()).toBe('0\n');
    const r = await resume('ppi-crash-started');
    expect(r.status).toBe('waiting');
    expect(writes).toEqual(['14\n']);
    const kinds = readJournal(journalPath(dir, 'ppi-crash-started'))
      .records.filter((x) => x.step === 'ppi-requested')
      .map((x) =>
        `${x.kind} ${String((x.data as Record<string, unknown> | undefined)?.reason ?? '')}`.trim(),
      );
    expect(kinds).toEqual([
      'step-started',
      'step-failed not sent before the crash',
      'step-started',
      'step-succeeded',
    ]);
  });
});

describe('after a crash inside ppi-requested, the firmware and the TPM are read before anything is written', () => {
  it('the request went in and the person declined it: the run ends with the firmware message, no second request', async () => {
    await buildOwnerState(swtpm.get());
    const srk0 = await srkName(swtpm.get().port);
    await expect(start('ppi-declined-crash', crashAt('ppi-requested:done'))).rejects.toThrow(
      'crash at ppi-requested:done',
    );
    expect(writes).toEqual(['14\n']);
    const file = journalPath(dir, 'ppi-declined-crash');
    expect(steps(file).at(-1)).toBe('step-started ppi-requested');
    // The machine restarts (the crash was a power cut, say); the firmware prompts; the person says no.
    await firmwareRestart(swtpm.get(), sys.ppiDir, 'decline');
    expect(requestFile()).toBe('0\n');

    const r = await resume('ppi-declined-crash');
    expect(r.status).toBe('rejected');
    expect(listRuns(dir).find((x) => x.runId === 'ppi-declined-crash')?.status).toBe('rejected');
    expect(r.failure).toMatchObject({ step: 'ppi-requested', reason: 'ppi-user-aborted' });
    expect(r.failure?.message).toMatch(/declined .*the TPM was not cleared/);
    expect(r.failure?.message).toMatch(/This run does not request it again/);
    // Never requested again: one write in all, nothing pending.
    expect(writes).toEqual(['14\n']);
    expect(requestFile()).toBe('0\n');
    const ppiRecords = readJournal(file).records.filter((x) => x.step === 'ppi-requested');
    expect(ppiRecords.map((x) => x.kind)).toEqual(['step-started', 'step-failed']);
    expect(ppiRecords[1]?.data).toMatchObject({
      final: true,
      reason: 'ppi-user-aborted',
      response: { operation: 14, outcome: 'user-aborted' },
    });
    expect(steps(file).at(-1)).toBe('run-abandoned');
    expect(await srkName(swtpm.get().port)).toBe(srk0);
  });

  it('a transport error reading the SRK while settling the request: resumable, nothing written', async () => {
    await buildOwnerState(swtpm.get());
    await expect(start('ppi-settle-unreachable', crashAt('ppi-requested:started'))).rejects.toThrow(
      'crash at ppi-requested:started',
    );
    expect(writes).toEqual([]);
    const file = journalPath(dir, 'ppi-settle-unreachable');
    const length = readJournal(file).records.length;

    const e = await resumeUnreachable('ppi-settle-unreachable');
    expect(e.code).toBe('tpm-unreachable');
    expect(e.message).toMatch(/The SRK could not be read: the TPM did not answer \(.*ECONNRESET/);
    expect(writes).toEqual([]);
    expect(requestFile()).toBe('0\n');
    // Still in flight, nothing recorded: the next resume settles it.
    expect(readJournal(file).records).toHaveLength(length);
    expect(runState(readJournal(file).records).inFlight).toBe('ppi-requested');

    const r = await resume('ppi-settle-unreachable');
    expect(r.status).toBe('waiting');
    expect(writes).toEqual(['14\n']);
  });
});

describe("ppi-confirmed: only a readable, unchanged SRK Name is 'not-proven'", () => {
  it('a transport error reading the SRK after the firmware cleared: resumable, then proven', async () => {
    await buildOwnerState(swtpm.get());
    const srk0 = await srkName(swtpm.get().port);
    expect((await start('ppi-confirm-unreachable')).status).toBe('waiting');
    await firmwareRestart(swtpm.get(), sys.ppiDir, 'accept');
    const file = journalPath(dir, 'ppi-confirm-unreachable');

    const e = await resumeUnreachable('ppi-confirm-unreachable');
    expect(e.code).toBe('tpm-unreachable');
    const records = readJournal(file).records;
    expect(runState(records).status).toBe('running');
    const failed = records.at(-1);
    expect(failed).toMatchObject({ kind: 'step-failed', step: 'ppi-confirmed' });
    expect(failed?.data).toMatchObject({ final: false, reason: 'tpm-unreachable' });
    expect(readdirSync(unitDir)).toEqual([unit('ppi-confirm-unreachable')]);

    const done = await resume('ppi-confirm-unreachable');
    expect(done.status).toBe('finished');
    expect(done.proof?.proven).toBe(true);
    expect(await srkName(swtpm.get().port)).not.toBe(srk0);
    expect(writes).toEqual(['14\n']);
  });
});
