/**
 * The run journal's records, pure: their types, their canonical bytes and hash chain, the rules
 * for which record may follow which, and "where are we" for resume. The file I/O (append, fsync,
 * reading back, repairing a torn tail) is in journal.ts.
 *
 * One record is one line of JSON Lines, in canonical JSON (keys sorted, no whitespace; the
 * RFC 8785 JSON Canonicalization Scheme for the values a journal holds), so a line has exactly one
 * valid spelling and its bytes can be hashed:
 * - `hash` is the SHA-256 of the record's canonical JSON without the `hash` field (hex);
 * - `prev` is the SHA-256 of the previous line's exact bytes, without its '\n' ('' on line 1).
 * A record edited by hand fails its own hash; a line removed, inserted or re-ordered breaks `seq`
 * or the next line's `prev`. (Only the unacknowledged last line may be missing: see journal.ts.)
 */
import { createHash } from 'node:crypto';
import { isSecretField, redact } from '../snapshot/redact-secrets.js';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}

const JOURNAL_KINDS = [
  'run-started',
  'step-started',
  'step-succeeded',
  'step-failed',
  'run-finished',
  'run-abandoned',
  'note',
] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];
export type StepKind = 'step-started' | 'step-succeeded' | 'step-failed';
export type RunEndKind = 'run-finished' | 'run-abandoned';
/** Every kind but run-started, which only `RunJournal.create` writes (always as line 1). */
export type AppendableKind = Exclude<JournalKind, 'run-started'>;

interface RecordBase {
  /** 1-based, equal to the record's line number. */
  readonly seq: number;
  /** When the record was written, ISO 8601 UTC with milliseconds (Date.prototype.toISOString). */
  readonly at: string;
  /** SHA-256 (hex) of the previous line's bytes without its '\n'; '' on line 1. */
  readonly prev: string;
  /** SHA-256 (hex) of this record's canonical JSON without the `hash` field. */
  readonly hash: string;
}

/** Line 1 of every journal. */
export interface RunStartedRecord extends RecordBase {
  readonly kind: 'run-started';
  readonly step?: undefined;
  readonly data: { readonly runId: string; readonly meta: JsonObject };
}
export interface StepRecord extends RecordBase {
  readonly kind: StepKind;
  readonly step: string;
  readonly data?: JsonObject;
}
export interface RunEndRecord extends RecordBase {
  readonly kind: RunEndKind;
  readonly step?: undefined;
  readonly data?: JsonObject;
}
/** Anything worth keeping in the history (an approval, a preflight result), about a step or the run. */
export interface NoteRecord extends RecordBase {
  readonly kind: 'note';
  readonly step?: string;
  readonly data?: JsonObject;
}
export type JournalRecord = RunStartedRecord | StepRecord | RunEndRecord | NoteRecord;

// ---------------------------------------------------------------------------------------------
// Canonical JSON and hashes

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers and strings as
 * ECMAScript's JSON.stringify writes them (RFC 8785 §3.2). Properties whose value is undefined are
 * left out, as JSON.stringify does; anything JSON cannot carry (NaN, Infinity, bigint, functions,
 * undefined in an array, class instances) is refused rather than silently changed.
 */
export function canonicalJson(value: unknown, where = 'value'): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${where} is ${value}: JSON has no such number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => canonicalJson(item, `${where}[${i}]`)).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(
          `${where} is a ${proto?.constructor?.name ?? 'non-plain'} object, not plain JSON`,
        );
      }
      const entries = Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map(
          (key) =>
            `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key], `${where}.${key}`)}`,
        );
      return `{${entries.join(',')}}`;
    }
    default:
      throw new TypeError(`${where} is ${typeof value}, which JSON cannot carry`);
  }
}

export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The record's `hash`: SHA-256 of its canonical JSON without the hash field. */
export function recordHash(record: { readonly [field: string]: unknown }): string {
  const { hash: _ignored, ...body } = record;
  return sha256Hex(canonicalJson(body, 'record'));
}

/** A new record and its line (canonical JSON, no '\n'), chained to the previous line's hash. */
export function makeRecord(fields: {
  seq: number;
  at: string;
  kind: JournalKind;
  step?: string | undefined;
  data?: JsonObject | undefined;
  prev: string;
}): { record: JournalRecord; line: string } {
  const body: Record<string, unknown> = {
    seq: fields.seq,
    at: fields.at,
    kind: fields.kind,
    prev: fields.prev,
  };
  if (fields.step !== undefined) body.step = fields.step;
  if (fields.data !== undefined) body.data = fields.data;
  const hash = recordHash(body);
  const line = canonicalJson({ ...body, hash }, 'record');
  // The record handed back is the one a reader will parse from the line (undefined properties
  // dropped, a private copy of data), so records() and readJournal() always agree.
  return { record: deepFreeze(JSON.parse(line)) as JournalRecord, line };
}

