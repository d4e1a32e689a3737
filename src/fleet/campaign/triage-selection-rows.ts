import type { FleetStore, TriageRow, TriageRun } from '../store/fleet-store.js';
import { describeTriageFilter, triageRowMatcher } from '../triage/triage-filter.js';
import type { TriageSelection } from './campaign-selection.js';

/**
 * The rows of `run` a triage selection names, by the one rule of triage-filter.ts (the console's
 * table uses it too). Class and clear safety also narrow the store's read; the rule decides.
 */
export async function triageSelectionRows(
  store: FleetStore,
  run: Pick<TriageRun, 'id' | 'createdAt'>,
  selection: TriageSelection,
): Promise<TriageRow[]> {
  const rows = await store.triageRows(run.id, {
    ...(selection.classes === undefined ? {} : { classes: selection.classes }),
    ...(selection.clearSafety === undefined ? {} : { clearSafety: selection.clearSafety }),
  });
  const matches = triageRowMatcher(selection, run.createdAt);
  return rows.filter((row) => matches(row));
}

/** How a triage selection chose its devices, for the dry run and the campaign's record. */
export function describeTriageSelection(runId: number, selection: TriageSelection): string {
  return [`triage ${runId}`, ...describeTriageFilter(selection)].join(', ');
}
