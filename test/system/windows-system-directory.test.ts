import { describe, expect, it } from 'vitest';
import { powershellPath } from '../../src/system/powershell.js';
import { windowsSystemDirectory } from '../../src/system/windows-system-directory.js';

describe("Windows' own programs are started by full path from the native system folder", () => {
  it('a 64-bit process: %SystemRoot%\\System32', () => {
    expect(windowsSystemDirectory({ SystemRoot: 'D:\\Win' })).toBe('D:\\Win\\System32');
    expect(powershellPath({ SystemRoot: 'D:\\Win' })).toBe(
      'D:\\Win\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    );
  });

  it('a 32-bit process on 64-bit Windows (PROCESSOR_ARCHITEW6432 set): Sysnative, not the redirected SysWOW64', () => {
    const wow64 = {
      SystemRoot: 'C:\\Windows',
      PROCESSOR_ARCHITECTURE: 'x86',
      PROCESSOR_ARCHITEW6432: 'AMD64',
    };
    expect(windowsSystemDirectory(wow64)).toBe('C:\\Windows\\Sysnative');
    expect(powershellPath(wow64)).toBe('C:\\Windows\\Sysnative\\WindowsPowerShell\\v1.0\\powershell.exe');
  });

  it('no SystemRoot in the environment: C:\\Windows, never a relative path or PATH', () => {
    expect(windowsSystemDirectory({})).toBe('C:\\Windows\\System32');
  });
});
