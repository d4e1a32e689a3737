import { readFileSync, statSync } from 'node:fs';
import type { ClearProof } from '../../verify/clear-proof.js';
import type { JournalRecord } from '../journal.js';
import { findRun, readRun } from '../run-catalog.js';
import { type RunEnding, runEnding } from '../run-ending.js';
import { type ClearReceipt, receiptPath } from './clear-receipt.js';
import { nameOf, proofOf, succeededFingerprint } from './run-records.js';

/** A receipt is a small JSON file; anything far larger was not written by tpm-doctor. */
const MAX_RECEIPT_BYTES = 64 * 1024;

/** A run read back: its journal (checked record by record) and its receipt checked against it. */
export interface CheckedRun {
  runId: string;
  records: readonly JournalRecord[];
  torn: boolean;
  /** 'running', or how the run ended (run-ending.ts), as `tpm-doctor runs` says it. */
  status: 'running' | RunEnding;
  /** The proof the run recorded (verify/clear-proof.ts), or null before its proof step. */
  proof: ClearProof | null;
  /** The SRK's Name before and after the clear (hex), as fingerprinted; null when not read. */
  srkNameBefore: string | null;
  srkNameAfter: string | null;
  /** Where the journal's hash chain breaks, or null when it holds. */
  journalError: string | null;
  /** The receipt as filed, or null when the run has none (yet). */
  receipt: ClearReceipt | null;
  /**
   * Whether the receipt belongs to this journal and neither was edited (docs/clear.md, "The
   * receipt"): the journal's chain holds, and the receipt's `journalHash` is the hash of the
   * journal's record `journalSeq`, which ends the run. null when there is no receipt.
   */
  receiptVerified: boolean | null;
  /** Why the receipt does not verify, or null. */
  receiptProblem: string | null;
}

/**
 * Reads run `runId` of `journalDir` back as `tpm-doctor runs RUN-ID` does (run-catalog.ts), with
 * its receipt and the check that ties the receipt to the journal; undefined when there is no
 * such run.
 */
export function checkRun(journalDir: string, runId: string): CheckedRun | undefined {
  const file = findRun(journalDir, runId);
  if (file === undefined) return undefined;
  const read = readRun(file);
  const journalError = read.error ?? null;
  const before = succeededFingerprint(read.records, 'fingerprint-before');
  const after = succeededFingerprint(read.records, 'fingerprint-after');
  const run = {
    runId,
    records: read.records,
    torn: read.torn,
    status: runEnding(read.records.at(-1)) ?? ('running' as const),
    proof: proofOf(read.records),
    srkNameBefore: before === null ? null : nameOf(before.srk),
    srkNameAfter: after === null ? null : nameOf(after.srk),
    journalError,
  };
  const receipt = readReceipt(receiptPath(journalDir, runId));
  if (receipt === null) return { ...run, receipt: null, receiptVerified: null, receiptProblem: null };
  if ('problem' in receipt)
    return { ...run, receipt: null, receiptVerified: false, receiptProblem: receipt.problem };
  const problem = receiptProblem(receipt, runId, read.records, journalError);
  return { ...run, receipt, receiptVerified: problem === null, receiptProblem: problem };
}

function readReceipt(file: string): ClearReceipt | { problem: string } | null {
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined) return null;
  if (size > MAX_RECEIPT_BYTES) return { problem: `the receipt is larger than ${MAX_RECEIPT_BYTES} bytes` };
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { problem: 'the receipt is not a JSON object' };
    return value as ClearReceipt;
  } catch {
    return { problem: 'the receipt is not valid JSON' };
  }
}

function receiptProblem(
  receipt: ClearReceipt,
  runId: string,
  records: readonly JournalRecord[],
  journalError: string | null,
): string | null {
  if (journalError !== null) return `the journal's hash chain breaks (${journalError})`;
  if (receipt.runId !== runId) return 'the receipt names another run';
  const record = records.find((r) => r.seq === receipt.journalSeq);
  if (record === undefined) return `the journal has no record ${String(receipt.journalSeq)}`;
  if (record.kind !== 'run-finished' && record.kind !== 'run-abandoned')
    return `record ${record.seq} of the journal does not end the run`;
  if (record.hash !== receipt.journalHash)
    return `the receipt's journal hash is not record ${record.seq}'s hash`;
  return null;
}
