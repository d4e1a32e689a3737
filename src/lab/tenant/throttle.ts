import {
  type GraphLimits,
  INTUNE_SERVICES,
  type IntuneService,
  serviceLimits,
} from '../../fleet/graph/graph-limits.js';

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

  add(now: number, units = 1): void {
    for (let i = 0; i < units; i++) this.#times.push(now);
  }

  /** Milliseconds until `units` more fit under `limit`: until enough of the oldest leave the window. */
  msUntilRoom(now: number, limit: number, units: number): number {
    const inWindow = this.count(now);
    const mustLeave = inWindow + units - limit;
    if (mustLeave <= 0) return 0;
    const leaving = this.#times[this.#head + mustLeave - 1];
    return leaving === undefined ? 0 : Math.max(0, leaving + this.windowMs - now);
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
  /**
   * Graph requests answered (each request inside a $batch counts), in throttle units: an
   * executeAction counts one per device it names (graph-routes.ts throttleUnits).
   */
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
 * One app's budget under Intune's limits (graph-limits.ts), per Intune service as Graph counts
 * them: all requests and writes, each in its own sliding window, separately for the devices
 * service and the device configuration service. A refused request is not counted against the
 * window, as Graph counts the requests it serves. The stats add the services up; the "in window"
 * maxima are the highest of any one service.
 */
export class AppThrottle {
  readonly limits: GraphLimits;
  readonly serviceLimits: Readonly<Record<IntuneService, GraphLimits>>;
  readonly #windows: Record<IntuneService, { all: SlidingWindow; writes: SlidingWindow }>;
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

  /** `limits`: the devices service's; the other services' follow (graph-limits.ts serviceLimits). */
  constructor(limits: GraphLimits) {
    this.limits = limits;
    this.serviceLimits = serviceLimits(limits);
    const windows = {} as Record<IntuneService, { all: SlidingWindow; writes: SlidingWindow }>;
    for (const service of INTUNE_SERVICES) {
      windows[service] = {
        all: new SlidingWindow(this.serviceLimits[service].windowMs),
        writes: new SlidingWindow(this.serviceLimits[service].windowMs),
      };
    }
    this.#windows = windows;
  }

  /** `units`: what the request costs (1, or one per device of an executeAction). */
  admit(now: number, write: boolean, service: IntuneService = 'devices', units = 1): Admission {
    this.stats.requests += units;
    if (write) this.stats.writes += units;
    const limits = this.serviceLimits[service];
    const window = this.#windows[service];
    const all = window.all.count(now);
    const writes = window.writes.count(now);
    const allFull = all + units > limits.requestsPerWindow;
    const writesFull = write && writes + units > limits.writesPerWindow;
    if (allFull || writesFull) {
      this.stats.throttled++;
      const waits = [allFull ? window.all.msUntilRoom(now, limits.requestsPerWindow, units) : 0];
      if (writesFull) waits.push(window.writes.msUntilRoom(now, limits.writesPerWindow, units));
      return { ok: false, retryAfterMs: Math.max(...waits) };
    }
    window.all.add(now, units);
    this.stats.maxRequestsInWindow = Math.max(this.stats.maxRequestsInWindow, all + units);
    if (write) {
      window.writes.add(now, units);
      this.stats.firstWriteAt ??= now;
      this.stats.lastWriteAt = now;
      this.stats.maxWritesInWindow = Math.max(this.stats.maxWritesInWindow, writes + units);
    }
    return { ok: true };
  }
}
