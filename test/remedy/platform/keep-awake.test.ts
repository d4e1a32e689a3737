import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KEEP_AWAKE_SCRIPT, keepAwake } from '../../../src/remedy/platform/keep-awake.js';

describe('keepAwake', () => {
  it('does nothing outside Windows', () => {
    const handle = keepAwake({
      platform: 'linux',
      spawner: () => {
        throw new Error('must not spawn');
      },
    });
    expect(handle.active).toBe(false);
    handle.release();
  });

  it('on Windows holds ES_CONTINUOUS | ES_SYSTEM_REQUIRED in a helper process and ends exactly it', async () => {
    const seen: { file: string; args: string[] }[] = [];
    // A real stand-in process (no PowerShell here): it lives until it is ended.
    const handle = keepAwake({
      platform: 'win32',
      spawner: (file, args) => {
        seen.push({ file, args });
        return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      },
    });
    // By full path (a powershell.exe planted on PATH or in the current folder is not run), the
    // script encoded as every PowerShell tpm-doctor starts.
    expect(seen[0]?.file).toMatch(
      /^[A-Z]:\\.*\\(System32|Sysnative)\\WindowsPowerShell\\v1\.0\\powershell\.exe$/i,
    );
    const encoded = seen[0]?.args.at(-1) ?? '';
    expect(seen[0]?.args.at(-2)).toBe('-EncodedCommand');
    expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(KEEP_AWAKE_SCRIPT);
    expect(KEEP_AWAKE_SCRIPT).toMatch(/SetThreadExecutionState\(\[uint32\]0x80000001\)/);
    expect(handle.active).toBe(true);
    handle.release();
    expect(handle.active).toBe(false);
  });

  it('a missing PowerShell does not break the wait', async () => {
    const handle = keepAwake({ platform: 'win32', spawner: () => spawn('/nonexistent/powershell.exe', []) });
    await new Promise((r) => setTimeout(r, 50));
    expect(handle.active).toBe(false);
    handle.release();
  });
});
