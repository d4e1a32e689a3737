/**
 * Ending a child and everything it started. A timeout that ends only the direct child leaves its
 * own children running and holding our pipes open (PowerShell starting tpmtool.exe, swtpm_setup
 * starting swtpm and swtpm_localca), so the whole tree is ended:
 * - POSIX: the child is started as the leader of its own process group (spawn's `detached`, which
 *   calls setsid(2)), and kill(2) with the negated PID signals every process of the group;
 * - Windows: `taskkill /PID <pid> /T /F` ends the process and its descendants ("taskkill",
 *   https://learn.microsoft.com/windows-server/administration/windows-commands/taskkill), run by
 *   its full path under %SystemRoot%\System32 so that a taskkill.exe planted on PATH is not run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { joinUnder, windowsSystemDirectory } from './windows-system-directory.js';

/** Whether children are started in a process group of their own (POSIX) so the group can be signalled. */
export function ownProcessGroup(platform: NodeJS.Platform = process.platform): boolean {
  return platform !== 'win32';
}

/** %SystemRoot%\System32\taskkill.exe (Sysnative from WOW64). */
export function taskkillPath(): string {
  return joinUnder(windowsSystemDirectory(), 'taskkill.exe');
}

function taskkillArgs(pid: number): string[] {
  return ['/PID', String(pid), '/T', '/F'];
}

/** Sends `signal` to the process group led by `pid`; falls back to the PID alone. Never throws. */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Ends the process `pid` and every process it started. Never throws; returns at once. */
export function endProcessTree(pid: number, platform: NodeJS.Platform = process.platform): void {
  if (ownProcessGroup(platform)) {
    signalProcessGroup(pid, 'SIGKILL');
    return;
  }
  try {
    const killer = spawn(taskkillPath(), taskkillArgs(pid), { stdio: 'ignore', windowsHide: true });
    killer.once('error', () => killPid(pid));
  } catch {
    killPid(pid);
  }
}

/** The same, synchronously: for a process 'exit' handler, where nothing asynchronous runs any more. */
export function endProcessTreeSync(pid: number, platform: NodeJS.Platform = process.platform): void {
  if (ownProcessGroup(platform)) {
    signalProcessGroup(pid, 'SIGKILL');
    return;
  }
  const r = spawnSync(taskkillPath(), taskkillArgs(pid), { stdio: 'ignore', windowsHide: true });
  if (r.error) killPid(pid);
}

function killPid(pid: number): void {
  try {
    process.kill(pid);
  } catch {
    // already gone
  }
}
