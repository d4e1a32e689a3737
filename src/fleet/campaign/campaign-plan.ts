import type { GraphLimits } from '../graph/graph-limits.js';
import type { CampaignAction, FleetStore } from '../store/fleet-store.js';
import type { CampaignSelection } from './campaign-selection.js';
import type { ClearSelection, RefusedDevice } from './clear-selection.js';
import { triageSelectionRows } from './triage-selection-rows.js';

/** A device a campaign would act on, as a dry run lists it. */
export interface PlannedDevice {
  deviceId: string;
  deviceName: string | null;
}

/**
 * The dry run of a sync, reboot or evidence campaign (`fleet sync --dry-run --json`): what would
 * be posted to how many devices, and the least time Graph's write limit makes posting take.
 */
export interface PostingPlan {
  dryRun: true;
  action: CampaignAction;
  devices: number;
  minimumPostingSeconds: number;
  limits: GraphLimits;
}

/** The dry run of a clear campaign (`fleet clear --dry-run --json`). */
export interface ClearPlan {
  dryRun: true;
  action: 'clear';
  selection: string;
  approvedBy: string | null;
  ticket: string | null;
  devices: PlannedDevice[];
  refused: RefusedDevice[];
}

/**
 * The devices a selection names: the listed ids, or the rows of its triage run (the latest
 * when it names none) that match its filter; undefined when the store holds no finished triage.
 */
export async function selectedDevices(
  store: FleetStore,
  selection: CampaignSelection,
): Promise<PlannedDevice[] | undefined> {
  if (selection.kind === 'devices')
    return selection.deviceIds.map((deviceId) => ({ deviceId, deviceName: null }));
  const run =
    selection.runId !== undefined ? await store.triageRun(selection.runId) : await store.latestTriage();
  if (!run) return undefined;
  return (await triageSelectionRows(store, run, selection)).map(({ deviceId, deviceName }) => ({
    deviceId,
    deviceName,
  }));
}

/**
 * How long posting `count` actions takes at least: one window's worth of writes goes at once,
 * each further window's worth waits a window (https://learn.microsoft.com/en-us/graph/throttling-limits#intune-service-limits).
 */
export function postingPlan(action: CampaignAction, count: number, limits: GraphLimits): PostingPlan {
  const { windowMs, writesPerWindow } = limits;
  const minimumMs = Math.max(0, Math.ceil(count / writesPerWindow) - 1) * windowMs;
  return { dryRun: true, action, devices: count, minimumPostingSeconds: minimumMs / 1000, limits };
}

/** A clear campaign's dry run from its guard-railed selection (src/fleet/campaign/clear-selection.ts). */
export function clearPlan(
  chosen: ClearSelection,
  approval: { approvedBy: string; ticket: string } | undefined,
): ClearPlan {
  return {
    dryRun: true,
    action: 'clear',
    selection: chosen.description,
    approvedBy: approval?.approvedBy ?? null,
    ticket: approval?.ticket ?? null,
    devices: chosen.devices.map(({ deviceId, deviceName }) => ({ deviceId, deviceName })),
    refused: chosen.refused,
  };
}