// ---------------------------------------------------------------------------------------------
// Reading one line back

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const FIELDS = new Set(['seq', 'at', 'kind', 'step', 'data', 'prev', 'hash']);

function short(hex: string): string {
  return hex === '' ? "''" : `${hex.slice(0, 16)}…`;
}

/**
 * Checks one complete line as line `lineNo`, after a line whose bytes hash to `expectedPrev`
 * ('' for line 1). Returns the record, or a message saying what was expected and what came.
 */
export function checkLine(
  text: string,
  lineNo: number,
  expectedPrev: string,
): { record: JournalRecord } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return {
      error: `line ${lineNo}: expected a JSON record, found text that is not JSON (${(e as Error).message})`,
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      error: `line ${lineNo}: expected a JSON object, found ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    };
  }
  const r = parsed as Record<string, unknown>;
  const extra = Object.keys(r).filter((k) => !FIELDS.has(k));
  if (extra.length > 0) return { error: `line ${lineNo}: unexpected field ${extra.join(', ')}` };
  if (r.seq !== lineNo)
    return { error: `line ${lineNo}: expected seq ${lineNo}, found ${JSON.stringify(r.seq)}` };
  if (typeof r.at !== 'string' || !ISO_UTC.test(r.at)) {
    return {
      error: `line ${lineNo}: expected \`at\` as an ISO 8601 UTC time, found ${JSON.stringify(r.at)}`,
    };
  }
  if (typeof r.kind !== 'string' || !(JOURNAL_KINDS as readonly string[]).includes(r.kind)) {
    return {
      error: `line ${lineNo}: expected kind to be one of ${JOURNAL_KINDS.join(', ')}, found ${JSON.stringify(r.kind)}`,
    };
  }
  if (r.step !== undefined && typeof r.step !== 'string') {
    return { error: `line ${lineNo}: expected step to be a string, found ${JSON.stringify(r.step)}` };
  }
  if (r.data !== undefined && (typeof r.data !== 'object' || r.data === null || Array.isArray(r.data))) {
    return { error: `line ${lineNo}: expected data to be an object, found ${JSON.stringify(r.data)}` };
  }
  if (typeof r.prev !== 'string' || (r.prev !== '' && !SHA256_HEX.test(r.prev))) {
    return { error: `line ${lineNo}: expected prev to be a SHA-256 in hex, found ${JSON.stringify(r.prev)}` };
  }
  if (r.prev !== expectedPrev) {
    const what =
      lineNo === 1
        ? "'' (line 1 has no previous line)"
        : `${short(expectedPrev)} (SHA-256 of line ${lineNo - 1})`;
    return {
      error: `line ${lineNo}: expected prev ${what}, found ${short(r.prev)}: a line before it was edited, removed or inserted`,
    };
  }
  if (typeof r.hash !== 'string' || !SHA256_HEX.test(r.hash)) {
    return { error: `line ${lineNo}: expected hash to be a SHA-256 in hex, found ${JSON.stringify(r.hash)}` };
  }
  const expectedHash = recordHash(r);
  if (r.hash !== expectedHash) {
    return {
      error: `line ${lineNo}: expected hash ${short(expectedHash)} (SHA-256 of the record), found ${short(r.hash)}: the record was edited`,
    };
  }
  // The hash covers the values; the next line's prev covers the bytes. Requiring the one canonical
  // spelling makes a whitespace-only edit of the last line detectable too.
  if (canonicalJson(r) !== text)
    return { error: `line ${lineNo}: expected canonical JSON (sorted keys, no spaces)` };
  if (r.kind === 'run-started') {
    const data = r.data as Record<string, unknown> | undefined;
    if (typeof data?.runId !== 'string' || typeof data.meta !== 'object' || data.meta === null) {
      return {
        error: `line ${lineNo}: expected run-started data { runId, meta }, found ${JSON.stringify(r.data)}`,
      };
    }
  }
  return { record: deepFreeze(r) as unknown as JournalRecord };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Which record may follow which, and where a run stands

export type RunStatus = 'running' | 'finished' | 'abandoned';

export interface RunState {
  readonly status: RunStatus;
  /** Steps that succeeded, in the order they did. */
  readonly completedSteps: readonly string[];
  /**
   * A step with a step-started record and no outcome after it: the step a crash, a reboot or a
   * power cut interrupted. It may have done its work, all of it or part of it.
   *
   * The rule for resuming (the runbook enforces it; append() only refuses to start another step
   * until this one has an outcome): an in-flight step is checked against the TPM (and Windows)
   * before anything is repeated, and its outcome is recorded from what the check found. Above all,
   * an in-flight "clear" is never re-sent blindly: the runbook compares the SRK's Name and the TPM's
   * clear counters with the fingerprints recorded before the clear; if the TPM was cleared, the step
   * succeeded; only if it provably was not may it be recorded failed and started again.
   */
  readonly inFlight: string | null;
}

