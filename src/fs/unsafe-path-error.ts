import { TpmDoctorError } from '../errors.js';

/**
 * A folder or file tpm-doctor was about to write in is not safe: another user could change what
 * tpm-doctor writes there, or redirect it (a planted symbolic link) onto a file of root's. Nothing
 * was written. The message names the path, what was found and what to do.
 */
export class UnsafePathError extends TpmDoctorError {
  /** The folder or file that was refused. */
  readonly path: string;

  constructor(path: string, found: string, remedy: string) {
    super(
      'unsafe-path',
      `${path} ${found}: another user could change what tpm-doctor writes there. ${remedy}`,
    );
    this.path = path;
  }
}
