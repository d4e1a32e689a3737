import { type Clock, systemClock } from './clock.js';
import type { GraphLimits } from './graph-limits.js';
import { SlidingWindow } from './sliding-window.js';

/** What one HTTP request costs: Graph counts each request inside a $batch on its own (graph-limits.ts). */
export interface BudgetCost {
  requests: number;
  writes: number;
}

/** Held while a request is in flight; `settle()` when its answer (or failure) arrived. Idempotent. */
/** Writes an earlier process made `ageMs` ago, `writes` of them (one stored record). */
export interface EarlierWrites {
  ageMs: number;
  writes: number;
}

export interface BudgetLease {
  settle(): void;
}

export interface ThrottleBudgetOptions {
  clock?: Clock;
  /**
   * Added to the window before a unit expires. Units are stamped when their answer arrives, which
   * already bounds Graph's arrival stamp from above (sliding-window.ts); the margin covers what that
   * does not: timer and clock granularity (Node timers can fire a millisecond early against the
   * clock) and any difference between how Graph and we bound a window. Default: 1% of the window,
   * at least 5 ms, at most 200 ms (200 ms per 20 s window costs 1% of a long campaign).
   */
  safetyMarginMs?: number;
}

/**
 * Client-side pacing under Intune's per-app limits (graph-limits.ts; Microsoft Graph throttling
 * guidance, "Intune service limits"): a sliding window for all requests and one for writes.
 * `acquire` waits until sending now keeps both windows within their limits, first come first
 * served, so a batch of 20 is not starved by single requests. A 429 pauses the whole budget until
 * its Retry-After has passed (Graph: "wait the number of seconds specified in Retry-After"),
 * because every request we send meanwhile would be throttled too and extend the penalty.
 *
 * Packing: a window admits exactly its limit; the next unit waits only until the oldest settled
 * unit leaves the window. A run of N writes (each answered at once) takes
 * (ceil(N / writesPerWindow) - 1) * (windowMs + margin).
 */
export class ThrottleBudget {
  private readonly clock: Clock;
  private readonly requests: SlidingWindow;
  private readonly writes: SlidingWindow;
  /** When this budget began counting: writes after it are this process's, counted already. */
  private readonly startedAt: number;
  private pausedUntilMs = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();
  private settledSignal = signalOnce();

  constructor(
    readonly limits: GraphLimits,
    options: ThrottleBudgetOptions = {},
  ) {
    for (const key of ['windowMs', 'requestsPerWindow', 'writesPerWindow'] as const) {
      if (!(limits[key] > 0)) throw new RangeError(`GraphLimits.${key} must be positive, got ${limits[key]}`);
    }
    this.clock = options.clock ?? systemClock;
    const margin = options.safetyMarginMs ?? Math.min(200, Math.max(5, Math.round(limits.windowMs * 0.01)));
    if (!(margin >= 0)) throw new RangeError(`safetyMarginMs must be >= 0, got ${margin}`);
    this.requests = new SlidingWindow(limits.requestsPerWindow, limits.windowMs + margin);
    this.writes = new SlidingWindow(limits.writesPerWindow, limits.windowMs + margin);
    this.startedAt = this.clock.now();
  }

  /** Time until which a 429 paused the budget (on the budget's clock). */
  get pausedUntil(): number {
    return this.pausedUntilMs;
  }

  /**
   * How long a request costing `cost` would wait now for room in every window (and for a 429's
   * pause), in milliseconds: 0 when it could leave at once, Infinity while units in flight must
   * answer first. For display ("waiting for the next write window"); `acquire` does the waiting.
   */
  waitMs(cost: BudgetCost): number {
    const now = this.clock.now();
    const at = Math.max(
      this.pausedUntilMs,
      this.requests.roomAt(now, cost.requests),
      this.writes.roomAt(now, cost.writes),
    );
    return Math.max(0, at - now);
  }

  /**
   * Counts writes another process (or an earlier run) made `ageMs` milliseconds ago, each also a
   * request: Graph's window still holds them, so a process that starts with an empty budget would
   * be throttled by them (docs/campaigns.md, "Writes of an earlier run"). Ages at or beyond the
   * window are ignored, and so are writes made since this budget was created: this process's own
   * (a console runs many campaigns on one budget), already counted when they were answered. A
   * negative age (a clock ahead of ours) counts as now. An entry's `writes` (a stored count) is
   * clamped to the window's limit, as Graph never held more: it sizes nothing and can delay the
   * next write by one window at most. Returns how many were counted.
   */
  recordEarlierWrites(earlier: readonly EarlierWrites[]): number {
    const now = this.clock.now();
    let counted = 0;
    for (const { ageMs: age, writes } of earlier) {
      if (Number.isNaN(age) || age >= this.writes.windowMs) continue;
      if (!Number.isSafeInteger(writes) || writes <= 0) continue;
      // A time in the future (another machine's clock ahead of ours) counts as now.
      const at = age < 0 ? now : now - age;
      if (age >= 0 && at >= this.startedAt) continue;
      const units = Math.min(writes, this.limits.writesPerWindow);
      this.requests.settleEarlier(Math.min(units, this.limits.requestsPerWindow), at);
      this.writes.settleEarlier(units, at);
      counted += units;
    }
    return counted;
  }

  /** Stop sending for `ms` from now (a 429's Retry-After). Pauses never shorten an earlier pause. */
  pauseFor(ms: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, this.clock.now() + Math.max(0, ms));
  }

  /** Resolves with a lease once sending `cost` now keeps every window within its limit. */
  acquire(cost: BudgetCost, signal?: AbortSignal): Promise<BudgetLease> {
    if (!Number.isInteger(cost.requests) || !Number.isInteger(cost.writes) || cost.writes < 0) {
      return Promise.reject(new RangeError(`budget cost must be whole numbers, got ${JSON.stringify(cost)}`));
    }
    if (cost.writes > cost.requests) {
      return Promise.reject(new RangeError('every write is also a request: writes must be <= requests'));
    }
    if (cost.requests > this.limits.requestsPerWindow || cost.writes > this.limits.writesPerWindow) {
      return Promise.reject(
        new RangeError(
          `a request costing ${cost.requests} requests / ${cost.writes} writes can never fit the limits ` +
            `(${this.limits.requestsPerWindow} / ${this.limits.writesPerWindow} per ${this.limits.windowMs} ms)`,
        ),
      );
    }
    // One waiter at a time, in arrival order; a waiter that aborts lets the next one through.
    const turn = this.queue.then(() => this.admit(cost, signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async admit(cost: BudgetCost, signal: AbortSignal | undefined): Promise<BudgetLease> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const at = Math.max(
        this.pausedUntilMs,
        this.requests.roomAt(now, cost.requests),
        this.writes.roomAt(now, cost.writes),
      );
      if (at <= now) return this.reserve(cost);
      if (at === Number.POSITIVE_INFINITY) {
        await abortable(this.settledSignal.promise, signal);
      } else {
        await this.clock.sleep(at - now, signal);
      }
    }
  }

  private reserve(cost: BudgetCost): BudgetLease {
    this.requests.reserve(cost.requests);
    this.writes.reserve(cost.writes);
    let settled = false;
    return {
      settle: () => {
        if (settled) return;
        settled = true;
        const now = this.clock.now();
        this.requests.settle(cost.requests, now);
        this.writes.settle(cost.writes, now);
        const waiters = this.settledSignal;
        this.settledSignal = signalOnce();
        waiters.resolve();
      },
    };
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** A promise and its resolver (Promise.withResolvers is Node 22+; we support Node 20). */
function signalOnce(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
