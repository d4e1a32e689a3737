import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThrottleBudget } from '../../../src/fleet/graph/throttle-budget.js';
import { FakeClock } from './support/fake-clock.js';

const LIMITS = { windowMs: 20_000, requestsPerWindow: 2_000, writesPerWindow: 200 };

describe('ThrottleBudget (fake clock)', () => {
  it('admits a full window at once, then waits for the oldest answer to leave the window', async () => {
    const clock = new FakeClock();
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 10, writesPerWindow: 3 },
      {
        clock,
        safetyMarginMs: 10,
      },
    );
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const lease = await clock.drive(budget.acquire({ requests: 1, writes: 1 }));
      times.push(clock.now());
      lease.settle();
    }
    expect(times).toEqual([0, 0, 0, 1_010]);
  });

  it('counts the writes an earlier process made within the window, and no others', async () => {
    const clock = new FakeClock();
    await clock.advance(60_000); // an earlier process's writes are older than this budget
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 10, writesPerWindow: 3 },
      { clock, safetyMarginMs: 0 },
    );
    // 1,000 ms old: already out of the window; NaN: unreadable; -50: a clock ahead of ours (now).
    expect(budget.recordEarlierWrites(ones([1_000, 5_000, Number.NaN, 400, 200, -50]))).toBe(3);
    expect(budget.waitMs({ requests: 1, writes: 1 })).toBe(600);
    const lease = await clock.drive(budget.acquire({ requests: 1, writes: 1 }));
    expect(clock.now()).toBe(60_600); // the 400 ms old write left the window
    lease.settle();
    // This budget's own writes (made after it was created) are counted already: not twice.
    expect(budget.recordEarlierWrites(ones([0, 100]))).toBe(0);
  });

  it('clamps a stored count to the window limit: a hostile record of 300,000,000 writes delays one window, no more', async () => {
    const clock = new FakeClock();
    await clock.advance(60_000);
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 10, writesPerWindow: 3 },
      { clock, safetyMarginMs: 0 },
    );
    // Counts that are no positive whole number are ignored; the huge one counts as a full window.
    expect(
      budget.recordEarlierWrites([
        { ageMs: 200, writes: 300_000_000 },
        { ageMs: 100, writes: 0 },
        { ageMs: 100, writes: -5 },
        { ageMs: 100, writes: 1.5 },
        { ageMs: 100, writes: Number.POSITIVE_INFINITY },
      ]),
    ).toBe(3);
    expect(budget.waitMs({ requests: 1, writes: 1 })).toBe(800);
    const lease = await clock.drive(budget.acquire({ requests: 1, writes: 1 }));
    expect(clock.now()).toBe(60_800);
    lease.settle();
  });

  it('counts a $batch of 20 as 20 requests', async () => {
    const clock = new FakeClock();
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 30, writesPerWindow: 5 },
      {
        clock,
        safetyMarginMs: 0,
      },
    );
    (await clock.drive(budget.acquire({ requests: 20, writes: 0 }))).settle();
    (await clock.drive(budget.acquire({ requests: 10, writes: 0 }))).settle();
    await clock.drive(budget.acquire({ requests: 1, writes: 0 }));
    expect(clock.now()).toBe(1_000);
  });

  it('refuses a cost that can never fit, and writes that are not requests', async () => {
    const budget = new ThrottleBudget({ windowMs: 1_000, requestsPerWindow: 10, writesPerWindow: 5 });
    await expect(budget.acquire({ requests: 11, writes: 0 })).rejects.toThrow(/can never fit/);
    await expect(budget.acquire({ requests: 6, writes: 6 })).rejects.toThrow(/can never fit/);
    await expect(budget.acquire({ requests: 1, writes: 2 })).rejects.toThrow(/writes must be <= requests/);
  });

  it('counts requests in flight until they are answered, stamped at the answer', async () => {
    const clock = new FakeClock();
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 2, writesPerWindow: 2 },
      {
        clock,
        safetyMarginMs: 0,
      },
    );
    const first = await clock.drive(budget.acquire({ requests: 1, writes: 0 }));
    const second = await clock.drive(budget.acquire({ requests: 1, writes: 0 }));
    let thirdAdmitted = false;
    const third = budget.acquire({ requests: 1, writes: 0 }).then((lease) => {
      thirdAdmitted = true;
      return lease;
    });
    await clock.advance(5_000); // time passes, but both are still in flight
    expect(thirdAdmitted).toBe(false);
    first.settle(); // answered at t=5000: counts in [5000, 6000)
    second.settle();
    await clock.advance(999);
    expect(thirdAdmitted).toBe(false);
    await clock.advance(1);
    expect(thirdAdmitted).toBe(true);
    (await third).settle();
  });

  it('a 429 pauses the whole budget until Retry-After has passed', async () => {
    const clock = new FakeClock();
    const budget = new ThrottleBudget(LIMITS, { clock });
    (await clock.drive(budget.acquire({ requests: 1, writes: 0 }))).settle();
    budget.pauseFor(7_000);
    budget.pauseFor(2_000); // a shorter pause never shortens the first
    await clock.drive(budget.acquire({ requests: 1, writes: 0 }));
    expect(clock.now()).toBe(7_000);
  });

  it('serves waiters in arrival order: a batch of 20 is not starved by single requests', async () => {
    const clock = new FakeClock();
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 20, writesPerWindow: 20 },
      {
        clock,
        safetyMarginMs: 0,
      },
    );
    (await clock.drive(budget.acquire({ requests: 20, writes: 0 }))).settle();
    const order: string[] = [];
    const batch = budget.acquire({ requests: 20, writes: 0 }).then((lease) => {
      order.push('batch');
      lease.settle();
    });
    const singles = Array.from({ length: 5 }, (_, i) =>
      budget.acquire({ requests: 1, writes: 0 }).then((lease) => {
        order.push(`single${i}`);
        lease.settle();
      }),
    );
    await clock.drive(Promise.all([batch, ...singles]));
    expect(order[0]).toBe('batch');
    expect(order).toHaveLength(6);
  });

  it('an aborted waiter rejects and lets the next one through', async () => {
    const clock = new FakeClock();
    const budget = new ThrottleBudget(
      { windowMs: 1_000, requestsPerWindow: 1, writesPerWindow: 1 },
      {
        clock,
        safetyMarginMs: 0,
      },
    );
    (await clock.drive(budget.acquire({ requests: 1, writes: 0 }))).settle();
    const controller = new AbortController();
    const aborted = budget.acquire({ requests: 1, writes: 0 }, controller.signal);
    const next = budget.acquire({ requests: 1, writes: 0 });
    controller.abort(new Error('user pressed Ctrl-C'));
    await expect(aborted).rejects.toThrow('Ctrl-C');
    await clock.drive(next);
    expect(clock.now()).toBe(1_000);
  });

  it('10,000 writes finish within 1.1x of the minimum the Intune limits allow', async () => {
    const clock = new FakeClock();
    const budget = new ThrottleBudget(LIMITS, { clock });
    const n = 10_000;
    for (let i = 0; i < n; i++) (await clock.drive(budget.acquire({ requests: 1, writes: 1 }))).settle();
    const minimum = (Math.ceil(n / LIMITS.writesPerWindow) - 1) * LIMITS.windowMs;
    expect(clock.now()).toBeGreaterThanOrEqual(minimum);
    expect(clock.now()).toBeLessThanOrEqual(1.1 * minimum);
  });

  it('never lets any window hold more than the limits, for any costs and latencies (property)', async () => {
    const limits = { windowMs: 1_000, requestsPerWindow: 40, writesPerWindow: 8 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ requests: fc.integer({ min: 1, max: 20 }), write: fc.boolean(), latency: fc.nat(300) }),
          { minLength: 1, maxLength: 60 },
        ),
        async (plan) => {
          const clock = new FakeClock();
          const budget = new ThrottleBudget(limits, { clock, safetyMarginMs: 0 });
          // Graph may count a request at any moment between our send and its answer: check both ends.
          const sent: { at: number; requests: number; writes: number; answeredAt: number }[] = [];
          const all = plan.map(async (step) => {
            const cost = { requests: step.requests, writes: step.write ? Math.min(step.requests, 8) : 0 };
            const lease = await budget.acquire(cost);
            const at = clock.now();
            await clock.sleep(step.latency);
            lease.settle();
            sent.push({ at, answeredAt: clock.now(), ...cost });
          });
          await clock.drive(Promise.all(all));
          for (const pick of ['at', 'answeredAt'] as const) {
            for (const start of sent) {
              const from = start[pick];
              const inWindow = sent.filter((s) => s[pick] >= from && s[pick] < from + limits.windowMs);
              expect(inWindow.reduce((sum, s) => sum + s.requests, 0)).toBeLessThanOrEqual(
                limits.requestsPerWindow,
              );
              expect(inWindow.reduce((sum, s) => sum + s.writes, 0)).toBeLessThanOrEqual(
                limits.writesPerWindow,
              );
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** One write per age, as a campaign's device rows give them. */
function ones(agesMs: readonly number[]): { ageMs: number; writes: number }[] {
  return agesMs.map((ageMs) => ({ ageMs, writes: 1 }));
}
