// Source: tpmtool getdeviceinformation, https://learn.microsoft.com/windows-server/administration/windows-commands/tpmtool
import type { TpmtoolInfo } from '../../snapshot/windows-evidence.js';
import { describeText, EvidenceError } from './evidence-error.js';
import { toBool, toInt } from './json-values.js';

/**
 * `tpmtool getdeviceinformation` prints `-Label: Value` lines (CRLF) and one nested, tab-indented
 * lockout block. The labels are localised (Japanese Windows prints Japanese labels), so lines are
 * mapped in three tiers, each only for the lines the one before left unmapped:
 *
 *  1. the English label, when it is English (normalised: case, spaces and punctuation ignored);
 *  2. Japanese keywords in the label (a best-effort rendering: no Japanese output was captured
 *     from a device, see test/fixtures/synthetic/windows/README.md);
 *  3. the line's position, but only when the whole output has exactly the known layout (the
 *     English sample's 19 top-level lines and 5 lockout lines) and every value has the shape that
 *     position expects (True/False, a version, a number of seconds...). A layout that differs
 *     (an older or newer Windows build adds or drops a line) maps nothing by position: a wrong
 *     mapping could put "Clear Needed To Recover" on the wrong line, and a missing value is safer.
 *     The lockout block is mapped by position on its own when it alone matches.
 *
 * Values: True/False and the Japanese はい/いいえ are accepted; anything else is null.
 */

export type TpmtoolKey =
  | 'pr'
  | 'vr'
  | 'mi'
  | 'mn'
  | 'mv'
  | 'pp'
  | 'in'
  | 'rs'
  | 'ra'
  | 'ca'
  | 'cn'
  | 'cp'
  | 'vf'
  | 'mt'
  | 'p7'
  | 'sv'
  | 'ed'
  | 'pc'
  | 'lo'
  | 'lk'
  | 'lc'
  | 'lm'
  | 'li'
  | 'lr';

type Shape = 'bool' | 'version' | 'text' | 'header' | 'int' | 'seconds';

export interface TpmtoolField {
  /** Short key: also the key of this line in the compact evidence form. */
  key: TpmtoolKey;
  /** The label English Windows prints. */
  english: string;
  /** 0 for top-level lines, 1 for the lockout block. */
  depth: 0 | 1;
  shape: Shape;
  /** Keyword sets (all of a set must appear) that identify a Japanese label; tried in table order. */
  japanese: readonly (readonly string[])[];
}

function f(
  key: TpmtoolKey,
  english: string,
  depth: 0 | 1,
  shape: Shape,
  japanese: readonly (readonly string[])[] = [],
): TpmtoolField {
  return { key, english, depth, shape, japanese };
}

/**
 * The known layout, in the order `tpmtool getdeviceinformation` prints it on Windows 11
 * (https://learn.microsoft.com/windows-server/administration/windows-commands/tpmtool).
 */
export const TPMTOOL_FIELDS: readonly TpmtoolField[] = [
  f('pr', 'TPM Present', 0, 'bool', [['存在']]),
  f('vr', 'TPM Version', 0, 'version'),
  f('mi', 'TPM Manufacturer ID', 0, 'text', [['製造元', 'ID']]),
  f('mn', 'TPM Manufacturer Full Name', 0, 'text', [['製造元', '名']]),
  f('mv', 'TPM Manufacturer Version', 0, 'version', [['製造元', 'バージョン']]),
  f('pp', 'PPI Version', 0, 'version', [['PPI']]),
  f('in', 'Is Initialized', 0, 'bool', [['初期化']]),
  f('rs', 'Ready For Storage', 0, 'bool', [['ストレージ']]),
  f('ra', 'Ready For Attestation', 0, 'bool', [['構成証明', '準備']]),
  f('ca', 'Is Capable For Attestation', 0, 'bool', [['構成証明']]),
  f('cn', 'Clear Needed To Recover', 0, 'bool', [['クリア', '回復']]),
  f('cp', 'Clear Possible', 0, 'bool', [['クリア']]),
  f('vf', 'TPM Has Vulnerable Firmware', 0, 'bool', [['脆弱']]),
  f('mt', 'Maintenance Task Complete', 0, 'bool', [['メンテナンス']]),
  f('p7', 'Bitlocker PCR7 Binding State', 0, 'text', [['PCR7']]),
  f('sv', 'TPM Spec Version', 0, 'version', [['仕様']]),
  f('ed', 'TPM Errata Date', 0, 'text', [['正誤表'], ['エラッタ']]),
  f('pc', 'PC Client Version', 0, 'version', [['クライアント']]),
  f('lo', 'Lockout Information', 0, 'header', [['ロックアウト']]),
  f('lk', 'Is Locked Out', 1, 'bool', [['ロックアウト中'], ['ロックされ']]),
  f('lc', 'Lockout Counter', 1, 'int', [['カウンター'], ['カウンタ']]),
  f('lm', 'Max Auth Fail', 1, 'int', [['最大']]),
  f('li', 'Lockout Interval', 1, 'seconds', [['間隔']]),
  f('lr', 'Lockout Recovery', 1, 'seconds', [['回復']]),
];

