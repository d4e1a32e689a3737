import { describe, expect, it } from 'vitest';
import {
  isElevated,
  notElevatedMessage,
  WINDOWS_ELEVATION_SCRIPT,
} from '../../../src/remedy/platform/elevation.js';
import { replayScripts } from './recording-runner.js';

describe('isElevated', () => {
  it('POSIX: effective uid 0', async () => {
    expect(await isElevated({ platform: 'linux', geteuid: () => 0 })).toBe(true);
    expect(await isElevated({ platform: 'darwin', geteuid: () => 501 })).toBe(false);
  });

  it('this process, for real', async () => {
    expect(await isElevated()).toBe(process.geteuid?.() === 0);
  });

  it('Windows: the principal check through PowerShell', async () => {
    const yes = replayScripts({ stdout: 'True' });
    expect(await isElevated({ platform: 'win32', powershell: yes.run })).toBe(true);
    expect(yes.scripts).toEqual([WINDOWS_ELEVATION_SCRIPT]);
    expect(WINDOWS_ELEVATION_SCRIPT).toContain('[Security.Principal.WindowsBuiltInRole]::Administrator');
    expect(
      await isElevated({ platform: 'win32', powershell: replayScripts({ stdout: 'False\r\n' }).run }),
    ).toBe(false);
    await expect(
      isElevated({ platform: 'win32', powershell: replayScripts({ exitCode: 1, stderr: 'boom' }).run }),
    ).rejects.toThrow(/expected True or False.*boom/);
  });

  it('the non-admin message is the one Windows shows, then how to get the rights', () => {
    const win = notElevatedMessage('win32');
    expect(win.startsWith('You must be an administrator to perform this task.')).toBe(true);
    expect(win).toMatch(/Run as administrator/);
    expect(win).toMatch(/Administrators group/);
    expect(notElevatedMessage('linux')).toMatch(/sudo/);
  });
});
