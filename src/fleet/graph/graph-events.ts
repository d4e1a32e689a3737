/**
 * What the Graph client reports while it works (for progress displays and `--verbose` logs) and
 * the counters it keeps. Paths are rendered without query values (graph-error.ts) and nothing
 * here ever holds an access token.
 */
export type GraphEvent =
  | {
      type: 'response';
      method: string;
      path: string;
      status: number;
      requestId: string | null;
      /** Requests inside a $batch, 0 for a plain request. */
      innerRequests: number;
    }
  | { type: 'retry'; method: string; path: string; reason: string; delayMs: number; retry: number }
  | { type: 'throttled'; method: string; path: string; pauseMs: number; fromRetryAfter: boolean }
  | { type: 'batch-retry'; path: string; items: number; reason: string; delayMs: number; round: number }
  | { type: 'token'; action: 'acquired' | 'rejected-by-graph' };

export interface GraphStats {
  /** HTTP requests sent (every attempt, $batch envelopes included). */
  httpRequests: number;
  /** Requests carried inside $batch envelopes (every attempt). */
  innerRequests: number;
  /** Attempts repeated after a retryable answer, plain and inside batches. */
  retries: number;
  /** 429 answers seen, plain and inside batches. */
  throttled: number;
  /** HTTP requests by method. */
  byMethod: Record<string, number>;
}

export function emptyGraphStats(): GraphStats {
  return { httpRequests: 0, innerRequests: 0, retries: 0, throttled: 0, byMethod: {} };
}
