/**
 * Windows PowerShell 5.1, run the one way tpm-doctor runs it: by its full path under %SystemRoot%
 * (not PATH: a planted powershell.exe is not run), -NoProfile -NonInteractive -ExecutionPolicy
 * Bypass, and the script as -EncodedCommand (base64 of UTF-16LE), which is -Command without
 * powershell.exe's quoting rules ("about_PowerShell_exe",
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_powershell_exe).
 * It goes through the one process runner, so a timeout ends PowerShell and whatever it started.
 */
import type { ProcessResult } from './process-result.js';
import { runProcess } from './run-process.js';
import { joinUnder, windowsSystemDirectory } from './windows-system-directory.js';

/** Runs one PowerShell script with a deadline. Swappable for tests (PowerShell cannot run off Windows). */
export type PowerShellRunner = (script: string, timeoutMs: number) => Promise<ProcessResult>;

/** The 64-bit Windows PowerShell: ...\System32 (or Sysnative from WOW64)\WindowsPowerShell\v1.0\powershell.exe. */
export function powershellPath(env: NodeJS.ProcessEnv = process.env): string {
  return joinUnder(windowsSystemDirectory(env), 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}

/** The arguments that run `script`: no profile, no prompt, the script encoded. */
export function powershellArguments(script: string): string[] {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  return ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded];
}

/** The live PowerShell runner. */
export const runPowerShell: PowerShellRunner = (script, timeoutMs) =>
  runProcess(powershellPath(), powershellArguments(script), { timeoutMs });
