import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PpiError,
  readPhysicalPresenceResponse,
  requestPhysicalPresenceClear,
} from '../../../src/remedy/platform/ppi.js';
import { UNKNOWN_TRANSITION_INSTRUCTION } from '../../../src/remedy/platform/ppi-codes.js';
import { windowsClearScript } from '../../../src/remedy/platform/ppi-windows.js';
import { replayScripts } from './recording-runner.js';

/** Outputs written from the scripts, not captured on a PC (test/fixtures/synthetic/ppi-windows/README.md). */
const syntheticOutput = (name: string) =>
  readFileSync(path.join(import.meta.dirname, '../../fixtures/synthetic/ppi-windows', name), 'utf8');

describe('requestPhysicalPresenceClear on Windows (synthetic script outputs)', () => {
  it('the script calls SetPhysicalPresenceRequest(14) on the Win32_Tpm instance, then GetPhysicalPresenceTransition', () => {
    const s = windowsClearScript();
    expect(s).toContain(
      "Get-CimInstance -Namespace 'root\\cimv2\\Security\\MicrosoftTpm' -ClassName Win32_Tpm",
    );
    expect(s).toContain(
      'Invoke-CimMethod -InputObject $tpm -MethodName SetPhysicalPresenceRequest -Arguments @{ Request = [uint32]14 }',
    );
    expect(s.indexOf('SetPhysicalPresenceRequest')).toBeLessThan(s.indexOf('GetPhysicalPresenceTransition'));
    expect(s).toContain('ConvertTo-Json');
  });

  it('success with transition 2: restart and accept the prompt', async () => {
    const ps = replayScripts({ stdout: syntheticOutput('set-ppi-14-reboot.json') });
    const r = await requestPhysicalPresenceClear({ platform: 'win32', powershell: ps.run });
    expect(ps.scripts).toHaveLength(1);
    expect(r).toMatchObject({ platform: 'win32', operation: 14, transition: { code: 2, action: 'reboot' } });
    expect(r.message).toMatch(/Restart the machine/);
  });

  it('transition 1: a full shutdown and power-on, never a restart', async () => {
    const ps = replayScripts({ stdout: syntheticOutput('set-ppi-14-shutdown.json') });
    const r = await requestPhysicalPresenceClear({ platform: 'win32', powershell: ps.run });
    expect(r.transition).toMatchObject({ code: 1, action: 'shutdown' });
    expect(r.message).toMatch(
      /Shut the machine down completely and power it on again \(a restart is not enough\)/,
    );
  });

  it('transition 3 ("the required user action is unknown") or none read: unknown, never assumed a restart', async () => {
    const three = await requestPhysicalPresenceClear({
      platform: 'win32',
      powershell: replayScripts({ stdout: syntheticOutput('set-ppi-14-transition-unknown.json') }).run,
    });
    expect(three.transition).toMatchObject({ code: 3 });
    expect(three.transition?.instruction).toBe(UNKNOWN_TRANSITION_INSTRUCTION);
    const failed = await requestPhysicalPresenceClear({
      platform: 'win32',
      powershell: replayScripts({ stdout: syntheticOutput('set-ppi-14-transition-failed.json') }).run,
    });
    expect(failed.transition).toBeNull();
    expect(failed.message).toContain(UNKNOWN_TRANSITION_INSTRUCTION);
    expect(failed.message).not.toMatch(/Restart the machine/);
    expect(UNKNOWN_TRANSITION_INSTRUCTION).toMatch(/shut the machine down completely and power it on again/);
  });

  it.each([
    ['set-ppi-not-supported.json', 'ppi-no-ppi', /TPM_E_PPI_NOT_SUPPORTED 0x80290303/],
    ['set-ppi-acpi-failure.json', 'ppi-firmware-failure', /TPM_E_PPI_ACPI_FAILURE 0x80290300/],
    [
      'set-ppi-access-denied.json',
      'ppi-not-elevated',
      /^You must be an administrator to perform this task\..*Run as administrator/,
    ],
  ])('%s is explained', async (file, code, message) => {
    const ps = replayScripts({ stdout: syntheticOutput(file) });
    const e = await requestPhysicalPresenceClear({ platform: 'win32', powershell: ps.run }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(PpiError);
    expect(e).toMatchObject({ code });
    expect((e as Error).message).toMatch(message);
  });

  it('output that is not the JSON line is reported with what came instead', async () => {
    const ps = replayScripts({ exitCode: 1, stdout: '', stderr: 'powershell.exe: not found' });
    await expect(
      requestPhysicalPresenceClear({ platform: 'win32', powershell: ps.run }),
    ).rejects.toMatchObject({
      code: 'ppi-unexpected-output',
      message: expect.stringMatching(/not found/),
    });
  });

  it('a dry run runs no script', async () => {
    const ps = replayScripts();
    const r = await requestPhysicalPresenceClear({ platform: 'win32', powershell: ps.run, dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(ps.scripts).toHaveLength(0);
  });

  it.each([
    ['get-response-success.json', 'success'],
    ['get-response-user-abort.json', 'user-aborted'],
  ])('GetPhysicalPresenceResponse %s', async (file, outcome) => {
    const ps = replayScripts({ stdout: syntheticOutput(file) });
    const r = await readPhysicalPresenceResponse({ platform: 'win32', powershell: ps.run });
    expect(r).toMatchObject({ operation: 14, outcome });
    expect(ps.scripts[0]).toContain('GetPhysicalPresenceResponse');
  });
});
