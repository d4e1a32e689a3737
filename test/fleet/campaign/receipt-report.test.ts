/**
 * The latest clear receipt in the evidence script's detection output (src/fleet/campaign/
 * receipt-report.ts): the receipt picked, the report made of it, the evidence line that carries it
 * under `clr` read back by the campaign (parseClearReport) and by diagnose (parseCompactEvidence),
 * within Intune's output limit and without the approver, the ticket or the EK. Receipts here are
 * SYNTHETIC (test/fixtures/synthetic/clear-receipt/README.md) and one written by the receipt writer
 * itself (writeReceipt); the receipt of a real clear run on a swtpm is read in
 * test/lab/tenant/swtpm-devices.test.ts.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearReportObject, parseClearReport } from '../../../src/fleet/campaign/clear-report.js';
import {
  CLOCK_SKEW_MS,
  clearReportFromReceipt,
  latestReceipt,
  renderPowerShellReceiptReport,
  UntrustedReceiptsError,
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

describe('receipts that are not believed (a standard user may plant them, docs/security.md)', () => {
  const good = () => latestReceipt(SYNTHETIC_RUNS)!;
  /** A runs folder holding the synthetic receipts plus `extra`, written as named. */
  function runsWith(extra: Record<string, string>): string {
    dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-receipt-untrusted-'));
    for (const name of [
      'clear-20261207T101500000Z-a1b2c3.receipt.json',
      'clear-20261101T090000000Z-d4e5f6.receipt.json',
    ])
      copyFileSync(path.join(SYNTHETIC_RUNS, name), path.join(dir, name));
    for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
    return dir;
  }
  const untrustedKey = (runs: string, nowMs?: number): string => {
    try {
      latestReceipt(runs, nowMs);
    } catch (e) {
      if (e instanceof UntrustedReceiptsError) return e.key;
      throw e;
    }
    return 'believed';
  };
  const planted = (fields: Partial<ClearReceipt> & Record<string, unknown>) =>
    JSON.stringify({ ...good(), runId: 'clear-20261207T120000000Z-0a0b0c', ...fields });

  it('a receipt dated ahead of the clock (2099 would outrank every real one)', () => {
    const runs = runsWith({ 'x.receipt.json': planted({ finishedAt: '2099-01-01T00:00:00.000Z' }) });
    expect(untrustedKey(runs)).toBe('receipt-future');
    // Within the clock tolerance it is a receipt like any other.
    const nowMs = Date.parse('2099-01-01T00:00:00.000Z') - CLOCK_SKEW_MS + 1;
    expect(untrustedKey(runs, nowMs)).toBe('believed');
  });

  it('a run ID, SRK Name or time out of its format (a 2,000-character run ID would break the line)', () => {
    expect(untrustedKey(runsWith({ 'x.receipt.json': planted({ runId: 'r'.repeat(2_000) }) }))).toBe(
      'receipt-format',
    );
    rmSync(dir!, { recursive: true });
    expect(untrustedKey(runsWith({ 'x.receipt.json': planted({ runId: '../../evil' }) }))).toBe(
      'receipt-format',
    );
    rmSync(dir!, { recursive: true });
    const before = { srkName: 'ab'.repeat(81), ek: null };
    expect(untrustedKey(runsWith({ 'x.receipt.json': planted({ before }) }))).toBe('receipt-format');
    rmSync(dir!, { recursive: true });
    expect(untrustedKey(runsWith({ 'x.receipt.json': planted({ finishedAt: '2026-12-07 10:00:00' }) }))).toBe(
      'receipt-format',
    );
  });

  it('a file larger than a receipt can be is not read; a link is not followed', () => {
    const big = planted({ padding: 'x'.repeat(70 * 1024) });
    expect(untrustedKey(runsWith({ 'x.receipt.json': big }))).toBe('receipt-size');
    rmSync(dir!, { recursive: true });
    const runs = runsWith({});
    symlinkSync(
      path.join(SYNTHETIC_RUNS, 'clear-20261207T101500000Z-a1b2c3.receipt.json'),
      path.join(runs, 'y.receipt.json'),
    );
    expect(untrustedKey(runs)).toBe('receipt-link');
  });

  it('proven is only the JSON value true: "true" or 1 is not proven', () => {
    for (const proven of ['true', 1, [true]]) {
      const receipt = { ...good(), proof: { ...good().proof, proven } } as unknown as ClearReceipt;
      expect(clearReportFromReceipt(receipt)).toMatchObject({ result: 'failed', proven: false });
    }
  });
});

describe('the PowerShell twin (scripts/collect-evidence.ps1)', () => {
  it('checks the folder, the files and the formats before it believes a receipt', () => {
    const ps = renderPowerShellReceiptReport();
    // The folder: not a link, owned by SYSTEM or Administrators, no other SID may write (by SID, any language).
    expect(ps).toContain(
      "if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) { return 'folder-link' }",
    );
    expect(ps).toContain(
      "if ($null -eq $owner -or @('S-1-5-18', 'S-1-5-32-544') -notcontains $owner.Value) { return 'folder-owner' }",
    );
    expect(ps).toContain('$acl.GetAccessRules($true, $true, $sid)');
    expect(ps).toMatch(/-band 1343029590\) -eq 0\) \{ continue \}/);
    expect(ps).toContain("return 'folder-writer'");
    expect(ps).toContain("} catch { return 'folder-acl' }");
    // Both tpm-doctor and its runs folder, before any file is listed.
    expect(ps.indexOf('Get-TpmDoctorFolderDistrust $parent $true')).toBeLessThan(ps.indexOf('Get-ChildItem'));
    expect(ps.indexOf('Get-TpmDoctorFolderDistrust $Dir $false')).toBeLessThan(ps.indexOf('Get-ChildItem'));
    // The files: links and size before Get-Content; the formats anchored with \A..\z (not $).
    expect(ps).toContain("untrusted = 'receipt-link'");
    expect(ps.indexOf('$f.Length -gt 65536')).toBeLessThan(ps.indexOf('Get-Content'));
    expect(ps).toContain("$r.runId -cmatch '\\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\z'");
    expect(ps).toContain("-cmatch '\\A(?:[0-9a-fA-F]{2}){1,80}\\z'");
    expect(ps).toContain("untrusted = 'receipt-future'");
    // proven: the boolean $true only.
    expect(ps).toContain('$latest.proof.proven -is [bool] -and $latest.proof.proven');
    expect(ps).not.toContain('proven -eq $true');
    // An untrusted answer carries the marker and the key only: never "proven".
    for (const line of ps.split('\n').filter((l) => l.includes('untrusted ='))) {
      expect(line).toMatch(
        /return \[ordered\]@\{ tpmdoctor = 'clear-report\/v1'; untrusted = ('[a-z-]+'|\$why) \}/,
      );
    }
  });

  it('an untrusted answer is read by the campaign as never proven', () => {
    const line = JSON.stringify({
      tpmdoctor: COMPACT_MARKER,
      exit: 0,
      why: [],
      clr: { tpmdoctor: 'clear-report/v1', untrusted: 'folder-writer' },
    });
    expect(() => parseClearReport(line)).toThrow(/not trusted \(folder-writer\)/);
  });

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
