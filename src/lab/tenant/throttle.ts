import type { GraphLimits } from '../../fleet/graph/graph-limits.js';

/**
 * A sliding window of request times: how many fell within the last `windowMs`. Times are kept in
 * a growable ring, so a window of 2,000 costs a few kilobytes.
 */
class SlidingWindow {
  #times: number[] = [];
  #head = 0;

  constructor(readonly windowMs: number) {}

  /** How many requests are still inside the window at `now`. */
  count(now: number): number {
    this.#expire(now);
    return this.#times.length - this.#head;
  }

  add(now: number): void {
    this.#times.push(now);
  }

  /** Milliseconds until the oldest request in the window leaves it. */
  msUntilSlot(now: number): number {
    this.#expire(now);
    const oldest = this.#times[this.#head];
    return oldest === undefined ? 0 : Math.max(0, oldest + this.windowMs - now);
  }

  #expire(now: number): void {
    while (this.#head < this.#times.length && this.#times[this.#head]! <= now - this.windowMs) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#head = 0;
    }
  }
}

export interface AppStats {
  /** Graph requests answered (each request inside a $batch counts). */
  requests: number;
  writes: number;
  /** 429s answered (with or without Retry-After). */
  throttled: number;
  throttledWithoutRetryAfter: number;
  /** 503/504 injected by `transientErrorRate`. */
  transientErrors: number;
  /** The most requests / writes admitted within any one window. */
  maxRequestsInWindow: number;
  maxWritesInWindow: number;
  /** When the first and the last admitted write arrived (epoch ms; null before any): a campaign's pace. */
  firstWriteAt: number | null;
  lastWriteAt: number | null;
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * One app's budget under Intune's limits (graph-limits.ts): all requests and writes, each in its
 * own sliding window. A refused request is not counted against the window, as Graph counts the
 * requests it serves.
 */
export class AppThrottle {
  readonly #all: SlidingWindow;
  readonly #writes: SlidingWindow;
  readonly stats: AppStats = {
    requests: 0,
    writes: 0,
    throttled: 0,
    throttledWithoutRetryAfter: 0,
    transientErrors: 0,
    maxRequestsInWindow: 0,
    maxWritesInWindow: 0,
    firstWriteAt: null,
    lastWriteAt: null,
  };

  constructor(readonly limits: GraphLimits) {
    this.#all = new SlidingWindow(limits.windowMs);
    this.#writes = new SlidingWindow(limits.windowMs);
  }

  admit(now: number, write: boolean): Admission {
    this.stats.requests++;
    if (write) this.stats.writes++;
    const all = this.#all.count(now);
    const writes = this.#writes.count(now);
    if (all >= this.limits.requestsPerWindow || (write && writes >= this.limits.writesPerWindow)) {
      this.stats.throttled++;
      const waits = [all >= this.limits.requestsPerWindow ? this.#all.msUntilSlot(now) : 0];
      if (write && writes >= this.limits.writesPerWindow) waits.push(this.#writes.msUntilSlot(now));
      return { ok: false, retryAfterMs: Math.max(...waits) };
    }
    this.#all.add(now);
    this.stats.maxRequestsInWindow = Math.max(this.stats.maxRequestsInWindow, all + 1);
    if (write) {
      this.#writes.add(now);
      this.stats.firstWriteAt ??= now;
      this.stats.lastWriteAt = now;
      this.stats.maxWritesInWindow = Math.max(this.stats.maxWritesInWindow, writes + 1);
    }
    return { ok: true };
  }
}
