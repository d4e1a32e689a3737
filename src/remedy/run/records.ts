/** Reading a run's step records back from its journal. */
import type { JournalRecord, JsonObject } from '../journal.js';

/** The data of the last `kind` record of `step`, if there is one. */
export function lastStepData(
  records: readonly JournalRecord[],
  step: string,
  kind: 'step-succeeded' | 'step-failed',
): JsonObject | undefined {
  const r = records.findLast((x) => x.step === step && x.kind === kind);
  return r?.kind === kind ? r.data : undefined;
}
