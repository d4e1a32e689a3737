import type { TriageRow } from '../store/fleet-store.js';
import { UNKNOWN_FACT, UNKNOWN_FACTS } from './device-facts.js';
import { storedBlockers } from './triage-row-blockers.js';

/**
 * Which devices of one triage run match: the one rule behind the console's fleet table, the
 * console's campaign planner and the `fleet sync|remediate|clear` selection flags (docs/campaigns.md,
 * "Selecting devices"). Each filter is a set of allowed values (absent or empty: any); a device
 * matches when it matches every filter given. Facts are matched exactly as the triage stored them
 * (src/fleet/triage/device-facts.ts), `unknown` included, so a fact that was not read is selected
 * only by asking for `unknown`, never by another value.
 */
export interface TriageFilter {
  classes?: readonly string[];
  clearSafety?: readonly string[];
  /** Blocker codes (finding IDs, escrow codes): a device blocked by any of them. */
  blockers?: readonly string[];
  models?: readonly string[];
  tpmManufacturers?: readonly string[];
  firmwares?: readonly string[];
  /** Intune error codes: a device with any failing setting carrying one of them. */
  errorCodes?: readonly string[];
  /** Last sync: `Nd`/`Nh` (not synced for more than that when the triage read it) or `unknown`. */
  notSyncedFor?: string;
}

/** A fact as Graph wrote it and factText kept it: printable, no control characters, 1 to 200 characters. */
const FACT_TEXT = /^[^\p{Cc}\p{Cf}\u2028\u2029]{1,200}$/u;
/** Intune's error code: a decimal integer (e.g. -2016281112), or `unknown` when it was not read. */
const ERROR_CODE = /^(?:-?\d{1,20}|unknown)$/;
/** A blocker code as the triage writes them: a finding ID or an escrow code. */
const BLOCKER_CODE = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)+$/;
/** "Not synced for more than": whole days or hours, up to a few years; or `unknown`. */
const SYNC_AGE = /^([1-9]\d{0,4})([dh])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000 } as const;

/** Whether a value can be a stored fact (model, TPM maker, firmware). */
export function isFactValue(value: string): boolean {
  return FACT_TEXT.test(value);
}

export function isErrorCodeValue(value: string): boolean {
  return ERROR_CODE.test(value);
}

export function isBlockerCode(value: string): boolean {
  return value.length <= 100 && BLOCKER_CODE.test(value);
}

/**
 * The last-sync filter read: `unknown` (Intune gave no readable last sync), or the age in
 * milliseconds a device's last sync must exceed; undefined for anything else.
 */
export function parseNotSyncedFor(text: string): number | 'unknown' | undefined {
  if (text === UNKNOWN_FACT) return 'unknown';
  const m = SYNC_AGE.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : undefined;
}

/** A row's last sync in milliseconds since the epoch, or undefined when it is not known. */
function lastSyncMs(row: TriageRow): number | undefined {
  if (row.lastSync === null) return undefined;
  const ms = Date.parse(row.lastSync);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The filters given (non-empty), as the words a dry run and a campaign record show them. */
export function describeTriageFilter(filter: TriageFilter): string[] {
  const parts: string[] = [];
  const add = (name: string, values: readonly string[] | undefined) => {
    if (values !== undefined && values.length > 0) parts.push(`${name} ${values.join('|')}`);
  };
  add('class', filter.classes);
  add('clear safety', filter.clearSafety);
  add('blocker', filter.blockers);
  add('model', filter.models);
  add('TPM maker', filter.tpmManufacturers);
  add('firmware', filter.firmwares);
  add('error code', filter.errorCodes);
  if (filter.notSyncedFor !== undefined)
    parts.push(
      filter.notSyncedFor === UNKNOWN_FACT
        ? 'last sync unknown'
        : `not synced for more than ${filter.notSyncedFor}`,
    );
  return parts;
}

/** Whether any filter is given. */
export function hasTriageFilter(filter: TriageFilter): boolean {
  return describeTriageFilter(filter).length > 0;
}

/**
 * The filter as one test per row. `triagedAt` is when the triage read the devices (its run's
 * `createdAt`): "not synced for more than 7d" is measured from then, as every other fact is the
 * triage's, so the table, a dry run and the campaign it starts select the same devices whenever
 * they run. A row whose last sync is unknown is neither recent nor old: only `unknown` selects it.
 * `blockersOf` lets a caller that holds each row's blocker codes already (the console's index)
 * pass them; by default they are read from the row (triage-row-blockers.ts).
 */
export function triageRowMatcher(
  filter: TriageFilter,
  triagedAt: string,
): (row: TriageRow, blockers?: readonly string[]) => boolean {
  const set = (values: readonly string[] | undefined) =>
    values !== undefined && values.length > 0 ? new Set(values) : null;
  const classes = set(filter.classes);
  const safeties = set(filter.clearSafety);
  const blockers = set(filter.blockers);
  const models = set(filter.models);
  const tpmMakers = set(filter.tpmManufacturers);
  const firmwares = set(filter.firmwares);
  const errorCodes = set(filter.errorCodes);
  let syncAge: number | 'unknown' | null = null;
  if (filter.notSyncedFor !== undefined) {
    const parsed = parseNotSyncedFor(filter.notSyncedFor);
    // A filter that cannot be read matches nothing rather than everything.
    if (parsed === undefined) return () => false;
    syncAge = parsed;
  }
  const before = syncAge === null || syncAge === 'unknown' ? Number.NaN : Date.parse(triagedAt) - syncAge;
  if (typeof syncAge === 'number' && Number.isNaN(before)) return () => false;
  return (row, rowBlockers) => {
    if (classes !== null && !classes.has(row.triageClass)) return false;
    if (safeties !== null && !safeties.has(row.clearSafety)) return false;
    if (blockers !== null) {
      const codes = rowBlockers ?? storedBlockers(row).blockers.map((b) => b.code);
      if (!codes.some((c) => blockers.has(c))) return false;
    }
    const facts = row.facts ?? UNKNOWN_FACTS;
    if (models !== null && !models.has(facts.model)) return false;
    if (tpmMakers !== null && !tpmMakers.has(facts.tpmManufacturer)) return false;
    if (firmwares !== null && !firmwares.has(facts.firmware)) return false;
    if (errorCodes !== null && !facts.settingErrors.some((e) => errorCodes.has(e.errorCode))) return false;
    if (syncAge !== null) {
      const synced = lastSyncMs(row);
      if (syncAge === 'unknown') return synced === undefined;
      if (synced === undefined || !(synced < before)) return false;
    }
    return true;
  };
}
