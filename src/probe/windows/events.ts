// Source: Get-WinEvent, https://learn.microsoft.com/powershell/module/microsoft.powershell.diagnostics/get-winevent

import { redact, redactThenTruncate } from '../../snapshot/redact-secrets.js';
import type { WindowsEvent } from '../../snapshot/windows-evidence.js';
import { describeJson, describeText, EvidenceError } from './evidence-error.js';
import {
  asArray,
  field,
  hasAnyField,
  isRecord,
  type JsonRecord,
  toInt,
  toIsoTime,
  toStr,
} from './json-values.js';
import { parseFormatTable, splitLines } from './powershell-text.js';

/** The logs tpm-doctor collects, and the providers read from System. */
export const EVENT_LOGS = {
  system: 'System',
  userDeviceRegistration: 'Microsoft-Windows-User Device Registration/Admin',
  deviceManagement: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin',
  autopilot: 'Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot',
} as const;

/** Messages longer than this are cut, after redaction (a few event messages run to pages of XML). */
const MAX_EVENT_MESSAGE = 4000;

const LEVELS: Record<number, WindowsEvent['level']> = {
  0: 'information', // LogAlways: shown as Information by Event Viewer
  1: 'critical',
  2: 'error',
  3: 'warning',
  4: 'information',
  5: 'verbose',
};

/** LevelDisplayName is localised; used only when Level (a number) is missing. */
const LEVEL_NAMES: Record<string, WindowsEvent['level']> = {
  critical: 'critical',
  error: 'error',
  warning: 'warning',
  information: 'information',
  verbose: 'verbose',
  重大: 'critical',
  エラー: 'error',
  警告: 'warning',
  情報: 'information',
  詳細: 'verbose',
};

const EXPECTED =
  'Get-WinEvent | Select-Object LogName,ProviderName,Id,LevelDisplayName,Level,TimeCreated,Message | ConvertTo-Json output (a list of events; [] when none)';

/** Events as ConvertTo-Json writes them (one object or a list). Messages are redacted and cut. */
export function parseEvents(input: unknown): WindowsEvent[] {
  if (typeof input === 'string') return parseEventText(input);
  if (!Array.isArray(input) && !isRecord(input)) {
    throw new EvidenceError(`expected ${EXPECTED}, found ${describeJson(input)}`);
  }
  const records = asArray(input).filter(isRecord);
  const events = records.filter((r) => hasAnyField(r, ['Id', 'EventID'])).map(eventFromRecord);
  if (records.length > 0 && events.length === 0) {
    throw new EvidenceError(`expected ${EXPECTED}, found ${describeJson(records[0])} without an Id`);
  }
  return events.filter((e): e is WindowsEvent => e !== null);
}

function eventFromRecord(r: JsonRecord): WindowsEvent | null {
  const id = toInt(field(r, 'Id', 'EventID'));
  if (id === null) return null;
  const message = toStr(field(r, 'Message')) ?? '';
  return {
    log: toStr(field(r, 'LogName')) ?? '',
    provider: toStr(field(r, 'ProviderName')) ?? '',
    id,
    level: levelOf(field(r, 'Level'), field(r, 'LevelDisplayName')),
    timeCreated: toIsoTime(field(r, 'TimeCreated')),
    message: redactThenTruncate(message, MAX_EVENT_MESSAGE),
  };
}

function levelOf(level: unknown, displayName: unknown): WindowsEvent['level'] {
  const n = toInt(level);
  if (n !== null) return Object.hasOwn(LEVELS, n) ? LEVELS[n]! : 'unknown';
  const name = toStr(displayName)?.toLowerCase();
  return name !== undefined && Object.hasOwn(LEVEL_NAMES, name) ? LEVEL_NAMES[name]! : 'unknown';
}

/**
 * Event Viewer's "Copy details as text" labels, per display language. Event Viewer localises the
 * labels and the level names; the event ID and the XML view are the same everywhere.
 */
const EVENT_TEXT_LABELS: Record<
  'log' | 'source' | 'date' | 'id' | 'level' | 'description' | 'xml',
  string[]
> = {
  log: ['Log Name', 'Nom du journal', 'Protokollname'],
  source: ['Source', 'Quelle'],
  date: ['Date', 'Datum'],
  id: ['Event ID', "ID de l'événement", 'Ereignis-ID'],
  level: ['Level', 'Niveau', 'Ebene'],
  description: ['Description', 'Beschreibung'],
  xml: ['Event Xml', "XML de l'événement", 'Ereignis-XML'],
};

const TEXT_LEVELS: Record<string, WindowsEvent['level']> = {
  ...LEVEL_NAMES,
  critique: 'critical',
  erreur: 'error',
  avertissement: 'warning',
  kritisch: 'critical',
  fehler: 'error',
  warnung: 'warning',
  informationen: 'information',
};

/**
 * Events pasted as text, the ways admins copy them: Event Viewer's "Copy details as text" (label
 * lines, then the description, then the event XML), Get-WinEvent's default table (TimeCreated,
 * Id, LevelDisplayName, Message, grouped by ProviderName), and "Event ID: N / Event: message"
 * notes as support articles quote them. Each becomes a WindowsEvent; text with none of these
 * shapes is unreadable, never "no events".
 */
