import type { CampaignSelection } from '../../fleet/campaign/campaign-selection.js';
import { pinSelectionToTriage } from '../../fleet/campaign/triage-pin.js';
import type { FleetStore } from '../../fleet/store/fleet-store.js';
import type { TenantIdentity } from '../../plan/tenant-pinning.js';
import { UsageError } from '../usage-error.js';

/**
 * Pins a triage selection to a finished triage run of the campaign's own tenant
 * (src/fleet/campaign/triage-pin.ts); a selection that cannot be pinned is a usage error.
 */
export async function triageForTarget(
  store: FleetStore,
  selection: CampaignSelection,
  tenant: TenantIdentity,
  verb: string,
  options: { maxAgeMs?: number; pinDevices?: boolean } = {},
  now: Date = new Date(),
): Promise<CampaignSelection> {
  const pinned = await pinSelectionToTriage(store, selection, tenant, options, now);
  if ('refusal' in pinned) throw new UsageError(pinned.refusal, verb);
  return pinned.selection;
}
