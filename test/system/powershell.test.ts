import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPowerShell } from '../../src/system/powershell.js';

const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-powershell-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('runPowerShell', () => {
  /** A stand-in powershell.exe (a shell script) under a fake %SystemRoot%. */
  function fakeSystemRoot(body: string): string {
    const root = mkdtempSync(join(scratch, 'root-'));
    const dir = join(root, 'System32', 'WindowsPowerShell', 'v1.0');
    mkdirSync(dir, { recursive: true });
    const exe = join(dir, 'powershell.exe');
    writeFileSync(exe, `#!/bin/sh\nprintf '%s\\n' "$@" > "${root}/args"\n${body}\n`);
    chmodSync(exe, 0o755);
    return root;
  }

  async function withSystemRoot<T>(root: string, fn: () => Promise<T>): Promise<T> {
    const before = process.env.SystemRoot;
    process.env.SystemRoot = root;
    try {
      return await fn();
    } finally {
      if (before === undefined) delete process.env.SystemRoot;
      else process.env.SystemRoot = before;
    }
  }

  it('runs %SystemRoot%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe with the script as -EncodedCommand', async () => {
    const root = fakeSystemRoot(`printf '{"ok":true,"data":"hi","error":null}'`);
    const result = await withSystemRoot(root, () => runPowerShell('Write-Output "日本"', 10_000));
    expect(result).toEqual({
      stdout: '{"ok":true,"data":"hi","error":null}',
      stderr: '',
      exitCode: 0,
      timedOut: false,
    });
    const args = readFileSync(join(root, 'args'), 'utf8').trim().split('\n');
    expect(args.slice(0, 5)).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-EncodedCommand',
    ]);
    expect(Buffer.from(args[5]!, 'base64').toString('utf16le')).toBe('Write-Output "日本"');
  });

  it('stops a source that runs past its timeout', async () => {
    const root = fakeSystemRoot('exec sleep 30');
    const started = Date.now();
    const result = await withSystemRoot(root, () => runPowerShell('x', 200));
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
