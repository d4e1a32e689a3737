/**
 * The lab's reading of the fleet clear's remediation script (src/lab/tenant/clear-script-args.ts):
 * the exact text src/fleet/campaign/clear-script.ts writes, worked out as PowerShell would run it,
 * and every other form refused, so the lab never runs what a tenant's device would not.
 */
import { describe, expect, it } from 'vitest';
import {
  type CampaignEscrow,
  CLEAR_SCRIPT_NOT_INSTALLED,
  clearRemediationScript,
} from '../../../src/fleet/campaign/clear-script.js';
import { clearScriptArgv, clearScriptPowerAction } from '../../../src/lab/tenant/clear-script-args.js';

const APPROVAL = { approvedBy: "Ann O'Neil", ticket: 'CHG-1' };
const ENTRA_ID = '11111111-2222-4333-8444-555555555555';
const ESCROW: CampaignEscrow = {
  campaignId: 'c-20261207-120000-abc123',
  verifiedAt: '2026-12-07T12:00:00.000Z',
  devices: [{ azureAdDeviceId: ENTRA_ID, protectorIds: ['dfa26333-1c2b-402c-9e4d-a8c40af3b1e7'] }],
};
const SCRIPT = clearRemediationScript(APPROVAL, ESCROW);

describe('the lab reads the clear script as a device runs it', () => {
  it("gives tpm-doctor.exe the script's flags, with the escrow row of the device in the table", () => {
    expect(clearScriptArgv(SCRIPT, ENTRA_ID.toUpperCase())).toEqual([
      '--method',
      'ppi',
      '--purpose',
      'repair',
      '--yes',
      '--approved-by',
      "Ann O'Neil",
      '--ticket',
      'CHG-1',
      '--escrow-verified',
      'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7',
      '--escrow-verified-at',
      '2026-12-07T12:00:00.000Z',
      '--escrow-verified-by',
      'c-20261207-120000-abc123',
      '--json',
    ]);
    // A device not in the table (or not joined) passes no escrow flags.
    expect(clearScriptArgv(SCRIPT, null)).not.toContain('--escrow-verified');
    expect(clearScriptArgv(SCRIPT, '99999999-2222-4333-8444-555555555555')).not.toContain(
      '--escrow-verified',
    );
  });

  it('the script stops with its documented code, before suspending anything, when tpm-doctor.exe is missing', () => {
    expect(CLEAR_SCRIPT_NOT_INSTALLED).toBe(127);
    const check = SCRIPT.split('\r\n').findIndex((l) =>
      l.startsWith('if (-not (Test-Path -LiteralPath $exe'),
    );
    expect(check).toBeGreaterThan(-1);
    expect(SCRIPT.split('\r\n')[check]).toMatch(/tpm-doctor is not installed at \$\{exe\}: .* exit 127 \}$/);
    expect(check).toBeLessThan(SCRIPT.split('\r\n').findIndex((l) => l.includes('Suspend-BitLocker')));
  });

  it('refuses a script that runs tpm-doctor by name, from PATH (the form before the Win32 app)', () => {
    const byName = SCRIPT.replace('& $exe clear ', '& tpm-doctor clear ');
    expect(() => clearScriptArgv(byName, ENTRA_ID)).toThrow(/runs tpm-doctor by name/);
    const getCommand = SCRIPT.replace(
      /if \(-not \(Test-Path[^\r\n]*/,
      "if (-not (Get-Command tpm-doctor -ErrorAction SilentlyContinue)) { Write-Output 'tpm-doctor is not installed on this device'; exit 1 }",
    );
    expect(() => clearScriptArgv(getCommand, ENTRA_ID)).toThrow(/runs tpm-doctor by name/);
  });

  it('refuses a script that finds the executable anywhere else, or runs it unchecked', () => {
    const elsewhere = SCRIPT.replace("'tpm-doctor\\tpm-doctor.exe'", "'Tools\\tpm-doctor.exe'");
    expect(() => clearScriptArgv(elsewhere, ENTRA_ID)).toThrow(
      /does not find tpm-doctor\.exe as the lab expects/,
    );
    const userProfile = SCRIPT.replace(
      '$programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }',
      '$programFiles = $env:LOCALAPPDATA',
    );
    expect(() => clearScriptArgv(userProfile, ENTRA_ID)).toThrow(/does not find tpm-doctor\.exe/);
    const unchecked = SCRIPT.replace(/if \(-not \(Test-Path[^\r\n]*\r\n/, '');
    expect(() => clearScriptArgv(unchecked, ENTRA_ID)).toThrow(/does not find tpm-doctor\.exe/);
    const otherExit = SCRIPT.replace('exit 127 }', 'exit 0 }');
    expect(() => clearScriptArgv(otherExit, ENTRA_ID)).toThrow(/does not find tpm-doctor\.exe/);
    const lines = SCRIPT.split('\r\n');
    const command = lines.find((l) => l.startsWith('  $out = @(& $exe clear '))!;
    const early = [lines[0]!, command, ...lines.slice(1)].join('\r\n');
    expect(() => clearScriptArgv(early, ENTRA_ID)).toThrow(/before checking it is there/);
    const noCommand = SCRIPT.replace('& $exe clear ', '& $exe status ');
    expect(() => clearScriptArgv(noCommand, ENTRA_ID)).toThrow(/never runs tpm-doctor\.exe clear/);
  });
});

describe("the lab follows the script's restart or shutdown, by the firmware's transition", () => {
  it.each([
    [0, 'restart'],
    [1, 'shutdown'],
    [2, 'restart'],
    [3, 'shutdown'],
    [7, 'shutdown'],
    [null, 'shutdown'],
  ] as const)('transition %s: %s', (transition, action) => {
    expect(clearScriptPowerAction(SCRIPT, transition)).toBe(action);
  });

  it('a script without the block neither restarts nor shuts down', () => {
    const none = SCRIPT.replace(/^if \(\$code -eq 0[\s\S]*?\r\n\}\r\n/m, '');
    expect(none).not.toContain('shutdown.exe');
    expect(clearScriptPowerAction(none, 2)).toBeNull();
  });

  it('refuses any other restart, and a transition read any other way', () => {
    const old = SCRIPT.replace(
      /^if \(\$code -eq 0[\s\S]*?\r\n\}\r\n/m,
      'if ($code -eq 0 -or $code -eq 12) { shutdown /r /t 300 /c "tpm-doctor: TPM clear approved; restarting in 5 minutes" }\r\n',
    );
    expect(() => clearScriptPowerAction(old, 2)).toThrow(/outside the block the lab reads/);
    const half = SCRIPT.replace('  } else {\r\n', '');
    expect(() => clearScriptPowerAction(half, 2)).toThrow(/unreadable restart block/);
    const byName = SCRIPT.replace('/r /t 300', '/s /t 300').replace(
      /^if \(\$code -eq 0[\s\S]*?\r\n\}\r\n/m,
      'Restart-Computer -Force\r\n',
    );
    expect(() => clearScriptPowerAction(byName, 2)).toThrow(/outside the block the lab reads/);
    const variable = SCRIPT.replace('restarting in 5 minutes.', 'restarting in $minutes minutes.');
    expect(() => clearScriptPowerAction(variable, 2)).toThrow(/unreadable restart block/);
    const cast = SCRIPT.replace(
      '$transition = $run.transition.code',
      '$transition = [int]$run.transition.code',
    );
    expect(() => clearScriptPowerAction(cast, 2)).toThrow(/does not read the firmware's transition/);
    const swapped = SCRIPT.replace(' /r /t 300', ' /X /t 300')
      .replace(' /s /t 300', ' /r /t 300')
      .replace(' /X /t 300', ' /s /t 300');
    // Swapped branches are read as written: a transition of 2 would then shut down.
    expect(clearScriptPowerAction(swapped, 2)).toBe('shutdown');
    expect(clearScriptPowerAction(swapped, null)).toBe('restart');
  });
});
