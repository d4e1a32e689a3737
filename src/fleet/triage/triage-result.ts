import type { TriageRow } from '../store/fleet-store.js';
import type { DeviceFacts } from './device-facts.js';
import type { ClearBlocker, ClearSafety, EscrowStatus, TriageClass } from './triage-class.js';

/**
 * One device's triage: what the reports print, the JSON report carries (docs/triage.md) and the
 * store keeps for campaign selection. Holds no secret: recovery keys appear only as "escrowed" or
 * not, never as key material or even key IDs.
 */
export interface TriageResult {
  /** The Intune managedDevice id. */
  deviceId: string;
  deviceName: string | null;
  /** The Entra ID device ID (where BitLocker keys are escrowed). */
  azureAdDeviceId: string | null;
  userPrincipalName: string | null;
  class: TriageClass;
  clearSafety: ClearSafety;
  /** Why a clear is blocked (empty unless clearSafety is `blocked`). */
  clearBlockedBy: ClearBlocker[];
  escrow: EscrowStatus;
  /** Why this class: failing settings, Graph fields, the device's verdict. Plain sentences. */
  reasons: string[];
  /** The next step, in words. */
  remedy: string;
  /**
   * The device's own step in the admin's language, when triage ran in one other than English and
   * the step is the device's verdict (src/fleet/triage/triage-words.ts). Human reports only.
   */
  localRemedy?: string;
  /** Finding IDs from the device's own diagnosis (docs/findings.md), when it sent evidence. */
  findings: string[];
  /** The compliance settings Intune reports as failing (e.g. Windows10CompliancePolicy.TpmRequired). */
  failingSettings: string[];
  /** Intune's lastSyncDateTime, or null when the device never synced. */
  lastSync: string | null;
  /** When the Remediations evidence was collected on the device, when there was evidence. */
  evidenceAt: string | null;
  /** Hardware and failing-setting facts as Intune reports them; `unknown` where not read. */
  facts: DeviceFacts;
}

/** The row FleetStore keeps for a triaged device (campaign selection reads class and safety). */
export function toTriageRow(result: TriageResult): TriageRow {
  return {
    deviceId: result.deviceId,
    deviceName: result.deviceName,
    azureAdDeviceId: result.azureAdDeviceId,
    triageClass: result.class,
    clearSafety: result.clearSafety,
    lastSync: result.lastSync,
    reasons: [...result.reasons, ...result.clearBlockedBy.map((b) => `${b.code}: ${b.reason}`)],
    facts: result.facts,
  };
}
