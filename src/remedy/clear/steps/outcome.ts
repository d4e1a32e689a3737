/**
 * A step of a clear run (a StepDeclaration over the clear run's Ctx) and its outcomes in the clear
 * run's record format: step-succeeded holds the step's data; step-failed holds the data, the
 * failure's reason and message and whether it is final (`final`); a wait also holds `waiting: true`
 * and what the person must do (`instruction`).
 */
import type { JsonObject } from '../../journal.js';
import type { Outcome, StepDeclaration } from '../../run/step.js';
import type { Ctx } from '../run-context.js';

export type ClearStep = StepDeclaration<Ctx>;

/** What went wrong, journaled with the step's step-failed (and in run-abandoned when final). */
export interface StepFailure extends JsonObject {
  /** A stable reason ID: 'disable-clear', 'not-proven', 'srk-unreadable', ... */
  readonly reason: string;
  readonly message: string;
  /** The TPM's response code ('0x120') when the TPM refused. */
  readonly responseCode?: string;
}

export function succeeded(data: JsonObject): Outcome {
  return { kind: 'done', data };
}

/** Not yet: the run stops 'waiting' and the step is attempted again at the next resume. */
export function waitingFor(message: string, instruction: string, data: JsonObject = {}): Outcome {
  return { kind: 'waiting', data: { ...data, waiting: true, final: false, message, instruction } };
}

/** Failed: `final` ends the run; otherwise the run stops, resumable, and the step is attempted again. */
export function failedWith(final: boolean, failure: StepFailure, data: JsonObject = {}): Outcome {
  return { kind: 'failed', final, data: { ...data, ...failure, final }, failure };
}
