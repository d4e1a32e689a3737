import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/**
 * The lockout authorization value, from a file (`--lockout-auth-file`) or TPM_DOCTOR_LOCKOUT_AUTH,
 * never from a flag value: a flag would show in the process list and the shell history. Empty
 * when neither is given (lockoutAuthSet is false on a TPM nobody took ownership of).
 */
export function lockoutAuth(file: string | undefined, verb: string): string {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new UsageError(`cannot read --lockout-auth-file ${file}: ${(e as Error).message}`, verb);
    }
  }
  return process.env.TPM_DOCTOR_LOCKOUT_AUTH ?? '';
}
