import type { HardwareInformation } from '../graph/graph-types.js';

/**
 * What Intune knows about a device's hardware and its failing settings, carried by each triage
 * result and stored with it so the console can filter on it (docs/triage.md, docs/store.md).
 * A fact that was not read is the word `unknown`, never a guess and never an empty string.
 */
export const UNKNOWN_FACT = 'unknown';

/** One failing compliance setting with Intune's error code for it. */
export interface SettingError {
  /** The class-qualified setting ID, e.g. Windows10CompliancePolicy.TpmRequired. */
  setting: string;
  /** Intune's state for it as read (nonCompliant, error, or the export's status text). */
  status: string;
  /** Intune's error code as a decimal integer string, or `unknown` when not read. */
  errorCode: string;
}

export interface DeviceFacts {
  manufacturer: string;
  model: string;
  /** The TPM's manufacturer as Intune reports it (hardwareInformation or the inventory export). */
  tpmManufacturer: string;
  /** The TPM's firmware version as Intune reports it. */
  tpmVersion: string;
  /** The system firmware (SMBIOS BIOS) version. */
  firmware: string;
  /** The failing TPM-related settings with their error codes (empty when none fails). */
  settingErrors: SettingError[];
}

/** The inventory facts, without the settings. */
export type InventoryFacts = Omit<DeviceFacts, 'settingErrors'>;

export const UNKNOWN_FACTS: Readonly<DeviceFacts> = Object.freeze({
  manufacturer: UNKNOWN_FACT,
  model: UNKNOWN_FACT,
  tpmManufacturer: UNKNOWN_FACT,
  tpmVersion: UNKNOWN_FACT,
  firmware: UNKNOWN_FACT,
  settingErrors: [],
});

/**
 * The longest fact kept, in characters: the console filters on facts of 1 to 200 printable
 * characters (src/console/device-query.ts), so every stored fact can be selected.
 */
const MAX_FACT_CHARS = 200;
/** Control and format characters, line and paragraph separators: what the console filter refuses. */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;

/**
 * A text fact as read: control characters replaced by a space, trimmed, cut to 200 characters
 * (code points, ending in `…` when cut); `unknown` for null, undefined or blank. The facts come
 * from the device (SMBIOS strings, the TPM's) and reach the store, the console and the reports.
 */
export function factText(value: string | null | undefined): string {
  const text = typeof value === 'string' ? value.replace(NOT_PRINTABLE, ' ').trim() : '';
  if (text === '') return UNKNOWN_FACT;
  if (text.length <= MAX_FACT_CHARS) return text;
  const chars = Array.from(text);
  if (chars.length <= MAX_FACT_CHARS) return text;
  return `${chars
    .slice(0, MAX_FACT_CHARS - 1)
    .join('')
    .trimEnd()}…`;
}

/** The first fact that was read, else `unknown`. */
function firstKnown(...values: readonly string[]): string {
  return values.find((v) => v !== UNKNOWN_FACT) ?? UNKNOWN_FACT;
}

/** Where a device's facts come from; each source may be missing. */
export interface FactSources {
  /** The managedDevice list fields (manufacturer, model). */
  device: { manufacturer?: string | null; model?: string | null };
  /** hardwareInformation, when the device's details were read. */
  hardware?: HardwareInformation | null | undefined;
  /** The inventory export's row, when the export was read. */
  inventory?: InventoryFacts | undefined;
  /** The failing settings (their IDs and states), always known. */
  failingSettings: readonly { setting: string; state: string }[];
  /** Intune's error codes for them, when read (the export or the policy states). */
  settingErrors?: readonly SettingError[] | undefined;
}

/** The facts as read, each from the first source that has it; `unknown` where none does. */
export function deviceFacts(sources: FactSources): DeviceFacts {
  const inventory = sources.inventory ?? UNKNOWN_FACTS;
  const hw = sources.hardware ?? null;
  const known = new Map((sources.settingErrors ?? []).map((e) => [e.setting, e]));
  const settings = new Map<string, SettingError>();
  for (const s of sources.failingSettings) {
    if (settings.has(s.setting)) continue;
    settings.set(
      s.setting,
      known.get(s.setting) ?? { setting: s.setting, status: s.state, errorCode: UNKNOWN_FACT },
    );
  }
  return {
    manufacturer: firstKnown(factText(sources.device.manufacturer), inventory.manufacturer),
    model: firstKnown(factText(sources.device.model), inventory.model),
    tpmManufacturer: firstKnown(inventory.tpmManufacturer, factText(hw?.tpmManufacturer)),
    tpmVersion: firstKnown(inventory.tpmVersion, factText(hw?.tpmVersion)),
    firmware: firstKnown(inventory.firmware, factText(hw?.systemManagementBIOSVersion)),
    settingErrors: [...settings.values()].sort((a, b) => (a.setting < b.setting ? -1 : 1)),
  };
}
