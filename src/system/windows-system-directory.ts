import path from 'node:path';

/**
 * The folder Windows' own programs (powershell.exe, taskkill.exe, schtasks.exe) are started from:
 * always by full path under %SystemRoot%, never through PATH, where a planted copy could come
 * first. A 32-bit process on 64-bit Windows (WOW64 sets PROCESSOR_ARCHITEW6432 for it) that asks
 * for System32 is redirected to SysWOW64, whose PowerShell has no TrustedPlatformModule or
 * BitLocker module; it reaches the real System32 as Sysnative ("File System Redirector",
 * https://learn.microsoft.com/windows/win32/winprog64/file-system-redirector; "WOW64
 * Implementation Details", https://learn.microsoft.com/windows/win32/winprog64/wow64-implementation-details).
 */
export function windowsSystemDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  const underWow64 = (env.PROCESSOR_ARCHITEW6432 ?? '') !== '';
  return joinUnder(root, underWow64 ? 'Sysnative' : 'System32');
}

/**
 * Joins under a Windows root with the root's own separator: Windows paths on Windows, and the
 * POSIX folder a test on Linux sets as SystemRoot to stand in for it.
 */
export function joinUnder(root: string, ...parts: string[]): string {
  return (root.startsWith('/') ? path.posix : path.win32).join(root, ...parts);
}
