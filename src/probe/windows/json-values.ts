import { describeJson, EvidenceError } from './evidence-error.js';
import { describeShape } from './powershell-text.js';

/**
 * Reading PowerShell's ConvertTo-Json output defensively. Windows PowerShell 5.1 and PowerShell 7
 * differ (enums as numbers, DateTime as "/Date(ms)/" or ISO, a one-element array as a bare object,
 * arrays wrapped as {"value": [...], "Count": n}), and hand-edited files differ more, so every
 * accessor accepts the shapes seen and returns null for anything else. None of them throws.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * PowerShell 5.1 serialises a value wrapped in a PSObject (a DateTime from Select-Object, an array
 * from a calculated property) as {"value": x, ...}: take x.
 */
function unwrap(value: unknown): unknown {
  if (isRecord(value) && 'value' in value) {
    const keys = Object.keys(value);
    if (keys.every((k) => ['value', 'Count', 'count', 'DisplayHint', 'DateTime'].includes(k)))
      return value.value;
  }
  return value;
}

/** A property by name, exact first, then case-insensitively; undefined when absent. */
export function field(record: JsonRecord, ...names: string[]): unknown {
  for (const name of names) {
    if (Object.hasOwn(record, name)) return unwrap(record[name]);
  }
  for (const name of names) {
    const lower = name.toLowerCase();
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === lower) return unwrap(record[key]);
    }
  }
  return undefined;
}

/** True when the record has at least one of the names (case-insensitive). */
export function hasAnyField(record: JsonRecord, names: readonly string[]): boolean {
  const keys = new Set(Object.keys(record).map((k) => k.toLowerCase()));
  return names.some((n) => keys.has(n.toLowerCase()));
}

/** A list from ConvertTo-Json: an array, a 5.1 {"value": [...]} wrapper, one bare item, or nothing. */
export function asArray(value: unknown): unknown[] {
  const v = unwrap(value);
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  return [v];
}

// Localised True/False as tpmtool and PowerShell's text views print them: French Vrai/Faux,
// German Wahr/Falsch, Italian Vero/Falso, Spanish Verdadero/Falso, Japanese はい/いいえ.
const TRUE_WORDS = new Set([
  'true',
  'yes',
  '1',
  'y',
  'はい',
  '真',
  'vrai',
  'wahr',
  'vero',
  'verdadero',
  'oui',
  'ja',
  'sì',
  'si',
  'sí',
]);
const FALSE_WORDS = new Set([
  'false',
  'no',
  '0',
  'n',
  'いいえ',
  '偽',
  'faux',
  'falsch',
  'falso',
  'non',
  'nein',
]);

/** True/False, YES/NO, 1/0 and their French, German, Italian, Spanish and Japanese words; anything else is null. */
export function toBool(value: unknown): boolean | null {
  const v = unwrap(value);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : null;
  if (typeof v === 'string') {
    const word = v.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return null;
}

/** A whole number (from a number or a decimal / 0x-hex string), or null. */
export function toInt(value: unknown): number | null {
  const v = unwrap(value);
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^-?\d{1,15}$/.test(s)) return Number.parseInt(s, 10);
    if (/^0x[0-9a-f]{1,13}$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  }
  return null;
}

/** A non-empty trimmed string (numbers and booleans as text), or null. */
export function toStr(value: unknown): string | null {
  const v = unwrap(value);
  if (typeof v === 'string') {
    const s = v.trim();
    return s === '' ? null : s;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return null;
}

/**
 * A timestamp as ISO 8601 UTC: PowerShell 5.1's "/Date(1700000000000)/" (optionally with an
 * offset, "/Date(1700000000000+0900)/"), an ISO string, a {"value": ...} wrapper, or epoch ms.
 */
export function toIsoTime(value: unknown): string | null {
  const v = unwrap(value);
  if (typeof v === 'number' && Number.isFinite(v)) return isoOrNull(new Date(v));
  if (typeof v !== 'string') return null;
  const s = v.trim();
  const ms = /^\/?Date\((-?\d{1,15})(?:[+-]\d{4})?\)\/?$/.exec(s.replace(/\\\//g, '/'));
  if (ms) return isoOrNull(new Date(Number(ms[1])));
  // OMADM registry style: 20231114T221320Z
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (compact) {
    const [, y, mo, d, h, mi, se] = compact;
    return isoOrNull(new Date(`${y}-${mo}-${d}T${h}:${mi}:${se}Z`));
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) return isoOrNull(new Date(s.replace(' ', 'T')));
  return null;
}

function isoOrNull(d: Date): string | null {
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * JSON.parse with an error that names what was expected. Node's own message quotes the input,
 * which may hold a secret, so only the position is kept.
 */
export function parseJsonText(text: string, expected: string): unknown {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new EvidenceError(`expected ${expected}, found an empty file`);
  try {
    return JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    const at = /position (\d+)/.exec(message);
    const where = /end of JSON|Unterminated|Unexpected end/i.test(message)
      ? 'it ends early (truncated?)'
      : at
        ? `invalid at character ${at[1]}`
        : 'it is not JSON';
    const start = body[0] === '{' || body[0] === '[' ? '' : ` (${describeShape(body)})`;
    throw new EvidenceError(`expected ${expected}, found text that is not valid JSON: ${where}${start}`);
  }
}

/**
 * The one object a source should hold: a bare object, or the first of a list (ConvertTo-Json of a
 * one-instance collection). Anything else is an EvidenceError naming what was expected.
 */
export function singleRecord(value: unknown, expected: string): JsonRecord {
  const v = unwrap(value);
  if (isRecord(v)) return v;
  if (Array.isArray(v)) {
    const first = v.find(isRecord);
    if (first !== undefined) return first;
  }
  throw new EvidenceError(`expected ${expected}, found ${describeJson(v)}`);
}
