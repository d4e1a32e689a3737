import { type TenantIdentity, tenantPinRefusal } from '../../plan/tenant-pinning.js';
import type { FleetStore } from '../store/fleet-store.js';
import type { CampaignSelection } from './campaign-selection.js';

/**
 * Pins a triage selection to a finished triage run of the campaign's own tenant. One store can
 * hold triage runs of several tenants (a lab and production, two tenants of an MSP): a campaign
 * built from another tenant's triage would post to ids that mean nothing here, or, worse, to
 * devices nobody triaged. A clear also refuses a triage older than `maxAgeMs`: what made a clear
 * safe (an escrowed key, no lockout) is a fact about then, not now. Returns the pinned selection,
 * or why it cannot be pinned (the fleet commands and the console say it each their own way).
 */
export async function pinSelectionToTriage(
  store: FleetStore,
  selection: CampaignSelection,
  tenant: TenantIdentity,
  options: { maxAgeMs?: number; pinDevices?: boolean } = {},
  now: Date = new Date(),
): Promise<{ selection: CampaignSelection } | { refusal: string }> {
  const { maxAgeMs } = options;
  // Devices given by id need no triage to be synced, but a clear decides on their triage too.
  if (selection.kind !== 'triage' && !options.pinDevices) return { selection };
  const run =
    selection.runId !== undefined
      ? await store.triageRun(selection.runId)
      : await store.latestTriage(tenant.display);
  if (run === undefined) {
    return {
      refusal:
        selection.runId !== undefined
          ? `no finished triage run ${selection.runId} in ${store.description} ("tpm-doctor fleet status" lists them)`
          : `no finished triage of ${tenant.display} in ${store.description}: run "tpm-doctor fleet triage" against it first`,
    };
  }
  const refusal = tenantPinRefusal(
    { kind: 'triage', id: run.id },
    { display: run.target, key: run.tenantKey },
    tenant,
  );
  if (refusal !== undefined) return { refusal };
  const ageMs = now.getTime() - Date.parse(run.createdAt);
  // `!(ageMs <= max)`: an unreadable date (NaN) is too old, never fresh.
  if (maxAgeMs !== undefined && !(ageMs <= maxAgeMs)) {
    return {
      refusal:
        `triage run ${run.id} is ${(ageMs / 3_600_000).toFixed(1)} h old (at most ${(maxAgeMs / 3_600_000).toFixed(1)} h for this command): ` +
        'run "tpm-doctor fleet triage" again, or give --max-triage-age',
    };
  }
  return { selection: { ...selection, runId: run.id } };
}
