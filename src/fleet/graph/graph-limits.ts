/**
 * Intune's published Graph throttling limits (Microsoft Graph throttling guidance, "Intune
 * service limits": devices service), per 20-second window. tpm-doctor paces itself under the
 * per-app limits so Graph never has to throttle it; the per-tenant limits are shared with every
 * other app in the tenant, so we never take more than the per-app share.
 *
 * `$batch`: Graph evaluates each request inside a batch against these limits individually, so a
 * batch of 20 GETs costs 20 units of the "all requests" budget (and a batch of writes, 20 writes).
 */
export interface GraphLimits {
  /** Length of the sliding window, in milliseconds (Intune: 20,000). */
  windowMs: number;
  /** Any request, per app per tenant, per window (Intune: 2,000). */
  requestsPerWindow: number;
  /** POST/PUT/PATCH/DELETE, per app per tenant, per window (Intune: 200). */
  writesPerWindow: number;
}

/** The production limits (per app per tenant): 2,000 requests and 200 writes per 20 s. */
export const INTUNE_LIMITS: GraphLimits = Object.freeze({
  windowMs: 20_000,
  requestsPerWindow: 2_000,
  writesPerWindow: 200,
});

/** Graph's limit on requests inside one JSON $batch. */
export const BATCH_MAX_REQUESTS = 20;
