/**
 * The post-clear runbook's steps (step.ts) on the run engine (run/engine.ts), so that
 * `tpm-doctor resume` after a reboot, a crash or a power cut continues exactly where it stopped.
 *
 * A runbook step checks first and acts only to help: one attempt checks, acts when the check did
 * not find it done and its action interval allows it, and checks again. One attempt, in the journal
 * (src/remedy/journal.ts):
 *   step-started  S  { attempt, startedAt }               before anything is done
 *   note          S  { act: 'started', at }                before the step's action, when it acts
 *   note          S  { act: 'finished', at, result }       after it ('failed' with the error instead)
 *   step-succeeded S { message, evidence }                 the check found the step done
 *   step-failed   S  { waiting: true,  message, instruction, evidence }   not yet: retried next advance
 *   step-failed   S  { waiting: false, message, instruction, evidence }   failed: retried next advance
 *
 * "Waiting" is recorded as a step-failed with `waiting: true`, not by leaving the step in flight:
 * in flight means "interrupted, outcome unknown" (what a crash leaves), and a waiting step has a
 * known outcome. The journal lets a failed step start again, so the next advance opens a new
 * attempt; every attempt stays in the history. `at` values in data are ctx.now() (the records' own
 * `at` is the wall clock of the write).
 *
 * A step found in flight (a crash inside it) continues its attempt (engine policy 'continue'): a
 * note `{ resumed: true }` is written and the step is checked before anything else; its action runs
 * only if the check still finds it not done and the step's action interval allows it (an action
 * that was started counts).
 */
import { redact } from '../../snapshot/redact-secrets.js';
import type { JournalRecord, JsonObject, RunJournal } from '../journal.js';
import { assertNoSecrets } from '../journal-record.js';
import { runSteps } from '../run/engine.js';
import type { Outcome, RunContext, StepDeclaration } from '../run/step.js';
import type { CheckResult, RunbookContext, RunbookStep, StepAttempt, StepContext } from './step.js';

export type RunbookStatus = 'complete' | 'waiting' | 'failed';

export interface AdvanceResult {
  readonly status: RunbookStatus;
  /** The step the run stopped at (waiting or failed). */
  readonly at?: string;
  readonly message: string;
  /** What the person should do now (waiting or failed). */
  readonly instruction?: string;
}

export interface RunbookProgress {
  readonly step: string;
  readonly title: string;
  /** 1-based position of the step, and how many steps there are. */
  readonly index: number;
  readonly total: number;
  readonly phase: 'checking' | 'acting' | 'done' | 'waiting' | 'failed';
  readonly message: string;
  /** How long this step has been waited for (since its first start), in ms. */
  readonly waitedMs: number;
}

export interface AdvanceOptions {
  onProgress?: (progress: RunbookProgress) => void;
  /**
   * Keep re-checking a waiting step within this call, every `intervalMs`, for up to `forMs`
   * (measured with ctx.now()), instead of returning at once. The step stays in flight meanwhile
   * (the process is alive); a crash leaves it in flight and the next advance re-checks it.
   */
  poll?: { intervalMs: number; forMs: number; sleep?: (ms: number) => Promise<void> };
  /**
   * Steps of the runbook that another session runs (SYSTEM's runbook: the signed-in user's steps,
   * post-clear.ts). One found in flight is recorded waiting and left to that session, instead of
   * stopping this runbook.
   */
  leftToOthers?: readonly string[];
}

type StepOrNote = Exclude<JournalRecord, { kind: 'run-started' }>;