const TOP = TPMTOOL_FIELDS.filter((x) => x.depth === 0);
const NESTED = TPMTOOL_FIELDS.filter((x) => x.depth === 1);

/** Label normalised for matching: lower case, letters and digits only. */
export function normaliseTpmtoolLabel(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_ENGLISH = new Map(TPMTOOL_FIELDS.map((x) => [normaliseTpmtoolLabel(x.english), x.key]));

/**
 * Labels of other display languages, as Windows prints them (each from a real output:
 * test/corpus/windows/tpmtool/gh-itprodocs-5429-getdeviceinformation-fr-fr-truncated.txt for
 * French). Matched after the English ones, normalised the same way. A language whose output was
 * never captured has no table: its labels are reported as not recognised, not guessed.
 */
const LOCALISED_LABELS: Record<string, Partial<Record<TpmtoolKey, string>>> = {
  'fr-FR': {
    pr: 'TPM présent',
    vr: 'Version du TPM',
    mi: 'ID du fabricant du TPM',
    mn: 'Nom complet du fabricant du TPM',
    mv: 'Version du fabricant du TPM',
    pp: 'Version du PPI',
    in: 'Initialisé',
    rs: 'Prêt pour le stockage',
    ra: 'Prêt pour l’attestation',
    ca: 'Compatible avec l’attestation',
    cn: 'Désactivation obligatoire pour récupérer',
    cp: 'Désactiver les éléments possibles',
  },
};

const BY_LOCALISED = new Map<string, TpmtoolKey>(
  Object.values(LOCALISED_LABELS).flatMap((table) =>
    Object.entries(table).map(([key, label]) => [normaliseTpmtoolLabel(label), key as TpmtoolKey] as const),
  ),
);

/** One `-Label: Value` line: its depth, its position among lines of that depth, and its label or key. */
export interface TpmtoolEntry {
  depth: 0 | 1;
  index: number;
  /** The label as printed, or null when only the value is known (the compact form). */
  label: string | null;
  /** Already known key (the compact form, mapped on the device), else null. */
  key: TpmtoolKey | null;
  value: string;
}

const LINE = /^([ \t]*)-([^:：]*?)\s*[:：][ \t]*(.*)$/;

/** Splits tpmtool text into entries; lines that are not `-Label: Value` are ignored. */
function tpmtoolEntries(text: string): TpmtoolEntry[] {
  const entries: TpmtoolEntry[] = [];
  let top = 0;
  let nested = 0;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const m = LINE.exec(raw.replace(/\s+$/, ''));
    if (!m) continue;
    const depth = m[1]!.length > 0 && top > 0 ? 1 : 0;
    entries.push({
      depth,
      index: depth === 0 ? top++ : nested++,
      label: m[2]!.trim(),
      key: null,
      value: (m[3] ?? '').trim(),
    });
  }
  return entries;
}

const EXPECTED = 'tpmtool getdeviceinformation output (lines like "-TPM Present: True")';

/** Parses `tpmtool getdeviceinformation` text, English or localised (see the tiers above). */
export function parseTpmtool(text: string, note: (message: string) => void = () => {}): TpmtoolInfo {
  if (typeof text !== 'string') throw new EvidenceError(`expected ${EXPECTED}, found no text`);
  const entries = tpmtoolEntries(text);
  if (entries.length === 0) throw new EvidenceError(`expected ${EXPECTED}, found ${describeText(text)}`);
  if (entries.length < 3) {
    throw new EvidenceError(
      `expected ${EXPECTED}, found only ${entries.length} such line${entries.length === 1 ? '' : 's'} (the output is cut short?)`,
    );
  }
  return tpmtoolFromEntries(entries, note);
}

