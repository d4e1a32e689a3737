/**
 * A step of a journaled run, as a declaration: what it records when it starts, how to tell whether
 * it is already done, what it does, and the policies the run engine (engine.ts) applies to it.
 * The engine reads no step names: everything a step needs that others do not is said here.
 */
import type { JsonObject, RunJournal } from '../journal.js';

/**
 * What an attempt at a step (or a check) found. `data` is the record's data exactly as it goes
 * into the journal: each family of steps keeps its own record format (clear/steps/outcome.ts,
 * runbook/advance-runbook.ts).
 *
 * - done: step-succeeded; the run goes on.
 * - waiting: step-failed; the run stops and the step is attempted again at the next resume (time
 *   or a person will fix it).
 * - failed: step-failed; `final` ends the run (it will not get there by trying again), otherwise
 *   the run stops and the step is attempted again at the next resume.
 */
export type Outcome =
  | { readonly kind: 'done'; readonly data: JsonObject }
  | { readonly kind: 'waiting'; readonly data: JsonObject }
  | {
      readonly kind: 'failed';
      readonly final: boolean;
      readonly data: JsonObject;
      /** The failure alone, without the evidence in `data`: what the run's end records about it. */
      readonly failure?: JsonObject;
    };

/** What the engine tells a step's act about the attempt. */
export interface Attempt {
  /** The step was found in flight and continues (policy `inFlight: 'continue'`): no new step-started. */
  readonly resumed: boolean;
}

/**
 * The policies of a step.
 *
 * `inFlight`: what a resume does with the step when it finds it started without an outcome (a
 * crash, a reboot or a power cut came in the middle of it):
 * - 'repeat': the step is idempotent: it is recorded interrupted and attempted again;
 * - 'check': the step acts at most once: its `check` decides from the machine whether the act took
 *   effect (done), provably did not (attempted again, or the run ends when the check says final),
 *   or cannot be told (check throws: the run stops, nothing is repeated);
 * - 'continue': the attempt carries on where it was (act is called with `resumed`); the act is
 *   built to be safe to repeat and checks first.
 *
 * `unknownOutcome`: act at most once. When `act` throws, the act may or may not have taken effect:
 * the step is left in flight, so that the next resume asks `check`, and the run stops with the
 * error this returns. Without it, an act that throws is recorded failed (RunRules.actFailed).
 */
export interface StepPolicy<C> {
  readonly inFlight: 'repeat' | 'check' | 'continue';
  readonly unknownOutcome?: (error: unknown, ctx: C) => unknown;
}

export interface StepDeclaration<C> {
  /** Stable: it is the step's name in the journal. */
  readonly id: string;
  readonly policy: StepPolicy<C>;
  /** Data of the step's step-started record. */
  started?(ctx: C): JsonObject | undefined;
  /** Is the step already done? Asked when it is found in flight and its policy is 'check'. */
  check?(ctx: C): Promise<Outcome>;
  /** The step's work. */
  act(ctx: C, attempt: Attempt): Promise<Outcome>;
}

/** What every context the engine drives holds: the run's journal, open and locked. */
export interface RunContext {
  readonly journal: RunJournal;
}
