import { closeSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir } from '../fs/private-dir.js';
import { createNewFile } from '../fs/safe-file.js';
import { StateDirError } from './state-dir-error.js';

/**
 * Makes the runs folder (private, as every run makes it: src/fs/private-dir.ts) and creates and
 * removes a file in it, so that a folder that cannot hold a journal is refused before the gate,
 * with one line naming it, rather than after the gate passed. Throws StateDirError (and
 * UnsafePathError for a folder another user could redirect).
 */
export function assertJournalDirWritable(dir: string): void {
  const absolute = path.resolve(dir);
  const probe = path.join(absolute, `.write-test-${process.pid}`);
  try {
    ensurePrivateDir(absolute);
    closeSync(createNewFile(probe));
    unlinkSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !code.startsWith('E')) throw e;
    throw new StateDirError(
      absolute,
      `cannot write run journals in ${absolute} (${code}: ${explain(code)}): nothing was done. Choose a folder this user can write with --state-dir (or TPM_DOCTOR_STATE_DIR).`,
      { cause: e },
    );
  }
}

function explain(code: string): string {
  switch (code) {
    case 'EROFS':
      return 'a read-only file system';
    case 'ENOTDIR':
      return 'a file, not a folder, is on the way';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left';
    case 'EEXIST':
      return 'something is in the way';
    default:
      return 'the file system refused';
  }
}
