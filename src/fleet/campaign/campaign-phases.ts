import type { CampaignAction, DevicePhase } from '../store/fleet-store.js';

/**
 * Which phases end a device's part in a campaign. For sync and reboot the goal is a device that
 * synced and whose TPM-related settings are compliant. For remediate the goal is the evidence:
 * the detection script ran and reported (the device is `synced`); we collect evidence, we do not
 * clear remotely, so waiting for compliance would only run the campaign into its deadline.
 * For clear the goal is `compliant` again: the clear (reported by the device, `synced`), then its
 * restart and re-provisioning, then TPM settings compliant.
 */
export function isFinalPhase(action: CampaignAction, phase: DevicePhase): boolean {
  switch (phase) {
    case 'compliant':
    case 'failed':
    case 'timed-out':
      return true;
    case 'synced':
      return action === 'remediate';
    default:
      return false;
  }
}

/** Phases whose devices the tracker waits on for a new last sync (or, for remediate, a new run). */
export const AWAITING_SYNC: readonly DevicePhase[] = ['posted', 'unconfirmed'];

/** Every phase, in the order a device moves through them (for counts and displays). */
export const ALL_PHASES: readonly DevicePhase[] = [
  'pending',
  'posting',
  'posted',
  'unconfirmed',
  'synced',
  'compliant',
  'failed',
  'timed-out',
];

/** Phases that are not final for this action: what the tracker still has to settle. */
export function openPhases(action: CampaignAction): DevicePhase[] {
  return ALL_PHASES.filter((phase) => !isFinalPhase(action, phase));
}
