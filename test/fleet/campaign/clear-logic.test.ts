/** The pure parts of a clear campaign: the report a device sends back, and the script it runs. */
import { describe, expect, it } from 'vitest';
import { formatClearReport, parseClearReport } from '../../../src/fleet/campaign/clear-report.js';
import {
  checkApproval,
  clearRemediationScript,
  clearScriptName,
  clearScriptPackage,
} from '../../../src/fleet/campaign/clear-script.js';

const CLEARED = {
  result: 'cleared' as const,
  runId: 'clear-1',
  reason: null,
  message: 'TPM cleared and proven.',
  blocking: [],
  srkNameBefore: `000b${'a'.repeat(64)}`,
  srkNameAfter: `000b${'b'.repeat(64)}`,
  proven: true,
};

describe('clear report', () => {
  it('round-trips, and fits in what Intune keeps of a script output', () => {
    expect(parseClearReport(formatClearReport(CLEARED))).toEqual({
      tpmdoctor: 'clear-report/v1',
      ...CLEARED,
    });
    const long = formatClearReport({ ...CLEARED, result: 'refused', message: 'x'.repeat(10_000) });
    expect(long.length).toBeLessThanOrEqual(2048);
    expect(parseClearReport(long)?.message.endsWith('…')).toBe(true);
  });

  it('is not read from evidence or nothing', () => {
    expect(parseClearReport(null)).toBeNull();
    expect(parseClearReport('{"tpmdoctor":"evidence/compact/v1","exit":1}')).toBeNull();
  });

  it('says what was expected when a report is malformed', () => {
    const report = JSON.parse(formatClearReport(CLEARED)) as Record<string, unknown>;
    expect(() => parseClearReport(JSON.stringify({ ...report, result: 'maybe' }))).toThrow(
      /"result": expected cleared, refused or failed, got "maybe"/,
    );
    expect(() => parseClearReport(JSON.stringify({ ...report, blocking: 'reason' }))).toThrow(
      /"blocking": expected a list of check ids/,
    );
    expect(() => parseClearReport(JSON.stringify({ ...report, srkNameBefore: 7 }))).toThrow(
      /"srkNameBefore": expected a string or null, got 7/,
    );
    expect(() => parseClearReport(formatClearReport(CLEARED).slice(0, 40))).toThrow(/not valid JSON/);
  });
});

describe('clear script', () => {
  const approval = { approvedBy: "Ann O'Neil", ticket: 'CHG-1' };

  it('runs tpm-doctor clear with the approval, restarts only after an accepted clear', () => {
    const script = clearRemediationScript(approval);
    expect(script).toContain(
      "tpm-doctor clear --method ppi --purpose repair --yes --approved-by 'Ann O''Neil' --ticket 'CHG-1'",
    );
    expect(script).toMatch(/Suspend-BitLocker -MountPoint \$v\.MountPoint -RebootCount 2/);
    // BitLocker stays suspended only for an accepted clear: the resume is in a finally, for every
    // other exit code and for a script error; nothing is suspended without tpm-doctor installed.
    expect(script).toMatch(
      /\} finally \{\r\n\s+if \(\$code -ne 0 -and \$code -ne 12\) \{ foreach .*Resume-BitLocker/,
    );
    expect(script.indexOf('Get-Command tpm-doctor')).toBeGreaterThan(-1);
    expect(script.indexOf('Get-Command tpm-doctor')).toBeLessThan(script.indexOf('Suspend-BitLocker'));
    expect(script.indexOf('try {')).toBeLessThan(script.indexOf('Suspend-BitLocker'));
    expect(script).toMatch(/if \(\$code -eq 0 -or \$code -eq 12\) \{ shutdown \/r/);
  });

  it('is one package per approval, with the evidence script as detection', () => {
    const pkg = clearScriptPackage('# detection', approval);
    expect(pkg.displayName).toBe(clearScriptName(approval));
    expect(pkg.displayName).toBe('tpm-doctor clear (ticket CHG-1)');
    expect(Buffer.from(pkg.detectionScriptContent ?? '', 'base64').toString('utf8')).toBe('# detection');
    expect(pkg.runAsAccount).toBe('system');
  });

  it('refuses an approval that could be read as code on the device', () => {
    for (const bad of ['a`b', 'a;b', '$(x)', 'a\nb', '', 'x'.repeat(101), '"quoted"']) {
      expect(() => checkApproval({ approvedBy: bad, ticket: 'T-1' })).toThrow(
        /--approved-by: expected 1 to 100/,
      );
      expect(() => checkApproval({ approvedBy: 'A', ticket: bad })).toThrow(/--ticket: expected 1 to 100/);
    }
    expect(() => checkApproval({ approvedBy: 'Zoë Müller (IT)', ticket: 'INC#42/7' })).not.toThrow();
  });
});
