import type { CampaignSelection } from '../../fleet/campaign/campaign-selection.js';
import type { FleetStore } from '../../fleet/store/fleet-store.js';
import { type TenantIdentity, tenantPinRefusal } from '../../plan/tenant-pinning.js';
import { UsageError } from '../usage-error.js';

/**
 * Pins a triage selection to a finished triage run of the campaign's own tenant. One store can
 * hold triage runs of several tenants (a lab and production, two tenants of an MSP): a campaign
 * built from another tenant's triage would post to ids that mean nothing here, or, worse, to
 * devices nobody triaged. A clear also refuses a triage older than `maxAgeMs`: what made a clear
 * safe (an escrowed key, no lockout) is a fact about then, not now.
 */
export async function triageForTarget(
  store: FleetStore,
  selection: CampaignSelection,
  tenant: TenantIdentity,
  verb: string,
  options: { maxAgeMs?: number; pinDevices?: boolean } = {},
  now: Date = new Date(),
): Promise<CampaignSelection> {
  const { maxAgeMs } = options;
  // Devices given by id need no triage to be synced, but a clear decides on their triage too.
  if (selection.kind !== 'triage' && !options.pinDevices) return selection;
  const run =
    selection.runId !== undefined
      ? await store.triageRun(selection.runId)
      : await store.latestTriage(tenant.display);
  if (run === undefined) {
    throw new UsageError(
      selection.runId !== undefined
        ? `no finished triage run ${selection.runId} in ${store.description} ("tpm-doctor fleet status" lists them)`
        : `no finished triage of ${tenant.display} in ${store.description}: run "tpm-doctor fleet triage" against it first`,
      verb,
    );
  }
  const refusal = tenantPinRefusal(
    { kind: 'triage', id: run.id },
    { display: run.target, key: run.tenantKey },
    tenant,
  );
  if (refusal !== undefined) throw new UsageError(refusal, verb);
  const ageMs = now.getTime() - Date.parse(run.createdAt);
  // `!(ageMs <= max)`: an unreadable date (NaN) is too old, never fresh.
  if (maxAgeMs !== undefined && !(ageMs <= maxAgeMs)) {
    throw new UsageError(
      `triage run ${run.id} is ${(ageMs / 3_600_000).toFixed(1)} h old (at most ${(maxAgeMs / 3_600_000).toFixed(1)} h for this command): ` +
        'run "tpm-doctor fleet triage" again, or give --max-triage-age',
      verb,
    );
  }
  return { ...selection, runId: run.id };
}