/** Builds the result from entries (from text, or from the compact form's [key, value, depth] list). */
export function tpmtoolFromEntries(
  entries: readonly TpmtoolEntry[],
  note: (message: string) => void = () => {},
): TpmtoolInfo {
  const keyed = entries.map((e) => ({ ...e, key: e.key ?? byLabel(e) }));
  const top = keyed.filter((e) => e.depth === 0);
  const nested = keyed.filter((e) => e.depth === 1);
  if (layoutMatches(top, TOP)) assignByPosition(top, TOP);
  if (layoutMatches(nested, NESTED)) assignByPosition(nested, NESTED);
  const unmapped = keyed.filter((e) => e.key === null && e.label !== null).map((e) => e.label);
  if (unmapped.length > 0) {
    note(
      `${unmapped.length} label${unmapped.length === 1 ? '' : 's'} not recognised (not English, or unknown): ${unmapped.join(', ')}`,
    );
  }

  const values = new Map<TpmtoolKey, string>();
  for (const e of keyed) if (e.key !== null && !values.has(e.key)) values.set(e.key, e.value);
  const bool = (k: TpmtoolKey) => (values.has(k) ? toBool(values.get(k)) : null);
  const text = (k: TpmtoolKey) => {
    const v = values.get(k);
    return v === undefined || v === '' ? null : v;
  };
  const hasLockout = NESTED.some((x) => values.has(x.key)) || values.has('lo');
  return {
    tpmPresent: bool('pr'),
    tpmVersion: text('vr'),
    manufacturerId: text('mi'),
    manufacturerVersion: text('mv'),
    isInitialized: bool('in'),
    readyForStorage: bool('rs'),
    readyForAttestation: bool('ra'),
    isCapableForAttestation: bool('ca'),
    clearNeededToRecover: bool('cn'),
    clearPossible: bool('cp'),
    hasVulnerableFirmware: bool('vf'),
    maintenanceTaskComplete: bool('mt'),
    pcr7BindingState: text('p7'),
    lockout: hasLockout
      ? {
          isLockedOut: bool('lk'),
          counter: toInt(values.get('lc')),
          maxAuthFail: toInt(values.get('lm')),
          intervalSeconds: seconds(values.get('li')),
          recoverySeconds: seconds(values.get('lr')),
        }
      : null,
  };
}

function byLabel(e: TpmtoolEntry): TpmtoolKey | null {
  if (e.label === null) return null;
  const english = BY_ENGLISH.get(normaliseTpmtoolLabel(e.label));
  if (english !== undefined) return english;
  const localised = BY_LOCALISED.get(normaliseTpmtoolLabel(e.label));
  if (localised !== undefined) return localised;
  for (const field of TPMTOOL_FIELDS) {
    if (field.depth !== e.depth) continue;
    if (field.japanese.some((set) => set.every((word) => e.label!.includes(word)))) return field.key;
  }
  return null;
}

function fitsShape(value: string, shape: Shape): boolean {
  switch (shape) {
    case 'bool':
      return toBool(value) !== null;
    case 'version':
      return /^\d+(\.\d+)+$/.test(value);
    case 'int':
      return /^\d+$/.test(value);
    case 'seconds':
      return seconds(value) !== null;
    case 'header':
      return value === '';
    case 'text':
      return value !== '';
  }
}

/**
 * True when the lines are exactly the known layout: the same count, every already-keyed line at
 * its own position, every other line of the expected shape.
 */
function layoutMatches(lines: readonly TpmtoolEntry[], layout: readonly TpmtoolField[]): boolean {
  if (lines.length !== layout.length) return false;
  return lines.every((line) => {
    const expected = layout[line.index];
    if (expected === undefined) return false;
    return line.key !== null ? line.key === expected.key : fitsShape(line.value, expected.shape);
  });
}

function assignByPosition(lines: TpmtoolEntry[], layout: readonly TpmtoolField[]): void {
  for (const line of lines) {
    if (line.key === null) line.key = layout[line.index]?.key ?? null;
  }
}

/** "7200s", "7200", "7200 秒" → 7200. */
function seconds(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = /^(\d{1,12})\s*(?:s|sec|secs|seconds|秒)?$/i.exec(value.trim());
  return m ? Number(m[1]) : null;
}