function parseEventText(text: string): WindowsEvent[] {
  const fromViewer = eventViewerText(text);
  if (fromViewer.length > 0) return fromViewer;
  const table = parseFormatTable(text);
  if (table !== null && table.columns.includes('Id')) {
    return table.rows
      .map((r) =>
        eventFromRecord({
          LogName: r.LogName ?? '',
          ProviderName: r.ProviderName ?? '',
          Id: r.Id,
          LevelDisplayName: r.LevelDisplayName,
          TimeCreated: localTime(r.TimeCreated),
          Message: r.Message,
        }),
      )
      .filter((e): e is WindowsEvent => e !== null);
  }
  const quoted = quotedEvents(text);
  if (quoted.length > 0) return quoted;
  const known = knownMessageLines(text);
  if (known.length > 0) return known;
  throw new EvidenceError(
    `expected events: ${EXPECTED}, Event Viewer's "Copy details as text", or Get-WinEvent's table; found ${describeText(text)}`,
  );
}

function labelOf(line: string): { key: keyof typeof EVENT_TEXT_LABELS; value: string } | null {
  for (const [key, names] of Object.entries(EVENT_TEXT_LABELS) as [
    keyof typeof EVENT_TEXT_LABELS,
    string[],
  ][]) {
    for (const name of names) {
      const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*(.*)$`, 'i').exec(line);
      if (m) return { key, value: m[1]!.trim() };
    }
  }
  return null;
}

function eventViewerText(text: string): WindowsEvent[] {
  const events: WindowsEvent[] = [];
  let current: Record<string, string> | null = null;
  let mode: 'labels' | 'description' | 'xml' = 'labels';
  let description: string[] = [];
  let xml: string[] = [];
  const flush = () => {
    if (current === null) return;
    const x = xml.join('\n');
    const id = current.id ?? /<EventID[^>]*>(\d+)<\/EventID>/.exec(x)?.[1];
    const levelNumber = /<Level>(\d+)<\/Level>/.exec(x)?.[1];
    const event = eventFromRecord({
      LogName: current.log ?? /<Channel>([^<]*)<\/Channel>/.exec(x)?.[1] ?? '',
      ProviderName: current.source ?? /<Provider Name="([^"]*)"/.exec(x)?.[1] ?? '',
      Id: id,
      Level: levelNumber,
      LevelDisplayName: current.level,
      TimeCreated: /<TimeCreated SystemTime="([^"]*)"/.exec(x)?.[1] ?? localTime(current.date),
      Message: description.join('\n').trim(),
    });
    if (event !== null && levelNumber === undefined && current.level !== undefined) {
      event.level = TEXT_LEVELS[current.level.toLowerCase()] ?? event.level;
    }
    if (event !== null) events.push(event);
  };
  for (const line of splitLines(text)) {
    const label = labelOf(line);
    if (label?.key === 'log') {
      flush();
      current = { log: label.value };
      mode = 'labels';
      description = [];
      xml = [];
      continue;
    }
    if (current === null) continue;
    if (mode !== 'xml' && label?.key === 'xml') {
      mode = 'xml';
      continue;
    }
    if (mode === 'xml') {
      xml.push(line);
      continue;
    }
    if (mode === 'description') {
      description.push(line);
      continue;
    }
    if (label?.key === 'description') {
      mode = 'description';
      if (label.value !== '') description.push(label.value);
      continue;
    }
    if (label !== null && label.value !== '') current[label.key] = label.value;
  }
  flush();
  return events;
}

/** "Event ID: 846" then "Event:" and its message, blocks separated by a line of dashes. */
function quotedEvents(text: string): WindowsEvent[] {
  const events: WindowsEvent[] = [];
  const blocks = text.split(/^\s*Event ID\s*:\s*/im).slice(1);
  for (const block of blocks) {
    const id = /^(\d+)/.exec(block)?.[1];
    if (id === undefined) continue;
    const body = block.slice(id.length).split(/^\s*-{5,}\s*$/m)[0] ?? '';
    const message = body.replace(/^\s*Event\s*:\s*/im, '').trim();
    const event = eventFromRecord({ Id: id, Message: message });
    if (event !== null) events.push(event);
  }
  return events;
}

/**
 * Single message lines whose event is known from its text alone: "Auto MDM Enroll: Failed
 * (Unknown Win32 Error code: 0x...)" is event 76 of DeviceManagement-Enterprise-Diagnostics-
 * Provider/Admin (https://learn.microsoft.com/troubleshoot/mem/intune/device-enrollment/troubleshoot-windows-auto-enrollment).
 */
function knownMessageLines(text: string): WindowsEvent[] {
  return splitLines(text)
    .filter((l) => /^\s*Auto MDM Enroll: Failed\b/i.test(l))
    .map((l) => ({
      log: EVENT_LOGS.deviceManagement,
      provider: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider',
      id: 76,
      level: 'error' as const,
      timeCreated: null,
      message: redact(l.trim()),
    }));
}

/** A local date and time as printed ("12/12/2025 11:55:00"): kept only when unambiguous ISO. */
function localTime(value: string | undefined): string | null {
  return value === undefined ? null : toIsoTime(value);
}
