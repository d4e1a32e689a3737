/**
 * The run engine's policies on a real journal, with steps that only count their calls: a step that
 * succeeded never runs again; one found in flight is repeated, settled by its check, or continued;
 * an act whose outcome is unknown stays in flight and stops the run; a wait and a failure stop the
 * run and are attempted again; a final failure is reported again and never retried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JsonObject, RunJournal } from '../../../src/remedy/journal.js';
import { runSteps } from '../../../src/remedy/run/engine.js';
import type { Outcome, RunContext, StepDeclaration, StepPolicy } from '../../../src/remedy/run/step.js';

let dir: string;
let journal: RunJournal;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-engine-'));
  journal = RunJournal.create(dir, 'run-1', {});
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const done: Outcome = { kind: 'done', data: { ok: true } };

/** A step whose act and check answer from the lists given, one per call, and count their calls. */
function step(
  id: string,
  policy: StepPolicy<RunContext>,
  acts: (Outcome | Error)[],
  checks: Outcome[] = [],
): StepDeclaration<RunContext> & { calls: { act: number; check: number; resumed: boolean[] } } {
  const calls = { act: 0, check: 0, resumed: [] as boolean[] };
  return {
    id,
    policy,
    calls,
    started: () => ({ n: calls.act + 1 }),
    async act(_ctx, attempt) {
      calls.resumed.push(attempt.resumed);
      const next = acts[calls.act++];
      if (next === undefined) throw new Error(`${id}: no more acts`);
      if (next instanceof Error) throw next;
      return next;
    },
    async check() {
      const next = checks[calls.check++];
      if (next === undefined) throw new Error(`${id}: no more checks`);
      return next;
    },
  };
}

function kinds(step: string): string[] {
  return journal
    .records()
    .filter((r) => r.step === step)
    .map((r) => `${r.kind}${r.kind === 'step-failed' ? ` ${JSON.stringify(r.data?.reason ?? null)}` : ''}`);
}

describe('runSteps', () => {
  it('runs each step once, in order, and skips those that succeeded on the next call', async () => {
    const a = step('a', { inFlight: 'repeat' }, [done]);
    const b = step('b', { inFlight: 'repeat' }, [done]);
    expect(await runSteps([a, b], { journal })).toEqual({ status: 'complete' });
    expect(await runSteps([a, b], { journal })).toEqual({ status: 'complete' });
    expect([a.calls.act, b.calls.act]).toEqual([1, 1]);
    expect(journal.state().completedSteps).toEqual(['a', 'b']);
  });

  it("repeats an idempotent step found in flight, recording it 'interrupted' first", async () => {
    journal.append('step-started', 'a');
    const a = step('a', { inFlight: 'repeat' }, [done]);
    expect(await runSteps([a], { journal })).toEqual({ status: 'complete' });
    expect(kinds('a')).toEqual([
      'step-started',
      'step-failed "interrupted"',
      'step-started',
      'step-succeeded',
    ]);
  });

  it('settles an at-most-once step found in flight by its check, and acts again only when it says not done', async () => {
    journal.append('step-started', 'a');
    const a = step('a', { inFlight: 'check' }, [], [{ kind: 'done', data: { found: true } }]);
    expect(await runSteps([a], { journal })).toEqual({ status: 'complete' });
    expect([a.calls.check, a.calls.act]).toEqual([1, 0]);

    journal.append('step-started', 'b');
    const notDone: Outcome = { kind: 'failed', final: false, data: { reason: 'not done', final: false } };
    const b = step('b', { inFlight: 'check' }, [done], [notDone]);
    expect(await runSteps([a, b], { journal })).toEqual({ status: 'complete' });
    expect([b.calls.check, b.calls.act]).toEqual([1, 1]);
  });

  it('leaves an act whose outcome is unknown in flight and stops with the policy error', async () => {
    const a = step('a', { inFlight: 'check', unknownOutcome: () => new Error('unknown') }, [
      new Error('lost'),
    ]);
    await expect(runSteps([a], { journal })).rejects.toThrow('unknown');
    expect(journal.state().inFlight).toBe('a');
  });

  it('records an act that threw through the rules, or leaves it in flight without them', async () => {
    const a = step('a', { inFlight: 'repeat' }, [new Error('boom')]);
    const rules = {
      actFailed: (id: string, e: unknown) => ({
        data: { reason: 'error', message: (e as Error).message } as JsonObject,
        error: new Error(`${id} failed`),
      }),
    };
    await expect(runSteps([a], { journal }, rules)).rejects.toThrow('a failed');
    expect(kinds('a')).toEqual(['step-started', 'step-failed "error"']);

    const b = step('b', { inFlight: 'repeat' }, [new Error('raw')]);
    await expect(runSteps([b], { journal })).rejects.toThrow('raw');
    expect(journal.state().inFlight).toBe('b');
  });

  it('stops at a wait and attempts the step again at the next call', async () => {
    const waiting: Outcome = { kind: 'waiting', data: { waiting: true } };
    const a = step('a', { inFlight: 'repeat' }, [waiting, done]);
    expect(await runSteps([a], { journal })).toEqual({
      status: 'waiting',
      step: 'a',
      data: { waiting: true },
    });
    expect(await runSteps([a], { journal })).toEqual({ status: 'complete' });
    expect(a.calls.act).toBe(2);
  });

  it('reports a final failure, and on the next call reports it again without acting', async () => {
    const failure = { reason: 'no', message: 'refused' };
    const final: Outcome = { kind: 'failed', final: true, data: { ...failure, final: true }, failure };
    const a = step('a', { inFlight: 'repeat' }, [final]);
    expect(await runSteps([a], { journal })).toEqual({
      status: 'failed',
      step: 'a',
      final: true,
      data: { ...failure, final: true },
      failure,
    });
    expect(await runSteps([a], { journal })).toEqual({
      status: 'failed',
      step: 'a',
      final: true,
      data: { ...failure, final: true },
    });
    expect(a.calls.act).toBe(1);
  });

  it('continues an attempt found in flight without a second step-started', async () => {
    journal.append('step-started', 'a');
    const a = step('a', { inFlight: 'continue' }, [done]);
    expect(await runSteps([a], { journal })).toEqual({ status: 'complete' });
    expect(a.calls.resumed).toEqual([true]);
    expect(kinds('a')).toEqual(['step-started', 'step-succeeded']);
  });

  it('calls the crash-test points after step-started and before step-succeeded', async () => {
    const points: string[] = [];
    const a = step('a', { inFlight: 'repeat' }, [done]);
    await runSteps([a], { journal }, { point: (p) => points.push(`${p} ${kinds('a').length}`) });
    expect(points).toEqual(['a:started 1', 'a:done 1']);
  });
});
