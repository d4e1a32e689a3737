/** What a clear run's steps recorded, read back from its journal: fingerprints, Names, the proof. */
import type { ClearFingerprint, NameReading } from '../../verify/clear-fingerprint.js';
import type { ClearProof } from '../../verify/clear-proof.js';
import type { JournalRecord } from '../journal.js';
import { lastStepData } from '../run/records.js';

/** The fingerprint step `step` recorded when it succeeded, or null. */
export function succeededFingerprint(
  records: readonly JournalRecord[],
  step: string,
): ClearFingerprint | null {
  const data = lastStepData(records, step, 'step-succeeded');
  return (data?.fingerprint as unknown as ClearFingerprint | undefined) ?? null;
}

/** The Name read (hex), or null when it could not be read. */
export function nameOf(reading: NameReading): string | null {
  return 'name' in reading ? reading.name : null;
}

/** The SRK Name fingerprint-before recorded, or null. */
export function srkNameBefore(records: readonly JournalRecord[]): string | null {
  const before = succeededFingerprint(records, 'fingerprint-before');
  return before === null ? null : nameOf(before.srk);
}

/** The proof recorded by the proof step, whether it held (step-succeeded) or not (step-failed). */
export function proofOf(records: readonly JournalRecord[]): ClearProof | null {
  const data =
    lastStepData(records, 'proof', 'step-succeeded') ?? lastStepData(records, 'proof', 'step-failed');
  return (data?.proof as unknown as ClearProof | undefined) ?? null;
}
