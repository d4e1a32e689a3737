import type { BulkDeviceAction } from '../graph/graph-types.js';
import type { IntuneApi } from '../graph/intune-api.js';
import type { Campaign } from '../store/fleet-store.js';
import { CampaignError } from './campaign-error.js';

/**
 * Sends a campaign's one POST for one device. `beforeSend` runs when Graph's budget admits the POST,
 * just before it leaves (the "posting" mark); if it throws, nothing is sent.
 */
export type PostAction = (
  deviceId: string,
  beforeSend: () => Promise<void>,
  signal?: AbortSignal,
) => Promise<void>;

/**
 * The Graph call behind each campaign action (docs/graph-calls.md #6, #7, #10): syncDevice and
 * rebootNow (v1.0, 204) and initiateOnDemandProactiveRemediation (beta, 204) with the campaign's
 * script package (remediate: evidence; clear: the gated clear), which create-campaign uploaded
 * (or found) before the campaign was stored.
 */
export function postActionFor(intune: IntuneApi, campaign: Campaign): PostAction {
  switch (campaign.action) {
    case 'sync':
      return (deviceId, beforeSend, signal) => intune.syncDevice(deviceId, beforeSend, signal);
    case 'reboot':
      return (deviceId, beforeSend, signal) => intune.rebootNow(deviceId, beforeSend, signal);
    case 'remediate':
    case 'clear': {
      // clear: the "tpm-doctor clear" package (clear-script.ts); each device's own gate decides.
      const scriptId = campaign.scriptId;
      if (scriptId === null) {
        throw new CampaignError(
          `campaign ${campaign.id} is a ${campaign.action} campaign without a Remediations script package id; ` +
            'create it with createCampaign, which uploads or finds the package first',
        );
      }
      return (deviceId, beforeSend, signal) =>
        intune.runHealthScriptOnDevice(deviceId, scriptId, beforeSend, signal);
    }
  }
}

/**
 * The executeAction (beta, docs/graph-calls.md #19) action name of a campaign that can post in
 * bulk: sync and reboot. Remediations runs have no bulk form (managedDeviceRemoteAction lists
 * initiateOnDemandProactiveRemediation, but executeAction takes no script id), so remediate and
 * clear campaigns post per device.
 */
export function bulkActionFor(campaign: Campaign): BulkDeviceAction | undefined {
  switch (campaign.action) {
    case 'sync':
      return 'syncDevice';
    case 'reboot':
      return 'rebootNow';
    default:
      return undefined;
  }
}
