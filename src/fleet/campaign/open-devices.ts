import { EN, type UiMessages } from '../../text/messages/en.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import type { CampaignAction, FleetStore } from '../store/fleet-store.js';
import { openPhases } from './campaign-phases.js';

/** A device a campaign has not finished with, and whether it was posted. */
export interface OpenDevice {
  deviceId: string;
  deviceName: string | null;
  phase: string;
  posted: boolean;
}

/** How many open devices the text lists; `--json` lists them all. */
const TEXT_LIST_LIMIT = 20;

/** The devices of a campaign still in an open phase (not done with, for its action). */
export async function openDevices(
  store: FleetStore,
  campaignId: string,
  action: CampaignAction,
): Promise<OpenDevice[]> {
  return (await store.campaignDevices(campaignId, openPhases(action))).map((device) => ({
    deviceId: device.deviceId,
    deviceName: device.deviceName,
    phase: device.phase,
    posted: device.phase !== 'pending',
  }));
}

/**
 * The open devices as text lines under `heading` (e.g. "Open", "Not done"), the first
 * TEXT_LIST_LIMIT of them, each with its phase as the status shows it ("posted, waiting for the
 * device to sync") and what posted or not means here ("followed"), when that says more.
 */
export function openDeviceLines(
  devices: readonly OpenDevice[],
  heading: string,
  words: { posted: string; notPosted?: string; phase: (phase: string) => string },
  ui: UiMessages = EN,
): string[] {
  if (devices.length === 0) return [];
  const lines = ['', `  ${heading} (${devices.length}):`];
  for (const device of devices.slice(0, TEXT_LIST_LIMIT)) {
    const name = device.deviceName === null ? '' : ` (${device.deviceName})`;
    const note = device.posted ? words.posted : words.notPosted;
    lines.push(
      terminalSafe(
        `    ${device.deviceId}${name}: ${words.phase(device.phase)}${note === undefined ? '' : ` (${note})`}`,
      ),
    );
  }
  if (devices.length > TEXT_LIST_LIMIT)
    lines.push(`    ${ui['fleet.campaign.more']({ count: devices.length - TEXT_LIST_LIMIT })}`);
  return lines;
}
