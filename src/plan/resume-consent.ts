import type { RunState } from '../remedy/journal.js';

/**
 * Whether resuming this run may still send a clear (or a PPI clear request): a running run whose
 * `clear` and `ppi-requested` steps have not succeeded. Such a resume needs the same consent as
 * `clear` (docs/clear.md, "Safety rules around a run"); one past the clear only follows up.
 */
export function clearStillToCome(state: Pick<RunState, 'status' | 'completedSteps'>): boolean {
  if (state.status !== 'running') return false;
  return !state.completedSteps.some((step) => step === 'clear' || step === 'ppi-requested');
}
