import { type TenantIdentity, tenantPinRefusal } from '../../plan/tenant-pinning.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import type { FleetStore, NewCampaign, TriageRow } from '../store/fleet-store.js';
import { describeTriageFilter } from '../triage/triage-filter.js';
import { CampaignError } from './campaign-error.js';
import type { CampaignSelection } from './campaign-selection.js';
import { phaseLabel } from './campaign-status.js';
import { type ClearSinceTriage, clearsSinceTriage } from './clears-since-triage.js';
import { triageSelectionRows } from './triage-selection-rows.js';

/** A device a clear campaign will not touch, and why. */
export interface RefusedDevice {
  deviceId: string;
  deviceName: string | null;
  reason: string;
  /**
   * Set when a clear campaign since the triage (or one still open) refused it: the reason's facts,
   * so a dry run words it in its own language (refusalReason).
   */
  clearCampaign?: ClearSinceTriage & { triageRunId: number };
}

/** A refused device's reason in `ui`'s language (the stored `reason` is English). */
export function refusalReason(refused: RefusedDevice, ui: UiMessages = EN): string {
  const since = refused.clearCampaign;
  if (since === undefined) return refused.reason;
  const outcome = phaseLabel(ui, 'clear', since.phase);
  return since.open
    ? ui['fleet.clear-refusal.open-campaign']({
        campaign: since.campaignId,
        state: ui[`fleet.state.${since.campaignStatus}`],
        outcome,
      })
    : ui['fleet.clear-refusal.cleared-since-triage']({
        campaign: since.campaignId,
        outcome,
        run: since.triageRunId,
      });
}

export interface ClearSelection {
  /** How the devices were chosen, for the record. */
  description: string;
  /** The triage run the decision rests on. */
  triageRunId: number;
  devices: NewCampaign['devices'];
  /** The chosen devices' Entra ID device IDs as the triage read them (where their keys are escrowed). */
  azureAdDeviceIds: Map<string, string | null>;
  refused: RefusedDevice[];
}

/**
 * The guard rail of a clear campaign: a TPM clear destroys every key in the TPM, so a device is
 * selected only when its latest triage says its clear safety is `safe` (its recovery key escrowed
 * and matching, the ladder reaching a clear, nothing blocking: src/fleet/triage/clear-safety.ts).
 * Every other device asked for is refused with the reason the triage recorded; a device the
 * triage never saw is refused too, never chosen on a guess. Each device still runs its own
 * preflight gate before anything happens to its TPM.
 *
 * A triage taken before a device's last clear no longer speaks for it, and a device of a clear
 * campaign still open is that campaign's: both are refused whatever the triage says
 * (clears-since-triage.ts), and a new triage decides afresh.
 */
export async function selectClearSafe(
  store: FleetStore,
  selection: CampaignSelection,
  tenant: TenantIdentity,
): Promise<ClearSelection> {
  // The triage must be of this tenant: another tenant's "safe" says nothing about these devices.
  const run =
    selection.runId !== undefined
      ? await store.triageRun(selection.runId)
      : await store.latestTriage(tenant.display);
  if (run === undefined) {
    throw new CampaignError(
      `no finished triage of ${tenant.display} in the store: a clear campaign selects only devices whose triage says a clear is safe; run \`tpm-doctor fleet triage\` first`,
    );
  }
  const refusal = tenantPinRefusal(
    { kind: 'triage', id: run.id },
    { display: run.target, key: run.tenantKey },
    tenant,
  );
  if (refusal !== undefined) throw new CampaignError(refusal);
  const runId = run.id;
  const cleared = await clearsSinceTriage(store, run);
  if (selection.kind === 'triage') {
    const inScope = await triageSelectionRows(store, run, selection);
    // Whatever clear safety was asked for, only `safe` is chosen (split below): the record says so.
    const { clearSafety: _asked, ...filter } = selection;
    const filters = [...describeTriageFilter(filter), 'clear safety safe'];
    return split(`triage ${runId}, ${filters.join(', ')}`, runId, inScope, cleared);
  }
  const wanted = [...new Set(selection.deviceIds.map((id) => id.trim()).filter((id) => id !== ''))];
  const byId = new Map((await store.triageRows(runId)).map((row) => [row.deviceId, row]));
  const rows: TriageRow[] = [];
  const missing: RefusedDevice[] = [];
  for (const deviceId of wanted) {
    const row = byId.get(deviceId);
    if (row === undefined) {
      missing.push({
        deviceId,
        deviceName: null,
        reason: `not in triage ${runId}: its clear safety is unknown; triage it first`,
      });
    } else rows.push(row);
  }
  const chosen = split(
    `${wanted.length} device id${wanted.length === 1 ? '' : 's'} given, triage ${runId}`,
    runId,
    rows,
    cleared,
  );
  return { ...chosen, refused: [...missing, ...chosen.refused] };
}

function split(
  description: string,
  triageRunId: number,
  rows: readonly TriageRow[],
  cleared: ReadonlyMap<string, ClearSinceTriage>,
): ClearSelection {
  const devices: ClearSelection['devices'][number][] = [];
  const azureAdDeviceIds = new Map<string, string | null>();
  const refused: RefusedDevice[] = [];
  for (const row of rows) {
    const since = cleared.get(row.deviceId);
    if (since !== undefined) {
      const clearCampaign = { ...since, triageRunId };
      refused.push({
        deviceId: row.deviceId,
        deviceName: row.deviceName,
        reason: refusalReason({ deviceId: row.deviceId, deviceName: null, reason: '', clearCampaign }),
        clearCampaign,
      });
    } else if (row.clearSafety === 'safe') {
      devices.push({ deviceId: row.deviceId, deviceName: row.deviceName, baselineSync: row.lastSync });
      azureAdDeviceIds.set(row.deviceId, row.azureAdDeviceId);
    } else {
      refused.push({
        deviceId: row.deviceId,
        deviceName: row.deviceName,
        reason: `triage ${triageRunId} says clear safety "${row.clearSafety}" (${row.triageClass}${
          row.reasons.length > 0 ? `: ${row.reasons.join('; ')}` : ''
        }), not "safe"`,
      });
    }
  }
  return { description, triageRunId, devices, azureAdDeviceIds, refused };
}
