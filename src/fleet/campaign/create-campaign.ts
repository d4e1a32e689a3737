import { randomBytes } from 'node:crypto';
import type { TenantIdentity } from '../../plan/tenant-pinning.js';
import type { IntuneApi } from '../graph/intune-api.js';
import type { Campaign, CampaignAction, FleetStore, NewCampaign } from '../store/fleet-store.js';
import { CampaignError } from './campaign-error.js';
import { openPhases } from './campaign-phases.js';
import type { CampaignSelection } from './campaign-selection.js';
import {
  type CampaignEscrow,
  type ClearApproval,
  checkApproval,
  findOrUploadClearScript,
} from './clear-script.js';
import { selectClearSafe } from './clear-selection.js';
import { findOrUploadEvidenceScript } from './evidence-script.js';
import { redactGraphError } from './redact-graph-error.js';
import { describeTriageSelection, triageSelectionRows } from './triage-selection-rows.js';
import { type VerifiedDevice, verifyEscrow } from './verify-escrow.js';

export interface CreateCampaignOptions {
  intune: IntuneApi;
  store: FleetStore;
  action: CampaignAction;
  selection: CampaignSelection;
  /** Where it runs, for display: the Graph base URL and tenant, never a credential. */
  target: string;
  /** The tenant's own key, learnt after sign-in (src/plan/tenant-pinning.ts). */
  tenantKey?: string | undefined;
  /** The connection options `fleet resume` needs, kept with the campaign (never a secret: FleetStore). */
  resumeOptions?: Readonly<Record<string, string>> | undefined;
  /** How long devices are tracked before they are `timed-out` (default 24 h). */
  deadlineMs?: number;
  /** remediate and clear: the text of scripts/collect-evidence.ps1, uploaded as the detection script. */
  detectionScript?: string;
  /** clear: who approved and the ticket, carried to every device's own gate (required). */
  approval?: ClearApproval;
  id?: string;
  now?: () => Date;
}

export interface CreatedCampaign {
  campaign: Campaign;
  /** Selected ids left out, and why (not in Intune, not Windows, read failed; for clear, not triaged safe). */
  skipped: Array<{ deviceId: string; reason: string }>;
  /** remediate: whether the script package was uploaded now (false: found from an earlier run). */
  scriptUploaded?: boolean;
}

/** A campaign's deadline when none is given (`--deadline`, the console's deadline field). */
export const DEFAULT_DEADLINE_MS = 24 * 60 * 60 * 1000;
/**
 * On a lab tenant devices act within seconds (docs/lab-tenant.md): a day's deadline would leave a
 * first try running for 24 hours on a device that never gets there.
 */
export const LAB_DEFAULT_DEADLINE_MS = 15 * 60 * 1000;

/** Device ids read per call when taking baselines (the client batches them by 20). */
const BASELINE_READ_CHUNK = 500;

/**
 * Builds and stores a campaign: the selected devices with each one's baseline last sync (the
 * time a later sync must pass to count), the action and the deadline. For remediate, the
 * evidence script package is found or uploaded first, so a stored remediate campaign always has
 * its script.
 */
