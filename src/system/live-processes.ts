/**
 * The child processes this process is running now, by PID, so none outlives us unnoticed:
 * - at exit, every one still running is ended with its tree (synchronously: 'exit' handlers run
 *   nothing asynchronous);
 * - on POSIX each child leads a process group of its own (process-tree.ts), so the terminal's
 *   Ctrl-C (SIGINT to the foreground group) no longer reaches it; while children run, SIGINT,
 *   SIGTERM and SIGHUP are passed on to their groups, and then take their default course unless
 *   someone else in this process handles them, exactly as before the children had groups of their own.
 */
import { endProcessTreeSync, ownProcessGroup, signalProcessGroup } from './process-tree.js';

const live = new Set<number>();
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let exitHookInstalled = false;
let forwarding = false;

/** Records a started child; the runner calls untrackProcess once it has exited. */
export function trackProcess(pid: number): void {
  live.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', endLiveProcessesSync);
  }
  if (ownProcessGroup() && !forwarding) {
    forwarding = true;
    for (const signal of FORWARDED) process.on(signal, forwardSignal);
  }
}

export function untrackProcess(pid: number): void {
  live.delete(pid);
  if (live.size === 0) stopForwarding();
}

/** The PIDs of the children running now. */
export function liveProcessIds(): number[] {
  return [...live];
}

/** Ends every child still running, with its tree. For exit and signal handlers (the lab's too). */
export function endLiveProcessesSync(): void {
  for (const pid of live) endProcessTreeSync(pid);
  live.clear();
  stopForwarding();
}

function forwardSignal(signal: NodeJS.Signals): void {
  for (const pid of live) signalProcessGroup(pid, signal);
  stopForwarding();
  // Nobody else handles it: let it end this process as it would have.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function stopForwarding(): void {
  if (!forwarding) return;
  forwarding = false;
  for (const signal of FORWARDED) process.off(signal, forwardSignal);
}
