import { terminalSafe } from '../../text/terminal-safe.js';

export interface ListedDevice {
  deviceId: string;
  deviceName: string | null;
}

/** A device as the plans and confirmations name it: its Intune id, and its name when known. */
export function deviceLabel(d: ListedDevice): string {
  return `${terminalSafe(d.deviceId)}${d.deviceName ? ` (${terminalSafe(d.deviceName)})` : ''}`;
}

/**
 * The devices an action is about to reach, one a line, as the dry run lists them; past `max`
 * the rest is counted and the dry run named as where to see them all.
 */
export function deviceListLines(
  devices: readonly ListedDevice[],
  max = 50,
  whereAll = '--dry-run lists them all',
): string[] {
  const lines = devices.slice(0, max).map((d) => `  ${deviceLabel(d)}`);
  if (devices.length > max) lines.push(`  ... and ${devices.length - max} more (${whereAll})`);
  return lines;
}
