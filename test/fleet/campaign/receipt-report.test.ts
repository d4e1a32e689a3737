/**
 * The latest clear receipt in the evidence script's detection output (src/fleet/campaign/
 * receipt-report.ts): the receipt picked, the report made of it, the evidence line that carries it
 * under `clr` read back by the campaign (parseClearReport) and by diagnose (parseCompactEvidence),
 * within Intune's output limit and without the approver, the ticket or the EK. Receipts here are
 * SYNTHETIC (test/fixtures/synthetic/clear-receipt/README.md) and one written by the receipt writer
 * itself (writeReceipt); the receipt of a real clear run on a swtpm is read in
 * test/lab/tenant/swtpm-devices.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearReportObject, parseClearReport } from '../../../src/fleet/campaign/clear-report.js';
import {
  clearReportFromReceipt,
  latestReceipt,
  renderPowerShellReceiptReport,
} from '../../../src/fleet/campaign/receipt-report.js';
import {
  COMPACT_MARKER,
  INTUNE_DETECTION_OUTPUT_LIMIT,
  parseCompactEvidence,
} from '../../../src/probe/windows/compact.js';
import { type ClearReceipt, receiptPath, writeReceipt } from '../../../src/remedy/clear/clear-receipt.js';

const SYNTHETIC_RUNS = path.join(import.meta.dirname, '../../fixtures/synthetic/clear-receipt/runs');

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An evidence line as the script prints it, with the report under `clr`. */
function evidenceLineWith(receipt: ClearReceipt): string {
  return JSON.stringify({
    tpmdoctor: COMPACT_MARKER,
    at: '2026-12-07T10:30:00.0000000Z',
    cn: 'PC-0001',
    exit: 0,
    why: [],
    clr: clearReportObject(clearReportFromReceipt(receipt)),
  });
}

describe('the latest clear receipt (synthetic receipts)', () => {
  it('picks the run that ended last, skipping a file cut off mid-write and the journals', () => {
    const latest = latestReceipt(SYNTHETIC_RUNS);
    expect(latest?.runId).toBe('clear-20261207T101500000Z-a1b2c3');
    expect(latestReceipt(path.join(SYNTHETIC_RUNS, 'missing'))).toBeNull();
  });

  it('is reported as cleared with its SRK Names and time, and travels in the evidence line', () => {
    const receipt = latestReceipt(SYNTHETIC_RUNS)!;
    const line = evidenceLineWith(receipt);
    expect(parseClearReport(line)).toEqual({
      tpmdoctor: 'clear-report/v1',
      result: 'cleared',
      runId: 'clear-20261207T101500000Z-a1b2c3',
      reason: null,
      message:
        'TPM cleared and proven by the run receipt on the device (SRK Name changed, owner objects gone, EK unchanged).',
      blocking: [],
      srkNameBefore: `000b${'3f'.repeat(32)}`,
      srkNameAfter: `000b${'c4'.repeat(32)}`,
      proven: true,
      finishedAt: '2026-12-07T10:22:41.512Z',
    });
    // diagnose still reads the line as evidence.
    expect(parseCompactEvidence(JSON.parse(line), 'detection output').computerName).toBe('PC-0001');
    // Only public facts: not the approver, the ticket, the EK or the journal hash.
    const clr = JSON.stringify(JSON.parse(line).clr);
    for (const kept of ['A. Admin', 'CHG-77', '9a9a9a', '5e5e5e', 'approvedBy', 'ticket']) {
      expect(clr).not.toContain(kept);
    }
    expect(/^[\x20-\x7e]*$/.test(clr)).toBe(true);
    // Far within Intune's limit, so the script never has to cut it: it is the proof.
    expect(clr.length).toBeLessThan(INTUNE_DETECTION_OUTPUT_LIMIT / 3);
  });

  it('a receipt whose proof did not hold is reported as failed (not-proven)', () => {
    const older = JSON.parse(
      readFileSync(path.join(SYNTHETIC_RUNS, 'clear-20261101T090000000Z-d4e5f6.receipt.json'), 'utf8'),
    ) as ClearReceipt;
    expect(parseClearReport(evidenceLineWith(older))).toMatchObject({
      result: 'failed',
      reason: 'not-proven',
      proven: false,
      srkNameBefore: older.before.srkName,
      srkNameAfter: older.before.srkName,
      finishedAt: '2026-11-01T09:05:12.004Z',
    });
  });

  it('an evidence line without a receipt is no report; a malformed time is an error', () => {
    expect(parseClearReport(JSON.stringify({ tpmdoctor: COMPACT_MARKER, exit: 0, why: [] }))).toBeNull();
    const line = JSON.parse(evidenceLineWith(latestReceipt(SYNTHETIC_RUNS)!));
    line.clr.finishedAt = 'yesterday';
    expect(() => parseClearReport(JSON.stringify(line))).toThrow(/"finishedAt": expected an ISO 8601 time/);
  });
});

describe('a receipt written by the receipt writer', () => {
  it('is found and reported the same way', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-receipt-report-'));
    const synthetic = latestReceipt(SYNTHETIC_RUNS)!;
    const receipt: ClearReceipt = {
      ...synthetic,
      runId: 'clear-20261207T120000000Z-0a0b0c',
      finishedAt: '2026-12-07T12:01:00.000Z',
    };
    writeReceipt(receiptPath(dir, receipt.runId), receipt);
    expect(latestReceipt(dir)).toEqual(receipt);
    expect(parseClearReport(evidenceLineWith(latestReceipt(dir)!))).toMatchObject({
      result: 'cleared',
      runId: 'clear-20261207T120000000Z-0a0b0c',
      finishedAt: '2026-12-07T12:01:00.000Z',
    });
  });
});

describe('the PowerShell twin (scripts/collect-evidence.ps1)', () => {
  it('writes the same fields, in the same order, with the same texts', () => {
    const ps = renderPowerShellReceiptReport();
    const keys = [...ps.matchAll(/\$o\['([A-Za-z]+)'\] = /g)].map((m) => m[1]);
    const report = clearReportObject(clearReportFromReceipt(latestReceipt(SYNTHETIC_RUNS)!));
    expect(['tpmdoctor', ...new Set(keys)]).toEqual(Object.keys(report));
    expect(ps).toContain(`tpmdoctor = '${report.tpmdoctor}'`);
    expect(ps).toContain(`$o['message'] = '${report.message}'`);
    expect(ps).toContain("-Filter '*.receipt.json'");
    // The same choice of the latest: by finishedAt, ordinal, as JavaScript compares strings.
    expect(ps).toContain('[string]::CompareOrdinal($r.finishedAt, $latest.finishedAt) -gt 0');
    // Never the approver, the ticket or the EK.
    expect(ps).not.toMatch(/\.(approvedBy|ticket|ek|journalHash)\b/);
  });
});
