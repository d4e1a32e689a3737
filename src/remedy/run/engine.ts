/**
 * The run engine: carries a run through a list of step declarations (step.ts), journaling before
 * and after each, so that a crash, a reboot or a power cut anywhere resumes exactly where the run
 * stopped. It drives every journaled run of tpm-doctor: the clears (lockout, platform, PPI) and the
 * post-clear runbook, in the journal of remedy/journal.ts.
 *
 * For each step in order:
 * - succeeded: skipped (a step that succeeded never runs again; the journal refuses it too);
 * - in flight (started, no outcome): settled by the step's `inFlight` policy first (step.ts);
 * - failed with `final: true`: the run stops there (the caller ends it);
 * - otherwise one attempt: step-started (unless continuing an attempt in flight), the act, then
 *   step-succeeded (the run goes on) or step-failed (the run stops, waiting or failed).
 *
 * What each family records in its data (clear/steps/outcome.ts, runbook/advance-runbook.ts) and
 * what a stop means to the caller (a result, an error) is the family's: the engine only writes
 * records in the order the journal allows and reports where the run stopped.
 */

import type { JsonObject, RunJournal } from '../journal.js';
import { stepOutcome } from '../journal.js';
import { lastStepData } from './records.js';
import type { Outcome, RunContext, StepDeclaration } from './step.js';

/** Where a run of steps stopped. */
export type RunStop =
  | { readonly status: 'complete' }
  | { readonly status: 'waiting'; readonly step: string; readonly data: JsonObject }
  | {
      readonly status: 'failed';
      readonly step: string;
      readonly final: boolean;
      /** The step-failed record's data. */
      readonly data: JsonObject;
      /** Set when the failure was found by this attempt (not read back from an earlier one). */
      readonly failure?: JsonObject;
    };

export interface RunRules {
  /**
   * Test hook, for crash tests: called right after a step's step-started is on disk
   * (`<id>:started`) and right after its act succeeded, before its step-succeeded (`<id>:done`).
   */
  point?(point: string): void;
  /**
   * An act that threw, of a step without `unknownOutcome`: the step-failed data to record (not
   * final) and the error the run stops with. Without it, nothing is recorded (the step stays in
   * flight) and the error propagates as it is.
   */
  actFailed?(step: string, error: unknown): { readonly data: JsonObject; readonly error: unknown };
}

/** What a step of policy 'repeat' found in flight is recorded as. */
const INTERRUPTED: JsonObject = {
  final: false,
  reason: 'interrupted',
  message: 'interrupted before its outcome was recorded; the step is idempotent and runs again',
};

/**
 * Drives `steps` in order on `ctx.journal` (a running run) until one stops the run or all have
 * succeeded. Throws what a step's check or act throws (see StepPolicy and RunRules.actFailed).
 */
export async function runSteps<C extends RunContext>(
  steps: readonly StepDeclaration<C>[],
  ctx: C,
  rules: RunRules = {},
): Promise<RunStop> {
  const { journal } = ctx;
  for (const step of steps) {
    let outcome = stepOutcome(journal.records(), step.id);
    let resumed = false;
    if (outcome === 'in-flight') {
      if (step.policy.inFlight === 'continue') resumed = true;
      else outcome = await settleInFlight(ctx, step);
    }
    if (outcome === 'succeeded') continue;
    if (outcome === 'failed') {
      // A failure recorded as final ends the run; a crash between it and the run's end lands here.
      const last = lastStepData(journal.records(), step.id, 'step-failed');
      if (last?.final === true) return { status: 'failed', step: step.id, final: true, data: last };
    }
    const stop = await attempt(ctx, step, resumed, rules);
    if (stop !== null) return stop;
  }
  return { status: 'complete' };
}

/** A step found in flight: recorded interrupted (idempotent), or settled by its check. */
async function settleInFlight<C extends RunContext>(
  ctx: C,
  step: StepDeclaration<C>,
): Promise<'succeeded' | 'failed'> {
  const { journal } = ctx;
  if (step.policy.inFlight !== 'check') {
    journal.append('step-failed', step.id, INTERRUPTED);
    return 'failed';
  }
  if (step.check === undefined) throw new Error(`step ${step.id} is settled by its check, but has none`);
  const found = await step.check(ctx);
  if (found.kind === 'done') {
    journal.append('step-succeeded', step.id, found.data);
    return 'succeeded';
  }
  journal.append('step-failed', step.id, found.data);
  return 'failed';
}

/** One attempt at a step. Returns null when it succeeded, where the run stopped otherwise. */
async function attempt<C extends RunContext>(
  ctx: C,
  step: StepDeclaration<C>,
  resumed: boolean,
  rules: RunRules,
): Promise<RunStop | null> {
  const { journal } = ctx;
  if (!resumed) {
    journal.append('step-started', step.id, step.started?.(ctx));
    rules.point?.(`${step.id}:started`);
  }
  let outcome: Outcome;
  try {
    outcome = await step.act(ctx, { resumed });
  } catch (e) {
    // It may have taken effect: leave it in flight, for its check at the next resume.
    if (step.policy.unknownOutcome !== undefined) throw step.policy.unknownOutcome(e, ctx);
    if (rules.actFailed === undefined) throw e;
    const failed = rules.actFailed(step.id, e);
    tryAppendFailed(journal, step.id, failed.data);
    throw failed.error;
  }
  if (outcome.kind === 'done') {
    rules.point?.(`${step.id}:done`);
    journal.append('step-succeeded', step.id, outcome.data);
    return null;
  }
  journal.append('step-failed', step.id, outcome.data);
  if (outcome.kind === 'waiting') return { status: 'waiting', step: step.id, data: outcome.data };
  return {
    status: 'failed',
    step: step.id,
    final: outcome.final,
    data: outcome.data,
    ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
  };
}

/** Appends step-failed, swallowing a failure: on an error path, the original error matters more. */
function tryAppendFailed(journal: RunJournal, step: string, data: JsonObject): void {
  try {
    journal.append('step-failed', step, data);
  } catch {
    // The step stays in flight; the resume settles it by its policy.
  }
}
