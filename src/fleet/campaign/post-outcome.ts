import { AmbiguousWriteError, GraphError } from '../graph/graph-error.js';
import { redactGraphError } from './redact-graph-error.js';

/**
 * What one POST's answer means for the device's phase. The rule is the campaign's guarantee: a
 * device is never posted twice, so anything short of "Graph certainly did not act" is recorded
 * as possibly done and never retried.
 */
export type PostOutcome =
  /** 2xx: Graph accepted the action. → `posted`. */
  | { kind: 'posted' }
  /** A 4xx other than 429: Graph refused it for good (unknown device, no permission...). → `failed`. */
  | { kind: 'refused'; error: string }
  /**
   * The request may have reached Graph and been acted on: the client's AmbiguousWriteError (sent,
   * then a timeout, a broken connection or a 500/502/504), or a failure we cannot place.
   * → `unconfirmed`: tracked by its last sync time, never re-sent. `stopRun` when the client did
   * not explain the failure: something is wrong beyond this device, so the campaign stops for a
   * human to look.
   */
  | { kind: 'ambiguous'; error: string; stopRun: boolean }
  /**
   * Graph certainly did not act: 429 or 503 past the client's retries (both mean "not processed",
   * Microsoft Graph throttling guidance), or a failure before anything was sent (no token, no
   * connection: a GraphError that the client did not mark ambiguous). → back to `pending`, and the
   * run stops: a resume posts it then.
   */
  | { kind: 'not-sent'; error: string };

/** Classifies the error a POST threw; the client has already retried what may be retried. */
export function classifyPostError(error: unknown): PostOutcome {
  const text = redactGraphError(error instanceof Error ? error.message : String(error));
  if (error instanceof AmbiguousWriteError) return { kind: 'ambiguous', error: text, stopRun: false };
  if (!(error instanceof GraphError)) return { kind: 'ambiguous', error: text, stopRun: true };
  const { status } = error;
  if (status === 0 || status === 429 || status === 503) return { kind: 'not-sent', error: text };
  if (status >= 400 && status < 500) return { kind: 'refused', error: text };
  return { kind: 'ambiguous', error: text, stopRun: true };
}