function stepRecords(records: readonly JournalRecord[], id: string): StepOrNote[] {
  return records.filter((r): r is StepOrNote => r.kind !== 'run-started' && r.step === id);
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Where a step stands in the run, from its records (the current attempt included). */
function stepAttempt(records: readonly JournalRecord[], id: string, resumed: boolean): StepAttempt {
  const mine = stepRecords(records, id);
  const starts = mine.filter((r) => r.kind === 'step-started');
  const first = starts[0];
  const acts = mine.filter(
    (r) => r.kind === 'note' && (r.data?.act === 'started' || r.data?.act === 'finished'),
  );
  const lastAct = acts.at(-1);
  return {
    number: starts.length,
    firstStartedAt: str(first?.data?.startedAt) ?? first?.at ?? new Date(0).toISOString(),
    lastActedAt: lastAct === undefined ? null : (str(lastAct.data?.at) ?? lastAct.at),
    resumed,
  };
}

/** The outcome of a runbook step's latest attempt, as the journal holds it. */
export function lastOutcome(
  records: readonly JournalRecord[],
  id: string,
): 'not-started' | 'in-flight' | 'done' | 'waiting' | 'failed' {
  const last = stepRecords(records, id)
    .filter((r) => r.kind !== 'note')
    .at(-1);
  if (last === undefined) return 'not-started';
  if (last.kind === 'step-started') return 'in-flight';
  if (last.kind === 'step-succeeded') return 'done';
  return last.data?.waiting === true ? 'waiting' : 'failed';
}

function errorText(e: unknown): string {
  return redact(e instanceof Error ? e.message : String(e));
}

/**
 * Advances the run: for each step in order that has not succeeded, checks it (acting when it can
 * help), journals the outcome, and stops at the first step that is waiting or failed. Calling it
 * again continues from there: a step that succeeded is never run again.
 */
export async function advanceRunbook(
  journal: RunJournal,
  steps: readonly RunbookStep[],
  ctx: RunbookContext,
  options: AdvanceOptions = {},
): Promise<AdvanceResult> {
  const ids = steps.map((s) => s.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new Error(`runbook step ${duplicate} appears twice`);
  // The facts go into step evidence and messages: refuse a secret before anything is written.
  assertNoSecrets(ctx.facts, 'facts');

  const state = journal.state();
  if (state.status === 'abandoned') return { status: 'failed', message: 'The run was abandoned.' };
  if (
    state.inFlight !== null &&
    !ids.includes(state.inFlight) &&
    options.leftToOthers?.includes(state.inFlight)
  ) {
    // Another session's step (a person's session polled it, then the PC restarted into SYSTEM's
    // boot task): closed as waiting, not passed, so this runbook can go on and finish.
    journal.append('step-failed', state.inFlight, {
      waiting: true,
      message: `Step ${state.inFlight} is not checked in this session: it is left to the session that can see it.`,
      instruction: 'Sign in: your own part of the runbook runs at logon (tpm-doctor resume --user-steps).',
      evidence: {},
    });
  } else if (state.inFlight !== null && !ids.includes(state.inFlight)) {
    return {
      status: 'failed',
      at: state.inFlight,
      message: `Step ${state.inFlight} is in flight and is not a step of this runbook: resume it first.`,
    };
  }
  if (state.status === 'finished') {
    const pending = steps.find((s) => !state.completedSteps.includes(s.id));
    if (pending !== undefined) {
      return {
        status: 'failed',
        at: pending.id,
        message: `The run finished before step ${pending.id} succeeded.`,
      };
    }
    return { status: 'complete', message: `All ${steps.length} steps are done.` };
  }
  const declared = steps.map((step, i) => declare(step, ctx, options, i + 1, steps.length));
  const stop = await runSteps(declared, { journal });
  if (stop.status === 'complete')
    return { status: 'complete', message: `All ${steps.length} steps are done.` };
  const step = steps.find((s) => s.id === stop.step);
  const instruction = str(stop.data.instruction) ?? step?.instruction;
  return {
    status: stop.status,
    at: stop.step,
    message: str(stop.data.message) ?? '',
    ...(instruction === undefined ? {} : { instruction }),
  };
}

/**
 * A runbook step as the engine's declaration. Its check and act are the runbook step's own, run
 * inside one attempt (runAttempt: check, act when it helps and its interval allows, check again);
 * found in flight, the attempt continues (a note, then the check first).
 */
function declare(
  step: RunbookStep,
  base: RunbookContext,
  options: AdvanceOptions,
  index: number,
  total: number,
): StepDeclaration<RunContext> {
  return {
    id: step.id,
    policy: { inFlight: 'continue' },
    started: ({ journal }) => ({
      attempt: stepRecords(journal.records(), step.id).filter((r) => r.kind === 'step-started').length + 1,
      startedAt: base.now().toISOString(),
    }),
    act: async ({ journal }, { resumed }) =>
      outcomeOf(step, await runAttempt(journal, step, base, options, index, total, resumed)),
  };
}

async function runAttempt(
  journal: RunJournal,
  step: RunbookStep,
  base: RunbookContext,
  options: AdvanceOptions,
  index: number,
  total: number,
  resumed: boolean,
): Promise<CheckResult> {
  if (resumed) {
    journal.append('note', step.id, {
      resumed: true,
      at: base.now().toISOString(),
      message: 'Found in flight after an interruption: checking before acting again.',
    });
  }
  if (base.confirmed?.includes(step.id)) {
    journal.append('note', step.id, { confirmedByPerson: true, at: base.now().toISOString() });
  }
  const attempt = stepAttempt(journal.records(), step.id, resumed);
  const ctx: StepContext = { ...base, attempt };
  const report = (phase: RunbookProgress['phase'], message: string) =>
    options.onProgress?.({
      step: step.id,
      title: step.title,
      index,
      total,
      phase,
      message,
      waitedMs: Math.max(0, ctx.now().getTime() - Date.parse(attempt.firstStartedAt)),
    });

  const check = async (): Promise<CheckResult> => {
    report('checking', step.title);
    let result: CheckResult;
    try {
      result = await step.check(ctx);
    } catch (e) {
      result = { state: 'failed', evidence: {}, message: `The check could not run: ${errorText(e)}` };
    }
    report(result.state, result.message);
    return result;
  };

  let result = await check();
  if (result.state === 'waiting' && step.act !== undefined && mayAct(step, attempt, ctx.now())) {
    report('acting', step.title);
    journal.append('note', step.id, { act: 'started', at: ctx.now().toISOString() });
    let acted: JsonObject | undefined;
    try {
      acted = await step.act(ctx, result);
    } catch (e) {
      const error = errorText(e);
      journal.append('note', step.id, { act: 'failed', at: ctx.now().toISOString(), error });
      return { state: 'failed', evidence: result.evidence, message: `The action failed: ${error}` };
    }
    journal.append('note', step.id, { act: 'finished', at: ctx.now().toISOString(), result: acted ?? null });
    result = await check();
  }
  const poll = options.poll;
  if (poll !== undefined) {
    const sleep = poll.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const until = ctx.now().getTime() + poll.forMs;
    while (result.state === 'waiting' && ctx.now().getTime() + poll.intervalMs <= until) {
      await sleep(poll.intervalMs);
      result = await check();
    }
  }
  return result;
}

function mayAct(step: RunbookStep, attempt: StepAttempt, now: Date): boolean {
  if (step.actAtMostEveryMs === undefined || attempt.lastActedAt === null) return true;
  return now.getTime() - Date.parse(attempt.lastActedAt) >= step.actAtMostEveryMs;
}

/**
 * What the attempt's result is journaled as. A result that holds a secret is a bug: it is recorded
 * as a failure without it.
 */
function outcomeOf(step: RunbookStep, result: CheckResult): Outcome {
  const data: JsonObject = {
    message: result.message,
    ...(result.instruction === undefined ? {} : { instruction: result.instruction }),
    evidence: result.evidence,
  };
  try {
    assertNoSecrets(data, 'data');
  } catch {
    const message = `Step ${step.id} produced evidence holding a secret; it was not journaled (a tpm-doctor bug).`;
    return { kind: 'failed', final: false, data: { waiting: false, message, evidence: {} } };
  }
  if (result.state === 'done') return { kind: 'done', data };
  if (result.state === 'waiting') return { kind: 'waiting', data: { waiting: true, ...data } };
  return { kind: 'failed', final: false, data: { waiting: false, ...data } };
}
