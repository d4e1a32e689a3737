import { redact, redactField } from '../../../snapshot/redact-secrets.js';
import type { Snapshot } from '../../../snapshot/snapshot.js';
import type { WindowsEvent } from '../../../snapshot/windows-evidence.js';
import type { Evidence } from '../../finding.js';

/**
 * One evidence entry. Every Windows rule builds its evidence through here, so a string copied
 * from raw output is always redacted (redact.ts): no recovery password, no OwnerAuth.
 */
export function ev(source: string, field: string, value: Evidence['value']): Evidence {
  return { source, field, value: typeof value === 'string' ? redactField(field, value) : value };
}

/** YES/NO the way dsregcmd prints it, for evidence values that quote dsregcmd exactly. */
export function yesNo(value: boolean | null): string | null {
  return value === null ? null : value ? 'YES' : 'NO';
}

/** The moment the evidence describes: when it was collected, else when the snapshot was taken. */
export function evidenceTime(snapshot: Snapshot): number {
  const collected = snapshot.windows?.collectedAt;
  const at = Date.parse(collected ?? snapshot.takenAt);
  return Number.isNaN(at) ? Date.parse(snapshot.takenAt) : at;
}

/** Hours from `time` to `now`; null when the time is missing or unreadable. */
export function hoursBefore(time: string | null, now: number): number | null {
  if (time === null) return null;
  const at = Date.parse(time);
  return Number.isNaN(at) ? null : (now - at) / 3_600_000;
}

// ---- events ----------------------------------------------------------------------------------

/** Provider names without the "Microsoft-Windows-" prefix, lower case: 'tpm-wmi', 'tpm', ... */
export const PROVIDER = {
  tpmDriver: 'tpm',
  tpmWmi: 'tpm-wmi',
  userDeviceRegistration: 'user device registration',
  deviceManagement: 'devicemanagement-enterprise-diagnostics-provider',
  modernDeployment: 'moderndeployment-diagnostics-provider',
} as const;

function normalize(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^microsoft-windows-/, '');
}

/**
 * The events of one provider, optionally only some IDs. The provider is matched on the event's
 * provider name, or on its log name for channels named after the provider
 * ("Microsoft-Windows-User Device Registration/Admin"), with or without "Microsoft-Windows-".
 */
export function eventsOf(snapshot: Snapshot, provider: string, ids?: readonly number[]): WindowsEvent[] {
  const events = snapshot.windows?.events ?? [];
  return events.filter((e) => {
    if (ids !== undefined && !ids.includes(e.id)) return false;
    if (normalize(e.provider) === provider) return true;
    const log = normalize(e.log);
    return log === provider || log.startsWith(`${provider}/`);
  });
}

/** Newest first; events without a readable time go last, in their original order. */
export function newestFirst(events: readonly WindowsEvent[]): WindowsEvent[] {
  const at = (e: WindowsEvent) => (e.timeCreated === null ? Number.NaN : Date.parse(e.timeCreated));
  return [...events].sort((a, b) => {
    const ta = at(a);
    const tb = at(b);
    if (Number.isNaN(ta)) return Number.isNaN(tb) ? 0 : 1;
    if (Number.isNaN(tb)) return -1;
    return tb - ta;
  });
}

/**
 * How an event is cited: `event System/TPM-WMI 1801` for the System log (the provider says
 * which component wrote it), `event Microsoft-Windows-User Device Registration/Admin 304` for a
 * channel of its own.
 */
function eventSource(e: WindowsEvent): string {
  const short = e.provider.trim().replace(/^Microsoft-Windows-/i, '');
  const log = e.log.trim();
  if (/^(system|application)$/i.test(log)) return `event ${log}/${short} ${e.id}`;
  return `event ${log} ${e.id}`;
}

/** The line of a message that says what happened (the first non-empty one), redacted. */
function firstLine(message: string): string {
  const line = message.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return redact(line.trim());
}

/** Evidence for the newest `limit` events: their time and the first line of their message. */
export function eventEvidence(events: readonly WindowsEvent[], limit = 3): Evidence[] {
  const out: Evidence[] = [];
  const sorted = newestFirst(events);
  for (const e of sorted.slice(0, limit)) {
    out.push(ev(eventSource(e), 'TimeCreated', e.timeCreated));
    out.push(ev(eventSource(e), 'Message', firstLine(e.message)));
  }
  if (events.length > limit) {
    out.push(ev(eventSource(sorted[0]!), 'count (older ones not listed)', events.length));
  }
  return out;
}

/**
 * The HRESULTs an event message or a dsregcmd line mentions, as lower-case 8-digit hex
 * ('0x80090016'). Event messages print them as hex ("Error: 0x80090016") or, in some User Device
 * Registration events, as a negative decimal (-2146893802, the same value).
 */
export function hresultsIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/0x([0-9a-f]{8})\b/gi)) found.add(`0x${m[1]!.toLowerCase()}`);
  for (const m of text.matchAll(/(?<![\w.])-(21\d{8})\b/g)) {
    const value = -Number(m[1]);
    if (value >= -2_147_483_648) found.add(`0x${(value >>> 0).toString(16).padStart(8, '0')}`);
  }
  return [...found];
}