export type StepOutcome = 'not-started' | 'in-flight' | 'succeeded' | 'failed';

/** Where a run stands, from its records (pure; records a reader accepted, in order). */
export function runState(records: readonly JournalRecord[]): RunState {
  let status: RunStatus = 'running';
  let inFlight: string | null = null;
  const completed: string[] = [];
  for (const r of records) {
    switch (r.kind) {
      case 'step-started':
        inFlight = r.step;
        break;
      case 'step-succeeded':
        if (!completed.includes(r.step)) completed.push(r.step);
        if (inFlight === r.step) inFlight = null;
        break;
      case 'step-failed':
        if (inFlight === r.step) inFlight = null;
        break;
      case 'run-finished':
        status = 'finished';
        break;
      case 'run-abandoned':
        status = 'abandoned';
        break;
      default:
        break;
    }
  }
  return { status, completedSteps: completed, inFlight };
}

/** The latest outcome of `step`: its last step-* record decides. */
export function stepOutcome(records: readonly JournalRecord[], step: string): StepOutcome {
  let outcome: StepOutcome = 'not-started';
  for (const r of records) {
    if (r.step !== step) continue;
    if (r.kind === 'step-started') outcome = 'in-flight';
    else if (r.kind === 'step-succeeded') outcome = 'succeeded';
    else if (r.kind === 'step-failed') outcome = 'failed';
  }
  return outcome;
}

/**
 * Why `kind`/`step` may not follow `records`, or undefined when it may. The same rules hold for
 * appending and for reading back, so a journal that reads back clean is one append() could write.
 */
export function transitionError(
  records: readonly JournalRecord[],
  kind: JournalKind,
  step: string | undefined,
): string | undefined {
  if (records.length === 0) {
    return kind === 'run-started' ? undefined : `expected run-started first, found ${kind}`;
  }
  if (kind === 'run-started') return 'expected run-started only on line 1, found a second one';
  const state = runState(records);
  if (state.status !== 'running')
    return `the run is ${state.status}: no record may follow its ${records.at(-1)?.kind}`;
  const isStep = kind === 'step-started' || kind === 'step-succeeded' || kind === 'step-failed';
  if (isStep && (step === undefined || step === '')) return `expected a step name with ${kind}`;
  if (!isStep && kind !== 'note' && step !== undefined) return `expected no step with ${kind}, found ${step}`;
  switch (kind) {
    case 'step-started':
      if (state.inFlight !== null) {
        return `step ${state.inFlight} is in flight: check it against the TPM and record its outcome before starting ${step}`;
      }
      if (state.completedSteps.includes(step as string)) {
        return `step ${step} already succeeded in this run: a step that succeeded is never run again`;
      }
      return undefined;
    case 'step-succeeded':
    case 'step-failed':
      return state.inFlight === step
        ? undefined
        : `expected an outcome for ${state.inFlight === null ? 'no step (none is in flight)' : `step ${state.inFlight}`}, found ${kind} for ${step}`;
    case 'run-finished':
      return state.inFlight === null
        ? undefined
        : `step ${state.inFlight} is still in flight: record its outcome first`;
    default:
      // run-abandoned is always possible: abandoning is how a run that cannot go on ends cleanly,
      // even with a step whose outcome is unknown (runState still reports it as in flight).
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Secrets

/**
 * Throws when `value` holds a secret: a key named like an authorization value or a recovery
 * password (OwnerAuth, lockoutAuth, RecoveryPassword, ...), or a string that the shared redactor
 * would change (a 48-digit recovery password, "OwnerAuth: ..." text). The journal refuses rather
 * than redacts: a record that silently lost a value would mislead a resume.
 */
export function assertNoSecrets(value: unknown, where: string): void {
  if (typeof value === 'string') {
    if (redact(value) !== value) {
      throw new Error(
        `refusing to journal ${where}: it contains a recovery password or an authorization value; journal the protector ID or "set: true" instead`,
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      assertNoSecrets(item, `${where}[${i}]`);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (isSecretField(key)) {
      throw new Error(
        `refusing to journal ${where}.${key}: a field named like an authorization value or recovery password never goes into the journal`,
      );
    }
    assertNoSecrets(key, `${where} key ${JSON.stringify(key)}`);
    assertNoSecrets(item, `${where}.${key}`);
  }
}
