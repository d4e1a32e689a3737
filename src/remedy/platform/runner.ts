/**
 * The two ways the platform steps reach the operating system, as values so tests can record or
 * replay them: a program with an argument vector (systemctl, schtasks; never through a shell, so
 * no quoting but the program's own), and a PowerShell script (Win32_Tpm, the Windows principal).
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  /** The exit code; null when the process was killed by a signal or timed out. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file` with `args`, no shell. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<RunResult>;

/** Runs one PowerShell script and returns what it printed. */
export type ScriptRunner = (script: string) => Promise<RunResult>;

/** The real command runner: child_process.spawn without a shell, output kept as UTF-8 text. */
export const spawnCommand: CommandRunner = (file, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });

/**
 * The real script runner: Windows PowerShell 5.1 as the evidence collector runs it
 * (probe/windows/collect.ts: full path, -NoProfile -NonInteractive, -EncodedCommand), loaded only
 * when a script is actually run.
 */
export function powerShellScripts(timeoutMs = 120_000): ScriptRunner {
  return async (script) => {
    const { runPowerShell } = await import('../../probe/windows/collect.js');
    const r = await runPowerShell(script, timeoutMs);
    return { code: r.timedOut ? null : r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };
}
