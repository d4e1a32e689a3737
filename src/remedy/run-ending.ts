import type { JournalRecord } from './journal-record.js';

/**
 * How an ended run ended: one word, from its last journal record, that `clear`, `resume` and
 * `runs` all print (docs/clear.md, "How a run ends"):
 * - `finished`: cleared and proven (run-finished);
 * - `rejected`: the person at the machine declined the firmware's physical-presence prompt (or let
 *   it time out): the firmware answered User Abort, 0xFFFFFFF0 (TCG PC Client Platform Physical
 *   Presence Interface Specification 1.3, return codes of Get User Confirmation / Return
 *   Response). The TPM was not cleared;
 * - `failed`: the TPM refused the clear, the firmware failed, or the proof did not hold;
 * - `abandoned`: a person ended it with `tpm-doctor abandon`.
 */
export type RunEnding = 'finished' | 'rejected' | 'failed' | 'abandoned';

/** The failure reason a run ended by the firmware's User Abort is journaled with (ppi-confirmed step). */
export const FIRMWARE_PROMPT_REJECTED = 'ppi-user-aborted';

/** The `by` of the run-abandoned record `tpm-doctor abandon` writes. */
export const ABANDONED_BY_USER = 'tpm-doctor abandon';

/** The ending of a run whose last record is `last`; undefined while the run has not ended. */
export function runEnding(last: JournalRecord | undefined): RunEnding | undefined {
  if (last?.kind === 'run-finished') return 'finished';
  if (last?.kind !== 'run-abandoned') return undefined;
  const data = last.data;
  if (data?.by === ABANDONED_BY_USER) return 'abandoned';
  if (data?.reason === FIRMWARE_PROMPT_REJECTED) return 'rejected';
  // A run ended by its own failure names the step that failed (run-result.ts); one ended by a
  // person does not.
  return typeof data?.step === 'string' ? 'failed' : 'abandoned';
}
