import { readBoundedFile } from './read-bounded-file.js';
import { UsageError } from './usage-error.js';

/**
 * The longest lockout authorization file read: a TPM authorization value is at most a digest's
 * size (TPM 2.0 Library Part 2 §10.4.5, TPM2B_AUTH), so anything near this is not one.
 */
const MAX_AUTH_FILE_BYTES = 4 * 1024;

/**
 * The lockout authorization value, from a file (`--lockout-auth-file`) or TPM_DOCTOR_LOCKOUT_AUTH,
 * never from a flag value: a flag would show in the process list and the shell history. Empty
 * when neither is given (lockoutAuthSet is false on a TPM nobody took ownership of).
 */
export function lockoutAuth(file: string | undefined, verb: string): string {
  if (file !== undefined) {
    try {
      return readBoundedFile(file, MAX_AUTH_FILE_BYTES, 'a lockout authorization value').replace(
        /\r?\n$/,
        '',
      );
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new UsageError(`cannot read --lockout-auth-file ${file}: ${why}`, verb);
    }
  }
  return process.env.TPM_DOCTOR_LOCKOUT_AUTH ?? '';
}
