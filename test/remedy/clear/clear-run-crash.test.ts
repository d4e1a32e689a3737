/**
 * "A clear is sent at most once per run, whatever fails when" (docs/clear.md: a second TPM2_Clear
 * would wipe what the person set up after the first), on a real provisioned
 * swtpm: a child process runs a clear and SIGKILLs itself at every step boundary (after each
 * step-started, and after each step's work before its step-succeeded; 'clear:done' is between "clear
 * sent" and "clear recorded"), and once inside the clear (its bytes on the wire, no answer yet).
 * The test then resumes the run in-process and shows that the TPM saw exactly one clear:
 * - on the wire: the TPM2_Clear commands the child and the resume sent (each counted as it goes out);
 * - on the TPM: the SRK Name, read by the test before the run (S0), right after the child died (Smid)
 *   and at the end (Send). A clear changes it every time (Part 3 §24.6 replaces the SPS), so one
 *   clear is S0 → S1 = Send; a second one would make Send differ from the Smid the test saw after a
 *   clear already happened in the child.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClearReceipt } from '../../../src/remedy/clear/clear-receipt.js';
import { resumeClearRun } from '../../../src/remedy/clear/clear-run.js';
import { type JournalRecord, journalPath, readJournal } from '../../../src/remedy/journal.js';
import { lockPath } from '../../../src/remedy/run-lock.js';
import { Clear } from '../../../src/tpm/commands/hierarchy.js';
import { TPM_RH } from '../../../src/tpm/constants/handles.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { buildOwnerState, nvIndices, OWNER_NV, OWNER_OBJECT, persistentHandles } from './owner-state.js';
import { srkName, swtpmClient } from './support.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const swtpm = useSwtpm({ provision: true });
let dir: string;
let child: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-clear-crash-'));
  // Node 20 runs no TypeScript: bundle the child and what it imports into one .mjs.
  child = path.join(dir, 'crash-child.mjs');
  await build({
    input: path.join(HERE, 'crash-child.ts'),
    platform: 'node',
    logLevel: 'silent',
    output: { file: child, format: 'esm' },
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function dataOf(record: JournalRecord | undefined): Record<string, unknown> {
  return (record?.data as Record<string, unknown> | undefined) ?? {};
}

interface ChildRun {
  signal: NodeJS.Signals | null;
  clearsSent: number;
}

function runChild(runId: string, point: string): Promise<ChildRun> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // vitest's loader hooks must not leak into the child
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, String(swtpm.get().port), dir, runId, point], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      if (signal !== 'SIGKILL') {
        reject(new Error(`the child was not killed at ${point} (code ${code}):\n${stdout}\n${stderr}`));
        return;
      }
      resolve({ signal, clearsSent: stdout.split('\n').filter((l) => l === 'clear-sent').length });
    });
  });
}

/** Where the child dies, and whether the TPM has been cleared by then. */
const POINTS: [point: string, clearedBeforeDeath: boolean | 'either'][] = [
  ['gate-recorded:started', false],
  ['gate-recorded:done', false],
  ['fingerprint-before:started', false],
  ['fingerprint-before:done', false],
  ['clear:started', false],
  ['clear:in-transit', 'either'],
  ['clear:done', true],
  ['fingerprint-after:started', true],
  ['fingerprint-after:done', true],
  ['proof:started', true],
  ['proof:done', true],
  ['run-finished', true],
];

