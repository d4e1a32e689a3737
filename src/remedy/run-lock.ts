/**
 * The lock protocol of a run: one writer at a time. A RunJournal handle (journal.ts) holds the
 * run's lock file `<journal>.lock` from create()/open() until close(), so the boot-time resume task
 * and a person cannot both drive the same run.
 *
 * The lock file is created with 'wx' (O_CREAT | O_EXCL: exactly one creator wins) and holds
 * `{ pid, startedAt, bootId?, uptime }`, written in one write and fsync'd. A lock whose process is
 * gone (a crash, a SIGKILL, a restart) is stale and taken over; the journal notes the takeover.
 * Taking over renames the stale file aside first, so two processes taking over the same stale lock
 * cannot both remove it.
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TpmDoctorError } from '../errors.js';
import { createLockFile } from './run-files.js';

/** What a lock file holds. `bootId` (Linux) and `uptime` tell a lock from before a restart. */
interface LockInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly bootId?: string;
  readonly uptime?: number;
}

/** A stale lock this handle took over: noted in the journal by open(). */
export interface TakenOver {
  readonly pid: number | null;
  readonly startedAt: string | null;
  readonly why: string;
}

/** The lock file of the journal `file`. */
export function lockPath(file: string): string {
  return `${file}.lock`;
}

/** Thrown when another live process holds the run's lock. */
export class RunLockedError extends TpmDoctorError {
  /** The holder's process ID, when one process holds it (null: the lock kept changing hands). */
  readonly pid: number | null;
  constructor(message: string, pid: number | null) {
    super('run-locked', message);
    this.name = 'RunLockedError';
    this.pid = pid;
  }
}

/** How long a lock file may stay empty or unparsable while its creator writes it. */
const LOCK_WRITE_GRACE_MS = 200;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function currentBootId(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null) return null;
    if (!Number.isInteger(v.pid) || (v.pid as number) <= 0 || typeof v.startedAt !== 'string') return null;
    return {
      pid: v.pid as number,
      startedAt: v.startedAt,
      ...(typeof v.bootId === 'string' ? { bootId: v.bootId } : {}),
      ...(typeof v.uptime === 'number' ? { uptime: v.uptime } : {}),
    };
  } catch {
    return null;
  }
}

/** Whether process `pid` exists (signal 0 checks without sending anything; EPERM: it exists). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock is stale (its holder is gone), or null when its holder may still be running. */
function staleReason(info: LockInfo): string | null {
  const bootId = currentBootId();
  if (info.bootId !== undefined && bootId !== undefined && info.bootId !== bootId) {
    return 'it was taken before the machine restarted';
  }
  if (info.uptime !== undefined && os.uptime() < info.uptime) {
    return 'it was taken before the machine restarted';
  }
  return processAlive(info.pid) ? null : `process ${info.pid} is no longer running`;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Takes the lock of journal `file` for this process: creates `<file>.lock` with 'wx' and writes
 * `{ pid, startedAt }` in one write. Refuses (RunLockedError) when a live process holds it; takes
 * a stale one over (its holder is gone) and says so. Returns the lock's exact text (to release it
 * only if it is still ours) and the lock taken over, if any.
 */
export function acquireLock(file: string): { text: string; takenOver: TakenOver | null } {
  const lock = lockPath(file);
  const bootId = currentBootId();
  const text = `${JSON.stringify({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(bootId === undefined ? {} : { bootId }),
    uptime: os.uptime(),
  })}\n`;
  let takenOver: TakenOver | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = createLockFile(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const stale = judgeExisting(file, lock);
      if (stale === null) continue; // it went away meanwhile: try again
      if (takeOver(lock, stale.text)) takenOver = stale.takenOver;
      continue;
    }
    try {
      const bytes = Buffer.from(text, 'utf8');
      writeSync(fd, bytes, 0, bytes.length);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      try {
        unlinkSync(lock);
      } catch {
        // Left for the next one to find stale.
      }
      throw e;
    }
    closeSync(fd);
    return { text, takenOver };
  }
  // Other processes kept taking and dropping it: as good as held by another live process.
  throw new RunLockedError(
    `${file}: could not take the run's lock ${lock}: other processes keep taking it; try again when they are done`,
    null,
  );
}

/**
 * Looks at an existing lock: throws RunLockedError when its holder is alive; returns its text and
 * why it is stale otherwise; null when it disappeared.
 */
function judgeExisting(file: string, lock: string): { text: string; takenOver: TakenOver } | null {
  const runId = path.basename(file).replace(/\.jsonl$/, '');
  const deadline = Date.now() + LOCK_WRITE_GRACE_MS;
  for (;;) {
    const text = readText(lock);
    if (text === null) return null;
    const info = parseLock(text);
    if (info !== null) {
      const why = staleReason(info);
      if (why === null) {
        throw new RunLockedError(
          `run ${runId} is already being resumed by process ${info.pid} (since ${info.startedAt}; lock ${lock}). ` +
            'Wait for it to end; if that process is not tpm-doctor, end it and try again.',
          info.pid,
        );
      }
      return { text, takenOver: { pid: info.pid, startedAt: info.startedAt, why } };
    }
    // Empty or cut short: its creator may be writing it right now (between open and write), or
    // died there. A live creator finishes within microseconds; wait a little before judging.
    if (Date.now() >= deadline) {
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        return null;
      }
      if (age < LOCK_WRITE_GRACE_MS) {
        sleepSync(LOCK_WRITE_GRACE_MS);
        continue;
      }
      return {
        text,
        takenOver: {
          pid: null,
          startedAt: null,
          why: 'the lock file was empty or unreadable: its process died while taking it',
        },
      };
    }
    sleepSync(10);
  }
}

/**
 * Removes the stale lock whose text is `staleText`, and only it: renames it aside (one rename of a
 * path can succeed, so two processes taking over the same stale lock cannot both remove it), checks
 * that what was moved is the stale lock, and puts it back (link, which never overwrites) if another
 * process's fresh lock was moved instead. Returns whether the stale lock was removed.
 */
function takeOver(lock: string, staleText: string): boolean {
  const aside = `${lock}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(lock, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const moved = readText(aside);
  if (moved === staleText) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, lock);
  } catch {
    // Someone took the path meanwhile; their lock stands and this one's holder will find it gone.
  }
  unlinkSync(aside);
  return false;
}

/** Removes the lock if it is still the one this handle wrote. */
export function releaseLock(file: string, text: string): void {
  const lock = lockPath(file);
  if (readText(lock) !== text) return;
  try {
    unlinkSync(lock);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
