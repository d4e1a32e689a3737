/**
 * Intune's published Graph throttling limits, per 20-second window, one set per Intune service
 * (Microsoft Graph service-specific throttling limits, "Intune service limits":
 * https://learn.microsoft.com/graph/throttling-limits#intune-service-limits). Each service counts
 * its own requests: docs/graph-calls.md names the service of every call. tpm-doctor paces itself under the
 * per-app limits so Graph never has to throttle it; the per-tenant limits are shared with every
 * other app in the tenant, so we never take more than the per-app share.
 *
 * `$batch`: Graph evaluates each request inside a batch against these limits individually, so a
 * batch of 20 GETs costs 20 units of the "all requests" budget (and a batch of writes, 20 writes).
 */
/** Graph's limit on requests inside one JSON $batch. */
export const BATCH_MAX_REQUESTS = 20;

export interface GraphLimits {
  /** Length of the sliding window, in milliseconds (Intune: 20,000). */
  windowMs: number;
  /** Any request, per app per tenant, per window (Intune: 2,000). */
  requestsPerWindow: number;
  /** POST/PUT/PATCH/DELETE, per app per tenant, per window (Intune: 200). */
  writesPerWindow: number;
}

/** The devices service's limits (per app per tenant): 2,000 requests and 200 writes per 20 s. */
export const INTUNE_LIMITS: GraphLimits = Object.freeze({
  windowMs: 20_000,
  requestsPerWindow: 2_000,
  writesPerWindow: 200,
});

/**
 * The Intune services tpm-doctor's calls belong to: `devices` (managedDevice, its actions,
 * deviceHealthScript and its run states) and `deviceConfiguration` (the compliance setting-state
 * summaries, deviceComplianceSettingState, deviceCompliancePolicyState). The BitLocker recovery key
 * listing is not an Intune call (its limits are Microsoft Entra's, far above these); it is paced
 * with the devices service, as it always was.
 */
export type IntuneService = 'devices' | 'deviceConfiguration';
export const INTUNE_SERVICES: readonly IntuneService[] = ['devices', 'deviceConfiguration'];

/** The device configuration service's limits (per app per tenant): 1,000 requests and 100 writes per 20 s. */
export const INTUNE_DEVICE_CONFIGURATION_LIMITS: GraphLimits = Object.freeze({
  windowMs: 20_000,
  requestsPerWindow: 1_000,
  writesPerWindow: 100,
});

/**
 * Every service's limits, from the devices service's as given (the lab's shorter window, a
 * --graph-share fraction): the same window, and the other services in their published proportion
 * to the devices service, never below one full $batch and one write per window.
 */
export function serviceLimits(devices: GraphLimits): Readonly<Record<IntuneService, GraphLimits>> {
  const scale = (published: GraphLimits): GraphLimits =>
    Object.freeze({
      windowMs: devices.windowMs,
      requestsPerWindow: Math.max(
        BATCH_MAX_REQUESTS,
        Math.floor(
          (devices.requestsPerWindow * published.requestsPerWindow) / INTUNE_LIMITS.requestsPerWindow,
        ),
      ),
      writesPerWindow: Math.max(
        1,
        Math.floor((devices.writesPerWindow * published.writesPerWindow) / INTUNE_LIMITS.writesPerWindow),
      ),
    });
  return Object.freeze({ devices, deviceConfiguration: scale(INTUNE_DEVICE_CONFIGURATION_LIMITS) });
}

/** Paths (after the version) served by Intune's device configuration service (docs/graph-calls.md). */
const DEVICE_CONFIGURATION_PATH =
  /^\/deviceManagement\/(deviceCompliancePolicySettingStateSummaries\b|managedDevices\/[^/?]+\/deviceCompliancePolicyStates\b)/;

/** The Intune service a request path (after the version, query allowed) belongs to. */
export function intuneServiceOf(path: string): IntuneService {
  return DEVICE_CONFIGURATION_PATH.test(path) ? 'deviceConfiguration' : 'devices';
}
