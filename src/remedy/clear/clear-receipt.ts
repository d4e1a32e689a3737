/**
 * The receipt of a clear run (docs/clear.md, "The receipt"): what a decommissioning admin files with the
 * handover. It is built from the journal alone (so a resume rebuilds the same bytes) and chained to
 * it: `journalHash` is the `hash` of the journal's last record (run-finished or run-abandoned),
 * which itself chains every record before it (journal-record.ts). Whoever holds the journal can
 * check that the receipt belongs to it and that neither was edited.
 */
import path from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import type { ClearProof } from '../../verify/clear-proof.js';

export interface ReceiptFingerprint {
  /** The SRK's Name (hex), or null when it could not be read. */
  srkName: string | null;
  /** The L-1 EK's Name (hex), or null when it could not be read. */
  ek: string | null;
}

export interface ClearReceipt {
  runId: string;
  purpose: string;
  approvedBy: string | null;
  ticket: string | null;
  method: string;
  before: ReceiptFingerprint;
  after: ReceiptFingerprint;
  proof: Pick<ClearProof, 'proven' | 'checks'>;
  /** The `hash` of the journal's last record. */
  journalHash: string;
  /** That record's seq: the journal has exactly this many records when the receipt was written. */
  journalSeq: number;
  /** That record's time (ISO 8601 UTC). */
  finishedAt: string;
}

/** Where the receipt of run `runId` lives: next to its journal. */
export function receiptPath(journalDir: string, runId: string): string {
  return path.join(journalDir, `${runId}.receipt.json`);
}

/**
 * Writes the receipt durably and atomically (0600, a temporary file created exclusively, fsync,
 * rename over the old one, fsync of the folder): a crash leaves the old receipt, the new one, or
 * none; never half of one.
 */
export function writeReceipt(file: string, receipt: ClearReceipt): void {
  writeFileAtomic(file, `${JSON.stringify(receipt, null, 2)}\n`);
}
