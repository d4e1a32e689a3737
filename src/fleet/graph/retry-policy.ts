/**
 * When to try a Graph request again, and after how long. Sources: Microsoft Graph throttling
 * guidance (https://learn.microsoft.com/graph/throttling: honour Retry-After, otherwise back off
 * exponentially) and the Intune service limits (some Intune endpoints answer 429 without
 * Retry-After). Backoff uses "full jitter" (a random delay between 0 and the exponential cap) so
 * many clients throttled together do not come back together.
 *
 * Reads (GET, and $batch of GETs) are idempotent: retried on 429, 5xx (except 501/505, which are
 * permanent), timeouts and broken connections. Writes are retried only when the service said it
 * did NOT process them: 429 and 503, or a connection that was refused before anything was sent.
 * A write that timed out, lost its connection after sending, or got 500/502/504 is ambiguous and
 * never retried (graph-error.ts, AmbiguousWriteError).
 */

/** What came of one attempt. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter: string | null }
  | { kind: 'timeout' }
  /** `sent: false` when the connection failed before the request left (refused, DNS). */
  | { kind: 'network'; sent: boolean };

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string; fromRetryAfter: boolean }
  | { retry: false; ambiguousWrite: boolean };

export interface RetryPolicyOptions {
  /** Retries after the first attempt (so maxRetries + 1 attempts in all). */
  maxRetries: number;
  /** The backoff cap for the first retry; doubled per retry. */
  baseDelayMs: number;
  /** The backoff cap never grows past this. */
  maxDelayMs: number;
  /** [0, 1); injectable for tests. */
  random?: () => number;
}

const DEFAULT_RETRY_OPTIONS: RetryPolicyOptions = Object.freeze({
  maxRetries: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
});

/** 500, 502 and 504 do not say whether the service acted on the request. */
const AMBIGUOUS_STATUSES: ReadonlySet<number> = new Set([500, 502, 504]);
/** 429 and 503 say the request was refused, not processed. */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export class RetryPolicy {
  private readonly options: RetryPolicyOptions;
  private readonly random: () => number;

  constructor(options: Partial<RetryPolicyOptions> = {}) {
    this.options = { ...DEFAULT_RETRY_OPTIONS, ...options };
    this.random = options.random ?? Math.random;
    if (!(this.options.maxRetries >= 0)) throw new RangeError('maxRetries must be >= 0');
  }

  get maxRetries(): number {
    return this.options.maxRetries;
  }

  /**
   * `retriesSoFar` counts retries already made for this request (0 after the first attempt).
   * `idempotent` is true for GETs and batches of GETs.
   */
  decide(
    outcome: AttemptOutcome,
    idempotent: boolean,
    retriesSoFar: number,
    nowEpochMs: number,
  ): RetryDecision {
    const ambiguousWrite = !idempotent && isAmbiguousForWrites(outcome);
    if (!isRetryable(outcome, idempotent) || retriesSoFar >= this.options.maxRetries) {
      return { retry: false, ambiguousWrite };
    }
    const retryAfterMs =
      outcome.kind === 'response' && outcome.retryAfter !== null
        ? parseRetryAfter(outcome.retryAfter, nowEpochMs)
        : null;
    const reason =
      outcome.kind === 'response'
        ? `HTTP ${outcome.status}`
        : outcome.kind === 'timeout'
          ? 'timeout'
          : 'network';
    if (retryAfterMs !== null) return { retry: true, delayMs: retryAfterMs, reason, fromRetryAfter: true };
    return { retry: true, delayMs: this.backoffMs(retriesSoFar), reason, fromRetryAfter: false };
  }

  /** Full jitter: uniform in [0, min(maxDelay, base * 2^retry)). */
  backoffMs(retriesSoFar: number): number {
    const cap = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** retriesSoFar);
    return Math.floor(this.random() * cap);
  }
}

function isRetryable(outcome: AttemptOutcome, idempotent: boolean): boolean {
  switch (outcome.kind) {
    case 'timeout':
      return idempotent;
    case 'network':
      return idempotent || !outcome.sent;
    case 'response':
      if (REFUSED_STATUSES.has(outcome.status)) return true;
      return idempotent && AMBIGUOUS_STATUSES.has(outcome.status);
  }
}

function isAmbiguousForWrites(outcome: AttemptOutcome): boolean {
  switch (outcome.kind) {
    case 'timeout':
      return true;
    case 'network':
      return outcome.sent;
    case 'response':
      return AMBIGUOUS_STATUSES.has(outcome.status);
  }
}

/**
 * The longest wait a Retry-After can impose. Graph's throttling answers ask for seconds to a few
 * minutes (https://learn.microsoft.com/graph/throttling); a larger value is a broken or hostile
 * answer, and must neither stall a campaign for a day nor overflow Node's timers (a delay over
 * 2^31-1 ms fires at once: src/fleet/graph/clock.ts). The request is retried after this long, and
 * still ends after maxRetries.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * Retry-After (RFC 9110 §10.2.3): a number of seconds, or an HTTP-date. Returns milliseconds to
 * wait (0 for a date in the past, at most MAX_RETRY_AFTER_MS), or null when the header is
 * unusable, so backoff applies.
 */
export function parseRetryAfter(value: string, nowEpochMs: number): number | null {
  const ms = retryAfterMs(value.trim(), nowEpochMs);
  return ms === null ? null : Math.min(ms, MAX_RETRY_AFTER_MS);
}

function retryAfterMs(trimmed: string, nowEpochMs: number): number | null {
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d+\.\d+$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000); // lenient: fractional seconds
  // HTTP-dates always name a weekday and GMT; Date.parse alone accepts far too much ("1").
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowEpochMs);
}
