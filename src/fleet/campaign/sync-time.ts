/**
 * Graph reports a device that never synced with lastSyncDateTime 0001-01-01T00:00:00Z (managedDevice,
 * v1.0): no time at all, not a time long ago.
 */
const NEVER = Date.UTC(1601, 0, 1);

/** Milliseconds since the epoch of an ISO 8601 time, or undefined for "never" and for non-times. */
export function parseGraphTime(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < NEVER) return undefined;
  return ms;
}

/**
 * True when `lastSync` is later than the device's baseline (its last sync when it joined the
 * campaign). A device with no baseline (never synced, or unknown) counts as synced at its first
 * real sync time. A value that is not a time never counts: a malformed answer must not declare
 * a device synced.
 */
export function syncMovedPast(baseline: string | null, lastSync: string | null | undefined): boolean {
  const now = parseGraphTime(lastSync);
  if (now === undefined) return false;
  const before = parseGraphTime(baseline);
  return before === undefined || now > before;
}
