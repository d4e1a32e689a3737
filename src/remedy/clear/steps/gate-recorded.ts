/** gate-recorded: the preflight gate this run was started on, recorded in the run's own history. */
import type { JsonObject } from '../../journal.js';
import { type ClearStep, failedWith, succeeded } from './outcome.js';

export const gateRecordedStep: ClearStep = {
  id: 'gate-recorded',
  policy: { inFlight: 'repeat' },
  async act(ctx) {
    const { gate } = ctx.meta;
    if (!gate.passed) {
      return failedWith(true, {
        reason: 'gate-not-passed',
        message: 'The preflight gate recorded for this run did not pass.',
      });
    }
    return succeeded({
      passed: true,
      checks: gate.checks.map((c) => ({ id: c.id, status: c.status, message: c.message })),
      inventory: JSON.parse(JSON.stringify(gate.inventory)) as JsonObject,
    });
  },
};