export async function createCampaign(options: CreateCampaignOptions): Promise<CreatedCampaign> {
  const { intune, store, action, selection } = options;
  const now = options.now ?? (() => new Date());
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  if (!(deadlineMs > 0))
    throw new CampaignError(`the deadline must be a positive duration, got ${deadlineMs} ms`);
  if (
    (action === 'remediate' || action === 'clear') &&
    (options.detectionScript === undefined || options.detectionScript === '')
  ) {
    throw new CampaignError(
      `a ${action} campaign needs the detection script (scripts/collect-evidence.ps1) text`,
    );
  }
  if (action === 'clear') {
    if (options.approval === undefined) {
      throw new CampaignError(
        'a clear campaign needs an approval: who approved (--approved-by NAME) and the ticket (--ticket ID)',
      );
    }
    checkApproval(options.approval);
  }

  const created = now();
  const campaignId = options.id ?? newCampaignId(created);
  let verifiedDevices: VerifiedDevice[] | undefined;
  let chosen: Chosen;
  if (action === 'clear') {
    const safe = await fromClearSafe(store, selection, { display: options.target, key: options.tenantKey });
    // Each device's gate needs the escrow fact it cannot read itself (no Graph credentials on a
    // device): verified now in Entra ID, carried in the script, and refused where it fails.
    const verification = await verifyEscrow(
      intune,
      safe.devices.map((d) => ({
        deviceId: d.deviceId,
        azureAdDeviceId: safe.azureAdDeviceIds.get(d.deviceId) ?? null,
      })),
      created,
    );
    verifiedDevices = verification.verified;
    const verified = new Set(verification.verified.map((v) => v.deviceId));
    chosen = {
      description: safe.description,
      devices: safe.devices.filter((d) => verified.has(d.deviceId)),
      skipped: [...safe.skipped, ...verification.refused],
    };
  } else {
    chosen =
      selection.kind === 'triage'
        ? await fromTriage(store, selection)
        : await fromDeviceIds(intune, selection);
  }
  const busy = await openInOtherCampaigns(store, action, options, now());
  if (busy.size > 0) {
    chosen.devices = chosen.devices.filter((device) => {
      const other = busy.get(device.deviceId);
      if (other === undefined) return true;
      chosen.skipped.push({
        deviceId: device.deviceId,
        reason:
          other.status === 'abandoned'
            ? `already sent ${action} by abandoned campaign ${other.id}, not done yet: it is not posted twice before that campaign's deadline (${other.deadline})`
            : `already open in campaign ${other.id} (${action}, ${other.status}): "tpm-doctor fleet resume ${other.id}" continues it; it is not posted twice`,
      });
      return false;
    });
  }
  // The script carries the escrow of exactly the devices this campaign posts to.
  const posted = new Set(chosen.devices.map((d) => d.deviceId));
  const escrow: CampaignEscrow | undefined =
    verifiedDevices === undefined
      ? undefined
      : {
          campaignId,
          verifiedAt: created.toISOString(),
          devices: verifiedDevices
            .filter((v) => posted.has(v.deviceId))
            .map(({ azureAdDeviceId, protectorIds }) => ({ azureAdDeviceId, protectorIds })),
        };
  if (chosen.devices.length === 0) {
    const refused =
      chosen.skipped.length > 0
        ? ` (${chosen.skipped.length} refused: ${chosen.skipped[0]!.reason}${chosen.skipped.length > 1 ? ', ...' : ''})`
        : '';
    throw new CampaignError(
      `the selection (${chosen.description}) matched no devices${refused}; nothing to do`,
    );
  }

  let script: Awaited<ReturnType<typeof findOrUploadEvidenceScript>> | undefined;
  if (action === 'remediate')
    script = await findOrUploadEvidenceScript(intune, options.detectionScript ?? '');
  if (action === 'clear' && options.approval !== undefined)
    script = await findOrUploadClearScript(intune, options.detectionScript ?? '', options.approval, escrow);

  const campaign: NewCampaign = {
    id: campaignId,
    action,
    target: options.target,
    ...(options.tenantKey === undefined ? {} : { tenantKey: options.tenantKey }),
    ...(options.resumeOptions === undefined ? {} : { resumeOptions: options.resumeOptions }),
    selection: chosen.description,
    deadline: new Date(created.getTime() + deadlineMs).toISOString(),
    devices: chosen.devices,
  };
  let stored = await store.createCampaign(campaign);
  if (script !== undefined) {
    await store.setCampaignScript(stored.id, script.script.id);
    stored = { ...stored, scriptId: script.script.id };
  }
  return {
    campaign: stored,
    skipped: chosen.skipped,
    ...(script === undefined ? {} : { scriptUploaded: script.uploaded }),
  };
}

/**
 * Devices still open (not final) in another unfinished campaign with the same action in the same
 * tenant, whose deadline has not passed: running a campaign's command again after a Ctrl-C must
 * not send the same device the same action a second time (`fleet resume ID` continues the first).
 * Of an abandoned campaign, only the devices it may have posted to (not `pending`): abandoning
 * frees the devices it never sent anything, and nothing else before its deadline.
 */
