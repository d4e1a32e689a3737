import { TpmDoctorError } from '../errors.js';

/**
 * The state folder (`--state-dir`, /var/lib/tpm-doctor) cannot hold a run's journal: it cannot be
 * made or written (a read-only file system, a file on the way, no permission). Found before the
 * gate, so a clear never starts a run it could not journal (docs/clear.md). Nothing was written.
 */
export class StateDirError extends TpmDoctorError {
  /** The folder that could not be made or written. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('state-dir-unwritable', message, options);
    this.name = 'StateDirError';
    this.path = path;
  }
}
