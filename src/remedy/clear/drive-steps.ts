/** A clear run's step list on the run engine (run/engine.ts), with the clear run's rules and results. */
import { runSteps } from '../run/engine.js';
import { type Ctx, clearRunRules } from './run-context.js';
import { type ClearRunResult, resultOfStop } from './run-result.js';
import type { ClearStep } from './steps/outcome.js';

/**
 * Drives `steps` on the run in `ctx`. Returns null when all of them succeeded (the caller goes on
 * or finishes the run), the run's result when it stopped waiting or ended (`onFinalFailure` runs
 * before a final failure ends it); throws a resumable ClearRunError when a step failed otherwise.
 */
export async function driveSteps(
  ctx: Ctx,
  steps: readonly ClearStep[],
  onFinalFailure?: () => Promise<void>,
): Promise<ClearRunResult | null> {
  return resultOfStop(ctx, await runSteps(steps, ctx, clearRunRules(ctx)), onFinalFailure);
}
