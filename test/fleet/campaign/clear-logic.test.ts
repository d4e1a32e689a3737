/** The pure parts of a clear campaign: the report a device sends back, and the script it runs. */
import { describe, expect, it } from 'vitest';
import { formatClearReport, parseClearReport } from '../../../src/fleet/campaign/clear-report.js';
import {
  CLEAR_SCRIPT_NOT_INSTALLED,
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
      "& $exe clear --method ppi --purpose repair --yes --approved-by 'Ann O''Neil' --ticket 'CHG-1'",
    );
    expect(script).toMatch(/Suspend-BitLocker -MountPoint \$v\.MountPoint -RebootCount 2/);
    // BitLocker stays suspended only for an accepted clear: the resume is in a finally, for every
    // other exit code and for a script error; nothing is suspended without tpm-doctor installed.
    expect(script).toMatch(
      /\} finally \{\r\n\s+if \(\$code -ne 0 -and \$code -ne 12\) \{ foreach .*Resume-BitLocker/,
    );
    // tpm-doctor.exe by its full path where the Win32 app installs it (install.ps1), checked
    // before anything is suspended; never by name from PATH.
    expect(script).toContain(
      '$programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }\r\n' +
        "$exe = Join-Path $programFiles 'tpm-doctor\\tpm-doctor.exe'\r\n" +
        `if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { $missing = "tpm-doctor is not installed at \${exe}: ` +
        'deploy the tpm-doctor Win32 app (docs/deploy-windows.md)"; Write-Output $missing; ' +
        `[Console]::Error.WriteLine($missing); exit ${CLEAR_SCRIPT_NOT_INSTALLED} }`,
    );
    expect(script.indexOf('Test-Path -LiteralPath $exe')).toBeGreaterThan(-1);
    expect(script.indexOf('Test-Path -LiteralPath $exe')).toBeLessThan(script.indexOf('Suspend-BitLocker'));
    expect(script).not.toMatch(/Get-Command|& tpm-doctor /);
    expect(script).toContain('  $out = @(& $exe clear --method ppi');
    expect(script.indexOf('try {')).toBeLessThan(script.indexOf('Suspend-BitLocker'));
    // Restart or full shutdown only after an accepted clear, as the firmware's transition says.
    expect(script).toContain(
      'if ($code -eq 0 -or $code -eq 12) {\r\n' +
        '  if ($transition -eq 0 -or $transition -eq 2) {\r\n' +
        '    & "$env:SystemRoot\\System32\\shutdown.exe" /r /t 300 /c "tpm-doctor: TPM clear approved; restarting in 5 minutes. Accept the TPM clear prompt the firmware shows."\r\n' +
        '  } else {\r\n' +
        '    & "$env:SystemRoot\\System32\\shutdown.exe" /s /t 300 /c "tpm-doctor: TPM clear approved; this PC shuts down in 5 minutes. Power it on again with the power button and accept the TPM clear prompt the firmware shows."\r\n' +
        '  }\r\n' +
        '}\r\n',
    );
    // The transition comes from tpm-doctor's --json output (run.transition.code), null-guarded:
    // [int]$null would be 0, a restart.
    expect(script).toContain(
      'try { $run = ($out -join "`n" | ConvertFrom-Json).run; if ($null -ne $run.transition) { $transition = $run.transition.code } } catch { $transition = $null }',
    );
    expect(script.indexOf('$transition = $null')).toBeLessThan(script.indexOf('try {'));
    expect(script).not.toMatch(/\[int\]/);
  });

  it('is one package per approval, with the evidence script as detection', () => {
    const pkg = clearScriptPackage('# detection', approval);
    expect(pkg.displayName).toBe(clearScriptName(approval));
    expect(pkg.displayName).toBe('tpm-doctor clear (ticket CHG-1)');
    expect(Buffer.from(pkg.detectionScriptContent ?? '', 'base64').toString('utf8')).toBe('# detection');
    expect(pkg.runAsAccount).toBe('system');
  });

  it("carries the campaign's escrow verification as a table the device looks itself up in, ASCII only", () => {
    const escrow = {
      campaignId: 'c-20261207-120000-abc123',
      verifiedAt: '2026-12-07T12:00:00.000Z',
      devices: [
        {
          azureAdDeviceId: '11111111-2222-4333-8444-555555555555',
          protectorIds: ['dfa26333-1c2b-402c-9e4d-a8c40af3b1e7'],
        },
      ],
    };
    const script = clearRemediationScript({ approvedBy: 'José Ñuñez', ticket: 'CHG-1' }, escrow);
    expect(script).toContain(
      "  '11111111-2222-4333-8444-555555555555' = 'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7'",
    );
    expect(script).toContain('System32\\dsregcmd.exe" /status');
    expect(script).toContain(
      "$escrowArgs = @('--escrow-verified', $verified[$entraId], '--escrow-verified-at', '2026-12-07T12:00:00.000Z', '--escrow-verified-by', 'c-20261207-120000-abc123')",
    );
    expect(script).toMatch(/--ticket 'CHG-1' @escrowArgs --json/);
    // ASCII only: the name is built from its code points, and the comment shows them as U+XXXX.
    expect(/^[\x00-\x7f]*$/.test(script)).toBe(true);
    expect(script).toContain(
      '--approved-by (-join [char[]](0x4a, 0x6f, 0x73, 0xe9, 0x20, 0xd1, 0x75, 0xf1, 0x65, 0x7a))',
    );
    expect(script).toContain('# tpm-doctor clear: approved by JosU+00E9 U+00D1uU+00F1ez, ticket CHG-1.');
    // The escrow is read before anything is suspended.
    expect(script.indexOf('$verified = @{')).toBeLessThan(script.indexOf('Suspend-BitLocker'));
    expect(clearScriptName(approval, escrow.campaignId)).toBe(
      'tpm-doctor clear (ticket CHG-1, campaign c-20261207-120000-abc123)',
    );
    for (const bad of [
      { ...escrow, campaignId: "c'; calc; '" },
      { ...escrow, verifiedAt: 'now' },
      {
        ...escrow,
        devices: [
          { azureAdDeviceId: "x' + (calc) + '", protectorIds: ['dfa26333-1c2b-402c-9e4d-a8c40af3b1e7'] },
        ],
      },
      { ...escrow, devices: [{ azureAdDeviceId: escrow.devices[0]!.azureAdDeviceId, protectorIds: [] }] },
    ]) {
      expect(() => clearRemediationScript(approval, bad)).toThrow(/expected/);
    }
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
