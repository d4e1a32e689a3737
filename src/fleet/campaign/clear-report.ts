/**
 * The one line a device's `tpm-doctor clear` run reports back through Intune Remediations, so a
 * clear campaign learns each device's outcome from Graph (docs/graph-calls.md #11,
 * preRemediationDetectionScriptOutput): cleared with its proof, or refused/failed with the reason.
 * Only the receipt's summary travels: the SRK Names before and after (public: a key's Name is a
 * hash of its public area, TCG TPM 2.0 Part 1 §16) and whether the proof held; never an auth value
 * or a recovery password, which a clear run never holds in its journal either.
 */
import { COMPACT_MARKER } from '../../probe/windows/compact.js';
import { isRunId } from '../../remedy/run-id.js';

export const CLEAR_REPORT_MARKER = 'clear-report/v1';

/**
 * Intune keeps at most 2,048 characters of a script's output (Remediations, "Script
 * requirements"): messages are cut so that a report always fits.
 */
const MAX_MESSAGE_CHARS = 1_200;

/**
 * When a run ended: ISO 8601 in UTC as Date.prototype.toISOString writes it (.NET's round-trip
 * format has up to 7 fraction digits). Digits are [0-9], not \d: .NET's \d matches every Unicode
 * digit, and the same pattern is rendered for PowerShell (receipt-report.ts).
 */
export const ISO_UTC_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,7})?Z$/;

/**
 * An SRK Name in hex: a 2-byte hash algorithm id and the digest of the key's public area (TCG TPM
 * 2.0 Part 1 §16); 80 bytes hold every digest a TPM implements (SHA-512 and SM3 names are 66 and 34).
 */
export const SRK_NAME_HEX = /^(?:[0-9a-fA-F]{2}){1,80}$/;

/**
 * Why a clear report from a device's receipts is not to be believed, by a short key, when the
 * evidence script printed `{"tpmdoctor":"clear-report/v1","untrusted":KEY}` instead of the report
 * (receipt-report.ts): its folder may be written by others, a receipt is a link, too large or
 * not in the receipt's format.
 */
const UNTRUSTED_KEY = /^[a-z-]{1,40}$/;

export type ClearReportResult = 'cleared' | 'refused' | 'failed';

export interface ClearReport {
  tpmdoctor: typeof CLEAR_REPORT_MARKER;
  /** cleared: TPM2_Clear sent once and proven; refused: the device's gate said no, the TPM untouched; failed: the run ended without a proven clear. */
  result: ClearReportResult;
  /** The run's id in the device's journal (null when no run started). */
  runId: string | null;
  /** A stable reason id when not cleared ('gate-not-passed', 'disable-clear', 'not-proven', ...). */
  reason: string | null;
  /** One sentence for the admin. */
  message: string;
  /** Gate checks that did not pass, by id (refused only). */
  blocking: string[];
  srkNameBefore: string | null;
  srkNameAfter: string | null;
  /** Whether the receipt's proof held (null when no proof was computed). */
  proven: boolean | null;
  /** When the run ended (ISO 8601 UTC; a report made from a receipt, receipt-report.ts). */
  finishedAt?: string;
}

/** The report as the object its JSON is made of (the key order the detection script writes too). */
export function clearReportObject(report: Omit<ClearReport, 'tpmdoctor'>): ClearReport {
  const message =
    report.message.length > MAX_MESSAGE_CHARS
      ? `${report.message.slice(0, MAX_MESSAGE_CHARS - 1)}…`
      : report.message;
  return { tpmdoctor: CLEAR_REPORT_MARKER, ...report, message };
}

export function formatClearReport(report: Omit<ClearReport, 'tpmdoctor'>): string {
  return JSON.stringify(clearReportObject(report));
}

/**
 * Reads a clear report from a run's output: the report alone (the lab's swtpm devices report a
 * clear run so), or the evidence line of scripts/collect-evidence.ps1 carrying the device's latest
 * receipt under `clr` (receipt-report.ts). Returns null when the output is not one (e.g. an
 * evidence line without a receipt); throws when it says it is one but a field has the wrong type,
 * naming what was expected.
 */
