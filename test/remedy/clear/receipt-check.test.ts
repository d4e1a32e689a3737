/**
 * A run read back with its receipt (src/remedy/clear/receipt-check.ts), on a real clear of a
 * provisioned swtpm: the receipt verifies against its journal; an edited receipt, a receipt of
 * another run, an edited journal, a damaged receipt file and a run without a receipt do not.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClearReceipt } from '../../../src/remedy/clear/clear-receipt.js';
import { startClearRun } from '../../../src/remedy/clear/clear-run.js';
import { checkRun } from '../../../src/remedy/clear/receipt-check.js';
import { RunJournal } from '../../../src/remedy/journal.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { buildOwnerState } from './owner-state.js';
import { passedGate, swtpmClient } from './support.js';

const swtpm = useSwtpm({ provision: true });
let dir: string;
let runId: string;

/** A copy of the runs folder to damage, so each case starts from the real run. */
function copyOfRuns(): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-receipt-check-copy-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-receipt-check-'));
  await buildOwnerState(swtpm.get());
  const tpm = swtpmClient(swtpm.get().port);
  try {
    const result = await startClearRun({
      tpm,
      journalDir: dir,
      gate: passedGate(),
      method: 'platform',
      purpose: 'decommission',
      approvedBy: 'Ada',
      ticket: 'CHG-1',
    });
    expect(result.status).toBe('finished');
    runId = result.runId;
  } finally {
    await tpm.close();
  }
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('checkRun', () => {
  it('reads a finished run back: its steps, the proof, the SRK Names, and a receipt that verifies', () => {
    const run = checkRun(dir, runId);
    expect(run?.status).toBe('finished');
    expect(run?.journalError).toBeNull();
    expect(run?.records.at(-1)?.kind).toBe('run-finished');
    expect(run?.proof?.proven).toBe(true);
    expect(run?.srkNameBefore).toMatch(/^000b[0-9a-f]{64}$/);
    expect(run?.srkNameAfter).not.toBe(run?.srkNameBefore);
    expect(run?.receipt?.approvedBy).toBe('Ada');
    expect(run?.receiptVerified).toBe(true);
    expect(run?.receiptProblem).toBeNull();
  });

  it('an edited receipt, or the receipt of another run, does not verify', () => {
    for (const [edit, problem] of [
      [
        (r: ClearReceipt) => ({ ...r, journalHash: 'ab'.repeat(32) }),
        /journal hash is not record \d+'s hash/,
      ],
      [(r: ClearReceipt) => ({ ...r, journalSeq: 1 }), /record 1 of the journal does not end the run/],
      [(r: ClearReceipt) => ({ ...r, journalSeq: 99 }), /the journal has no record 99/],
      [(r: ClearReceipt) => ({ ...r, runId: 'another-run' }), /names another run/],
    ] as const) {
      const copy = copyOfRuns();
      try {
        const file = path.join(copy, `${runId}.receipt.json`);
        const receipt = JSON.parse(readFileSync(file, 'utf8')) as ClearReceipt;
        writeFileSync(file, JSON.stringify(edit(receipt)));
        const run = checkRun(copy, runId);
        expect(run?.receiptVerified).toBe(false);
        expect(run?.receiptProblem).toMatch(problem);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
  });

  it('an edited journal breaks the chain, and the receipt no longer verifies', () => {
    const copy = copyOfRuns();
    try {
      const file = path.join(copy, `${runId}.jsonl`);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"decommission"', '"repair"'));
      const run = checkRun(copy, runId);
      expect(run?.journalError).not.toBeNull();
      expect(run?.receiptVerified).toBe(false);
      expect(run?.receiptProblem).toMatch(/hash chain breaks/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a receipt that is not JSON, or too large, is reported, not read', () => {
    for (const [content, problem] of [
      ['{"runId":', /not valid JSON/],
      ['[1]', /not a JSON object/],
      [' '.repeat(70 * 1024), /larger than 65536 bytes/],
    ] as const) {
      const copy = copyOfRuns();
      try {
        writeFileSync(path.join(copy, `${runId}.receipt.json`), content);
        const run = checkRun(copy, runId);
        expect(run?.receipt).toBeNull();
        expect(run?.receiptVerified).toBe(false);
        expect(run?.receiptProblem).toMatch(problem);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    }
  });

  it('a run without a receipt has none to verify; an unknown run is undefined', () => {
    RunJournal.create(dir, 'run-open', { kind: 'tpm-doctor clear', method: 'platform' }).close();
    const open = checkRun(dir, 'run-open');
    expect(open?.status).toBe('running');
    expect(open?.receipt).toBeNull();
    expect(open?.receiptVerified).toBeNull();
    expect(open?.proof).toBeNull();
    expect(checkRun(dir, 'no-such-run')).toBeUndefined();
    expect(checkRun(dir, '../escape')).toBeUndefined();
  });
});