describe('SIGKILL at every step boundary, then resume: exactly one clear', () => {
  POINTS.forEach(([point, clearedBeforeDeath], i) => {
    it(`dies at ${point}`, async () => {
      await buildOwnerState(swtpm.get());
      const srk0 = await srkName(swtpm.get().port);
      const runId = `crash-${i}`;
      const file = journalPath(dir, runId);

      const died = await runChild(runId, point);
      expect(died.signal).toBe('SIGKILL');
      // The killed child never let its lock go; the resume takes the stale lock over.
      expect(JSON.parse(readFileSync(lockPath(file), 'utf8'))).toMatchObject({ pid: expect.any(Number) });
      const srkMid = await srkName(swtpm.get().port);
      const clearedInChild = srkMid !== srk0;
      if (clearedBeforeDeath !== 'either') expect(clearedInChild).toBe(clearedBeforeDeath);
      // The child sent a clear only if it got that far, and never two.
      expect(died.clearsSent).toBeLessThanOrEqual(1);
      if (clearedInChild) expect(died.clearsSent).toBe(1);

      let resumeClears = 0;
      const tpm = swtpmClient(swtpm.get().port, () => {
        resumeClears += 1;
      });
      const result = await resumeClearRun({ tpm, journalPath: file }).finally(() => tpm.close());
      expect(result.status).toBe('finished');
      expect(result.proof?.proven).toBe(true);

      const srkEnd = await srkName(swtpm.get().port);
      // Exactly one clear on the TPM: S0 → S1 once, never again.
      expect(srkEnd).not.toBe(srk0);
      if (clearedInChild) {
        expect(srkEnd).toBe(srkMid);
        expect(resumeClears).toBe(0);
      } else {
        expect(resumeClears).toBe(1);
      }
      if (point !== 'clear:in-transit') expect(died.clearsSent + resumeClears).toBe(1);

      const records = readJournal(file).records;
      const before = records.find((r) => r.kind === 'step-succeeded' && r.step === 'fingerprint-before');
      const beforeSrk = (dataOf(before).fingerprint as { srk: { name: string } } | undefined)?.srk.name;
      expect(beforeSrk).toBe(srk0);
      expect(result.receipt?.before.srkName).toBe(srk0);
      expect(result.receipt?.after.srkName).toBe(srkEnd);
      const clearRecords = records.filter((r) => r.step === 'clear').map((r) => r.kind);
      if (point === 'clear:started') {
        expect(clearRecords).toEqual(['step-started', 'step-failed', 'step-started', 'step-succeeded']);
        const failed = records.find((r) => r.kind === 'step-failed' && r.step === 'clear');
        expect(dataOf(failed).reason).toBe('not sent before the crash');
      } else if (point === 'clear:done') {
        expect(clearRecords).toEqual(['step-started', 'step-succeeded']);
        const ok = records.find((r) => r.kind === 'step-succeeded' && r.step === 'clear');
        expect(dataOf(ok).note).toBe('confirmed by SRK Name after a crash');
      } else if (point !== 'clear:in-transit') {
        // No crash inside the clear: started and succeeded once.
        expect(clearRecords).toEqual(['step-started', 'step-succeeded']);
      }
      expect(records.at(-1)?.kind).toBe('run-finished');
      expect(existsSync(lockPath(file))).toBe(false);
      if (point !== 'run-finished') {
        // A finished run is only read (nothing may follow run-finished), so there is nothing to note.
        expect(
          records.filter((r) => r.kind === 'note' && dataOf(r).lockTakenOver !== undefined),
        ).toHaveLength(1);
      }
      const receipt = JSON.parse(readFileSync(result.receiptPath ?? '', 'utf8')) as ClearReceipt;
      expect(receipt.journalHash).toBe(records.at(-1)?.hash);

      expect(await persistentHandles(swtpm.get())).not.toContain(OWNER_OBJECT);
      expect(await nvIndices(swtpm.get())).not.toContain(OWNER_NV);
    });
  });
});

describe('crashes during the resume too', () => {
  it('dies in the child at clear:started, then the resume dies at clear:started and clear:done: still one clear', async () => {
    await buildOwnerState(swtpm.get());
    const srk0 = await srkName(swtpm.get().port);
    const file = journalPath(dir, 'crash-resume');
    await runChild('crash-resume', 'clear:started');
    let clears = 0;
    // A "crash" in-process: the hook throws, so the run stops right there with the journal as a kill leaves it.
    for (const at of ['clear:started', 'clear:done', null]) {
      const tpm = swtpmClient(swtpm.get().port, () => {
        clears += 1;
      });
      const run = resumeClearRun({
        tpm,
        journalPath: file,
        onPoint: (p) => {
          if (p === at) throw new Error(`crash at ${p}`);
        },
      }).finally(() => tpm.close());
      if (at !== null) await expect(run).rejects.toThrow(`crash at ${at}`);
      else expect((await run).proof?.proven).toBe(true);
    }
    expect(clears).toBe(1);
    const srkEnd = await srkName(swtpm.get().port);
    expect(srkEnd).not.toBe(srk0);
    const clearRecords = readJournal(file)
      .records.filter((r) => r.step === 'clear')
      .map((r) => `${r.kind} ${String(dataOf(r).reason ?? dataOf(r).note ?? '')}`.trim());
    expect(clearRecords).toEqual([
      'step-started',
      'step-failed not sent before the crash',
      'step-started',
      'step-failed not sent before the crash',
      'step-started',
      'step-succeeded confirmed by SRK Name after a crash',
    ]);
  });

  it('the SRK sequence does catch a second clear (the check above is not vacuous)', async () => {
    await buildOwnerState(swtpm.get());
    const file = journalPath(dir, 'second-clear');
    await runChild('second-clear', 'clear:done');
    const srkMid = await srkName(swtpm.get().port);
    // What a resume that re-sent the clear would do.
    const tpm = swtpmClient(swtpm.get().port);
    await tpm.run(Clear, { authHandle: TPM_RH.PLATFORM }).finally(() => tpm.close());
    expect(await srkName(swtpm.get().port)).not.toBe(srkMid);
    const resumed = swtpmClient(swtpm.get().port);
    const result = await resumeClearRun({ tpm: resumed, journalPath: file }).finally(() => resumed.close());
    expect(result.receipt?.after.srkName).not.toBe(srkMid);
  });
});
