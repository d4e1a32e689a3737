import { tenantPinRefusal } from '../../plan/tenant-pinning.js';
import type { CampaignStatus, DevicePhase, FleetStore, TriageRun } from '../store/fleet-store.js';

/** A clear campaign that makes a triage's "safe to clear" stale for one device. */
export interface ClearSinceTriage {
  campaignId: string;
  campaignStatus: CampaignStatus;
  /** The device's phase in that campaign: its outcome so far. */
  phase: DevicePhase;
  /** The campaign is still running or stopped: it may yet clear the device. */
  open: boolean;
}

/**
 * The devices a triage's clear safety no longer speaks for: those of a clear campaign of the same
 * tenant that is still open (running or stopped: whatever the triage, the device is that campaign's
 * to finish), and those a clear campaign posted to since the triage began. A TPM clear destroys the
 * keys and owner state the triage judged (TCG TPM 2.0 Library Part 3, 24.6 TPM2_Clear), so "safe"
 * from before the clear says nothing about the device after it.
 *
 * Only two rows leave a device free: `pending` (never posted) and `failed` with no post time
 * (Graph refused the POST, so nothing reached the device). Every other phase may have run the
 * clear. The time a row counts from is the later of its post and its last change, and a time that
 * does not read as a date counts as after the triage: unknown is never "not cleared". A store that
 * cannot be read throws, and the selection fails with it.
 */
export async function clearsSinceTriage(
  store: FleetStore,
  run: Pick<TriageRun, 'createdAt' | 'target' | 'tenantKey'>,
): Promise<Map<string, ClearSinceTriage>> {
  const triageStart = Date.parse(run.createdAt);
  const found = new Map<string, ClearSinceTriage>();
  const campaigns = (await store.listCampaigns()).filter(
    (campaign) =>
      campaign.action === 'clear' &&
      tenantPinRefusal(
        { kind: 'campaign', id: campaign.id },
        { display: campaign.target, key: campaign.tenantKey },
        { display: run.target, key: run.tenantKey },
      ) === undefined,
  );
  // Newest first, so a device names the latest campaign that touched it.
  campaigns.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const campaign of campaigns) {
    const open = campaign.status === 'running' || campaign.status === 'stopped';
    for (const device of await store.campaignDevices(campaign.id)) {
      if (found.has(device.deviceId)) continue;
      const reachedDevice =
        device.phase !== 'pending' && !(device.phase === 'failed' && device.postedAt === null);
      if (!open && !(reachedDevice && !before(device.postedAt, device.updatedAt, triageStart))) continue;
      found.set(device.deviceId, {
        campaignId: campaign.id,
        campaignStatus: campaign.status,
        phase: device.phase,
        open,
      });
    }
  }
  return found;
}

/** Whether every known time of the row is before the triage began (NaN anywhere: not before). */
function before(postedAt: string | null, updatedAt: string, triageStart: number): boolean {
  const times = [updatedAt, ...(postedAt === null ? [] : [postedAt])].map((t) => Date.parse(t));
  return times.every((t) => t < triageStart);
}