async function openInOtherCampaigns(
  store: FleetStore,
  action: CampaignAction,
  options: { target: string; tenantKey?: string | undefined },
  now: Date,
): Promise<Map<string, Campaign>> {
  const busy = new Map<string, Campaign>();
  for (const other of await store.listCampaigns()) {
    if (other.action !== action || other.status === 'finished') continue;
    const sameTenant =
      options.tenantKey !== undefined && other.tenantKey !== undefined
        ? other.tenantKey === options.tenantKey
        : other.target === options.target;
    if (!sameTenant || Date.parse(other.deadline) <= now.getTime()) continue;
    const phases = openPhases(action).filter((phase) => other.status !== 'abandoned' || phase !== 'pending');
    for (const device of await store.campaignDevices(other.id, phases)) {
      if (!busy.has(device.deviceId)) busy.set(device.deviceId, other);
    }
  }
  return busy;
}

interface Chosen {
  description: string;
  devices: NewCampaign['devices'];
  skipped: CreatedCampaign['skipped'];
}

async function fromTriage(
  store: FleetStore,
  selection: Extract<CampaignSelection, { kind: 'triage' }>,
): Promise<Chosen> {
  const run =
    selection.runId !== undefined ? await store.triageRun(selection.runId) : await store.latestTriage();
  if (run === undefined)
    throw new CampaignError(
      selection.runId !== undefined
        ? `no finished triage run ${selection.runId} in the store`
        : 'no finished triage in the store: run `tpm-doctor fleet triage` first',
    );
  const rows = await triageSelectionRows(store, run, selection);
  return {
    description: describeTriageSelection(run.id, selection),
    // Baseline: the last sync the triage saw. A device that synced on its own since then counts
    // as synced at once, which is the truth: it did sync after we looked.
    devices: rows.map((row) => ({
      deviceId: row.deviceId,
      deviceName: row.deviceName,
      baselineSync: row.lastSync,
    })),
    skipped: [],
  };
}

async function fromClearSafe(
  store: FleetStore,
  selection: CampaignSelection,
  tenant: TenantIdentity,
): Promise<Chosen & { azureAdDeviceIds: Map<string, string | null> }> {
  const chosen = await selectClearSafe(store, selection, tenant);
  return {
    description: chosen.description,
    devices: chosen.devices,
    azureAdDeviceIds: chosen.azureAdDeviceIds,
    skipped: chosen.refused.map(({ deviceId, reason }) => ({ deviceId, reason })),
  };
}

async function fromDeviceIds(
  intune: IntuneApi,
  selection: Extract<CampaignSelection, { kind: 'devices' }>,
): Promise<Chosen> {
  const ids = [...new Set(selection.deviceIds.map((id) => id.trim()).filter((id) => id !== ''))];
  const devices: Array<Chosen['devices'][number]> = [];
  const skipped: Chosen['skipped'] = [];
  for (let start = 0; start < ids.length; start += BASELINE_READ_CHUNK) {
    const chunk = ids.slice(start, start + BASELINE_READ_CHUNK);
    const read = await intune.managedDevicesById(chunk);
    for (const deviceId of chunk) {
      const result = read.get(deviceId);
      if (result === undefined) skipped.push({ deviceId, reason: 'no answer from Graph for this device' });
      else if (!result.ok) {
        skipped.push({
          deviceId,
          reason:
            result.status === 404
              ? 'not an Intune managed device (HTTP 404)'
              : redactGraphError(`HTTP ${result.status} ${result.code}: ${result.message}`),
        });
      } else if (result.value.operatingSystem !== null && !/^windows/i.test(result.value.operatingSystem)) {
        skipped.push({ deviceId, reason: `not a Windows device (${result.value.operatingSystem})` });
      } else {
        devices.push({
          deviceId,
          deviceName: result.value.deviceName,
          baselineSync: result.value.lastSyncDateTime,
        });
      }
    }
  }
  const given = `${ids.length} device id${ids.length === 1 ? '' : 's'} given`;
  return {
    description: skipped.length > 0 ? `${given}, ${skipped.length} skipped` : given,
    devices,
    skipped,
  };
}

/** "c-20250601-142233-a1b2c3": sortable by creation, unique enough across admins. */
function newCampaignId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `c-${stamp}-${randomBytes(3).toString('hex')}`;
}