export function parseClearReport(output: string | null | undefined): ClearReport | null {
  if (output === null || output === undefined || !output.includes(CLEAR_REPORT_MARKER)) return null;
  let value: unknown;
  try {
    value = JSON.parse(output.trim());
  } catch {
    throw new Error(
      `a clear report (${CLEAR_REPORT_MARKER}) must be one JSON object; the output is not valid JSON (${output.length} characters)`,
    );
  }
  let record = value as Record<string, unknown> | null;
  // The detection script's evidence line, with the latest receipt's report embedded.
  if (typeof record === 'object' && record !== null && record.tpmdoctor === COMPACT_MARKER) {
    record = record.clr as Record<string, unknown> | null;
  }
  if (typeof record !== 'object' || record === null || record.tpmdoctor !== CLEAR_REPORT_MARKER) return null;
  if (record.untrusted !== undefined) {
    // Never a proof: the device's receipts could have been planted or bent (receipt-report.ts).
    const key =
      typeof record.untrusted === 'string' && UNTRUSTED_KEY.test(record.untrusted) ? record.untrusted : '?';
    throw new Error(
      `the device's clear receipts are not trusted (${key}): their folder or files could have been written by someone other than SYSTEM or Administrators`,
    );
  }
  const text = (name: string, nullable: boolean): string | null => {
    const v = record[name];
    if (typeof v === 'string' || (nullable && v === null)) return v as string | null;
    throw new Error(
      `clear report field "${name}": expected a string${nullable ? ' or null' : ''}, got ${JSON.stringify(v) ?? 'nothing'}`,
    );
  };
  const result = record.result;
  if (result !== 'cleared' && result !== 'refused' && result !== 'failed') {
    throw new Error(
      `clear report field "result": expected cleared, refused or failed, got ${JSON.stringify(result) ?? 'nothing'}`,
    );
  }
  const blocking = record.blocking;
  if (!Array.isArray(blocking) || !blocking.every((b) => typeof b === 'string')) {
    throw new Error(
      `clear report field "blocking": expected a list of check ids, got ${JSON.stringify(blocking)}`,
    );
  }
  const proven = record.proven;
  if (proven !== null && typeof proven !== 'boolean') {
    throw new Error(
      `clear report field "proven": expected true, false or null, got ${JSON.stringify(proven)}`,
    );
  }
  const finishedAt = record.finishedAt;
  if (
    finishedAt !== undefined &&
    (typeof finishedAt !== 'string' || !ISO_UTC_TIME.test(finishedAt) || Number.isNaN(Date.parse(finishedAt)))
  ) {
    throw new Error(
      `clear report field "finishedAt": expected an ISO 8601 time in UTC, got ${clip(finishedAt)}`,
    );
  }
  const runId = text('runId', true);
  if (runId !== null && !isRunId(runId)) {
    throw new Error(
      `clear report field "runId": expected a run ID (src/remedy/run-id.ts), got ${clip(runId)}`,
    );
  }
  const srkName = (name: 'srkNameBefore' | 'srkNameAfter'): string | null => {
    const value = text(name, true);
    if (value !== null && !SRK_NAME_HEX.test(value)) {
      throw new Error(`clear report field "${name}": expected a TPM Name in hex, got ${clip(value)}`);
    }
    return value;
  };
  return {
    tpmdoctor: CLEAR_REPORT_MARKER,
    result,
    runId,
    reason: text('reason', true),
    message: text('message', false) ?? '',
    blocking,
    srkNameBefore: srkName('srkNameBefore'),
    srkNameAfter: srkName('srkNameAfter'),
    proven,
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}

/** A value for an error message, cut so that a hostile one cannot flood the device's note. */
function clip(value: unknown): string {
  const json = JSON.stringify(value) ?? 'nothing';
  return json.length > 60 ? `${json.slice(0, 59)}…` : json;
}
