import type { UiMessages } from '../../text/messages/en.js';
import type { CampaignAction, FleetStore } from '../store/fleet-store.js';
import { TRIAGE_CLASSES, type TriageClass } from '../triage/triage-class.js';
import type { CampaignSelection } from './campaign-selection.js';
import { triageSelectionRows } from './triage-selection-rows.js';

/**
 * The campaign actions that can help a device of each class, read from the class's remedy
 * (triage-class.ts; docs/triage.md) on the ladder wait → restart → update → reconfigure → clear:
 * a sync for a device that has not checked in or whose fresh report re-evaluates a setting, a
 * restart for a stale health attestation (evaluated at boot, as triage-class.ts notes), evidence where the device's own diagnosis decides, a clear only where a clear is the remedy. A
 * lockout waits, firmware, Secure Boot, a missing TPM and BitLocker are fixed on the device or in
 * its firmware: no campaign action helps them.
 */
const HELPS: Readonly<Record<TriageClass, readonly CampaignAction[]>> = {
  healthy: [],
  'sync-stale': ['sync'],
  'tpm-clear-candidate': ['remediate', 'clear'],
  'tpm-wait': ['remediate'],
  'tpm-firmware': ['remediate'],
  'tpm-absent': [],
  'secure-boot': [],
  bitlocker: [],
  attestation: ['reboot', 'sync'],
  'device-action': ['sync', 'reboot', 'remediate', 'clear'],
  'non-compliant-other': [],
  unknown: ['sync', 'remediate'],
};

/** How many selected devices of a class `action` cannot help. */
export interface RemedyMisfit {
  triageClass: TriageClass;
  devices: number;
}

/**
 * The selected devices whose class `action` is not a remedy for, by class (a selection by device
 * id has no class to judge). The same rule for `fleet sync|reboot|remediate|clear --dry-run` and
 * the console's dry run.
 */
export async function remedyMisfits(
  store: FleetStore,
  selection: CampaignSelection,
  action: CampaignAction,
): Promise<RemedyMisfit[]> {
  if (selection.kind !== 'triage') return [];
  const run =
    selection.runId !== undefined ? await store.triageRun(selection.runId) : await store.latestTriage();
  if (!run) return [];
  const counts = new Map<TriageClass, number>();
  for (const row of await triageSelectionRows(store, run, selection)) {
    const triageClass = row.triageClass as TriageClass;
    if (!(TRIAGE_CLASSES as readonly string[]).includes(triageClass)) continue;
    if (HELPS[triageClass].includes(action)) continue;
    counts.set(triageClass, (counts.get(triageClass) ?? 0) + 1);
  }
  return TRIAGE_CLASSES.filter((c) => counts.has(c)).map((triageClass) => ({
    triageClass,
    devices: counts.get(triageClass) as number,
  }));
}

/** One warning line per misfit class, with the class's own remedy, in the admin's language. */
export function remedyWarnings(
  ui: UiMessages,
  action: CampaignAction,
  misfits: readonly RemedyMisfit[],
): string[] {
  return misfits.map(({ triageClass, devices }) =>
    ui['fleet.dry-run.not-the-remedy']({
      action: ui[`fleet.action.${action}`],
      devices,
      classTitle: ui[`triage.class.${triageClass}`],
      remedy: ui[`triage.remedy.${triageClass}`],
    }),
  );
}
