/**
 * Where a run's files are opened: its journal and its lock, in a private folder. One place, so
 * how these files are created (exclusive, no symbolic link followed, 0600; docs/security.md,
 * "Files tpm-doctor writes") is decided once for all of them. The receipt is replaced whole
 * through fs/atomic-write.ts.
 */
import { constants, openSync } from 'node:fs';
import path from 'node:path';
import { assertPrivateDir, ensurePrivateDir } from '../fs/private-dir.js';
import { createNewFile, NO_FOLLOW } from '../fs/safe-file.js';

export { fsyncDir } from '../fs/atomic-write.js';

/**
 * Makes the runs' folder when missing, private (0700, the running user's), so nobody else can
 * plant a link where a file of the run is about to be created. Returns the first folder it made.
 */
export function ensureRunDir(dir: string): string | undefined {
  return ensurePrivateDir(dir);
}

/** A new run's journal: O_APPEND, 0600, exclusive (a run ID is never reused). */
export function createJournalFile(file: string): number {
  return createNewFile(file, { append: true });
}

/** An existing journal, to read it and append to it through the same descriptor; never through a link. */
export function openJournalFile(file: string): number {
  assertPrivateDir(path.dirname(file));
  return openSync(file, constants.O_RDWR | constants.O_APPEND | NO_FOLLOW);
}

/** A run's lock file: exclusive (O_CREAT | O_EXCL), so exactly one of several creators wins; 0600. */
export function createLockFile(lock: string): number {
  return createNewFile(lock);
}
