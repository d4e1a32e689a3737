import { CLEAR_SAFETIES, type TriageClass } from './triage-class.js';
import type { TriageResult } from './triage-result.js';

/**
 * The order an admin works through a fleet: the TPM's own problems first (a decision to take),
 * then configuration, then syncs. Every report lists devices in this order.
 */
const URGENCY: readonly TriageClass[] = [
  'tpm-clear-candidate',
  'tpm-wait',
  'tpm-firmware',
  'tpm-absent',
  'attestation',
  'secure-boot',
  'bitlocker',
  'device-action',
  'sync-stale',
  'non-compliant-other',
  'unknown',
  'healthy',
];

/** What the order reads of a device: a report's TriageResult, or a stored row read back (the console). */
type UrgencyFacts = Pick<TriageResult, 'class' | 'clearSafety' | 'deviceName' | 'deviceId'>;

/** Most urgent first (URGENCY), then safe before blocked, then by name. */
export function byUrgency(a: UrgencyFacts, b: UrgencyFacts): number {
  const order = URGENCY.indexOf(a.class) - URGENCY.indexOf(b.class);
  if (order !== 0) return order;
  const safety = CLEAR_SAFETIES.indexOf(a.clearSafety) - CLEAR_SAFETIES.indexOf(b.clearSafety);
  return safety !== 0 ? safety : (a.deviceName ?? a.deviceId).localeCompare(b.deviceName ?? b.deviceId);
}
