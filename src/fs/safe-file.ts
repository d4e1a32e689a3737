/**
 * Creating a file without being redirected: exclusive create (O_CREAT|O_EXCL) fails when anything
 * is already at the path, a planted symbolic link included, so a file tpm-doctor creates is always
 * a new file of its own and never the target of someone else's link (CWE-59); O_NOFOLLOW says the
 * same again for the last component. Files are private (0600) unless a caller says otherwise:
 * journals, receipts and reports can hold device names, users and tickets.
 * See docs/security.md, "Files tpm-doctor writes".
 */
import { constants, lstatSync, openSync, unlinkSync } from 'node:fs';
import { UnsafePathError } from './unsafe-path-error.js';

/** O_NOFOLLOW where the platform has it (POSIX). Windows' CreateFile has no such flag and Node maps none. */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** Owner read and write, nothing for anyone else. */
const PRIVATE_FILE_MODE = 0o600;

export interface NewFileOptions {
  /** Open for appending (O_APPEND): every write() goes to the end. */
  readonly append?: boolean;
  /** The new file's mode (default 0600); the umask can only take bits away. */
  readonly mode?: number;
}

/**
 * Creates `file` for writing and returns its descriptor; fails (EEXIST) when anything is at the
 * path already, a symbolic link included, which is then left untouched.
 */
export function createNewFile(file: string, options: NewFileOptions = {}): number {
  const flags =
    constants.O_WRONLY |
    constants.O_CREAT |
    constants.O_EXCL |
    NO_FOLLOW |
    (options.append ? constants.O_APPEND : 0);
  return openSync(file, flags, options.mode ?? PRIVATE_FILE_MODE);
}

/**
 * Creates the scratch file `file` (e.g. a report's `FILE.partial`) afresh: whatever is at the path
 * (a file a crashed run left, or a link someone planted) is removed first, as a name, never
 * followed, and the new one is created exclusively. Refuses (UnsafePathError) when something keeps
 * reappearing there: someone is racing for the path.
 */
export function createScratchFile(file: string, options: NewFileOptions = {}): number {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return createNewFile(file, options);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (lstatSync(file, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UnsafePathError(file, 'is a folder', 'Remove it or choose another file name.');
    }
    try {
      unlinkSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  throw new UnsafePathError(
    file,
    'keeps reappearing after tpm-doctor removes it',
    'Write to a folder only you can write.',
  );
}
