import { CLEAR_SAFETIES, TRIAGE_CLASSES } from '../fleet/triage/triage-class.js';
import {
  isBlockerCode,
  isErrorCodeValue,
  isFactValue,
  parseNotSyncedFor,
  type TriageFilter,
} from '../fleet/triage/triage-filter.js';

/** What the fleet table asks for: filters (each a set of allowed values; empty = any) and a search. */
export interface DeviceFilter {
  classes: readonly string[];
  clearSafeties: readonly string[];
  blockers: readonly string[];
  search: string;
  /** Intune's facts, matched exactly as /api/fleet's `facts` lists them (`unknown` included). */
  models?: readonly string[];
  tpmManufacturers?: readonly string[];
  firmwares?: readonly string[];
  /** A device matches when any of its failing settings has one of these Intune error codes. */
  errorCodes?: readonly string[];
  /** Last sync: `Nd`/`Nh` (not synced for more than that when triaged) or `unknown`. */
  notSyncedFor?: string;
}

/** The table's filter without its search: what a campaign from the same filter selects. */
export function triageFilterOf(filter: DeviceFilter): TriageFilter {
  const { search: _search, clearSafeties, ...rest } = filter;
  return { ...rest, clearSafety: clearSafeties };
}

export interface DeviceQuery {
  filter: DeviceFilter;
  page: number;
  pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 50;
/** A page the browser renders at once; the fleet itself is paged, never sent whole. */
export const MAX_PAGE_SIZE = 500;
const MAX_SEARCH_CHARS = 200;
const MAX_VALUES = 50;
const PARAMETERS = new Set([
  'class',
  'safety',
  'blocker',
  'model',
  'tpmManufacturer',
  'firmware',
  'errorCode',
  'notSyncedFor',
  'q',
  'page',
  'pageSize',
]);

function wholeNumber(params: URLSearchParams, name: string, fallback: number, max: number): number | string {
  const all = params.getAll(name);
  if (all.length === 0) return fallback;
  const text = all[0]!;
  if (all.length > 1) return `give ${name} once`;
  if (!/^[1-9]\d{0,8}$/.test(text) || Number(text) > max) {
    return `${name} expects a whole number from 1 to ${max}`;
  }
  return Number(text);
}

function oneOf(params: URLSearchParams, name: string, allowed: (v: string) => boolean): string[] | string {
  const values = params.getAll(name);
  if (values.length > MAX_VALUES) return `at most ${MAX_VALUES} values of ${name}`;
  for (const v of values) if (!allowed(v)) return `unknown ${name} value (expected one listed by /api/fleet)`;
  return [...new Set(values)];
}

/**
 * Reads the device list's query string, strictly: an unknown parameter, a value outside the
 * triage's vocabulary (triage-class.ts) or a page outside its bounds is refused with why, never
 * guessed at. The refusal never quotes the value back.
 */
export function parseDeviceQuery(params: URLSearchParams): DeviceQuery | { error: string } {
  for (const name of params.keys()) {
    if (!PARAMETERS.has(name)) return { error: `unknown parameter (expected ${[...PARAMETERS].join(', ')})` };
  }
  const classes = oneOf(params, 'class', (v) => (TRIAGE_CLASSES as readonly string[]).includes(v));
  if (typeof classes === 'string') return { error: classes };
  const clearSafeties = oneOf(params, 'safety', (v) => (CLEAR_SAFETIES as readonly string[]).includes(v));
  if (typeof clearSafeties === 'string') return { error: clearSafeties };
  const blockers = oneOf(params, 'blocker', isBlockerCode);
  if (typeof blockers === 'string') return { error: blockers };
  const models = oneOf(params, 'model', isFactValue);
  if (typeof models === 'string') return { error: models };
  const tpmManufacturers = oneOf(params, 'tpmManufacturer', isFactValue);
  if (typeof tpmManufacturers === 'string') return { error: tpmManufacturers };
  const firmwares = oneOf(params, 'firmware', isFactValue);
  if (typeof firmwares === 'string') return { error: firmwares };
  const errorCodes = oneOf(params, 'errorCode', isErrorCodeValue);
  if (typeof errorCodes === 'string') return { error: errorCodes };
  const ages = params.getAll('notSyncedFor');
  if (ages.length > 1) return { error: 'give notSyncedFor once' };
  const notSyncedFor = ages[0];
  if (notSyncedFor !== undefined && parseNotSyncedFor(notSyncedFor) === undefined)
    return { error: 'notSyncedFor expects a number of days or hours (7d, 12h) or unknown' };
  const searches = params.getAll('q');
  if (searches.length > 1) return { error: 'give q once' };
  const search = (searches[0] ?? '').trim();
  if (search.length > MAX_SEARCH_CHARS) return { error: `q is at most ${MAX_SEARCH_CHARS} characters` };
  const page = wholeNumber(params, 'page', 1, 1_000_000_000);
  if (typeof page === 'string') return { error: page };
  const pageSize = wholeNumber(params, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  if (typeof pageSize === 'string') return { error: pageSize };
  return {
    filter: {
      classes,
      clearSafeties,
      blockers,
      search,
      models,
      tpmManufacturers,
      firmwares,
      errorCodes,
      ...(notSyncedFor !== undefined ? { notSyncedFor } : {}),
    },
    page,
    pageSize,
  };
}
