// Source: Get-WinEvent, https://learn.microsoft.com/powershell/module/microsoft.powershell.diagnostics/get-winevent
import type { WindowsEvent } from '../../snapshot/windows-evidence.js';
import { describeJson, EvidenceError, redactSecrets } from './evidence-error.js';
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

/** The logs tpm-doctor collects, and the providers read from System. */
export const EVENT_LOGS = {
  system: 'System',
  userDeviceRegistration: 'Microsoft-Windows-User Device Registration/Admin',
  deviceManagement: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin',
  autopilot: 'Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot',
} as const;

/** System-log providers: the TPM driver ("TPM") and TPM-WMI (which also logs Secure Boot certificate events). */
export const SYSTEM_EVENT_PROVIDERS = ['TPM', 'Microsoft-Windows-TPM-WMI'] as const;

/** Messages longer than this are cut (a few event messages run to pages of XML). */
export const MAX_EVENT_MESSAGE = 4000;

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
    message: redactSecrets(
      message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE)}…` : message,
    ),
  };
}

function levelOf(level: unknown, displayName: unknown): WindowsEvent['level'] {
  const n = toInt(level);
  if (n !== null) return Object.hasOwn(LEVELS, n) ? LEVELS[n]! : 'unknown';
  const name = toStr(displayName)?.toLowerCase();
  return name !== undefined && Object.hasOwn(LEVEL_NAMES, name) ? LEVEL_NAMES[name]! : 'unknown';
}

/** The provider name without "Microsoft-Windows-": "TPM-WMI", "TPM", "User Device Registration". */
export function shortProviderName(provider: string): string {
  return provider.replace(/^Microsoft-Windows-/i, '');
}
