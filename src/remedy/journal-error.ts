import { TpmDoctorError } from '../errors.js';

/**
 * A run's journal that cannot be used (docs/clear.md "The journal"), as the CLI reports it
 * (docs/exit-codes.md):
 * - 'journal-damaged': the journal does not check out (its hash chain breaks, a line is not a
 *   record, it has no run-started record), so the run's history cannot be trusted and it is
 *   neither resumed nor abandoned;
 * - 'journal-write': a record could not be written and fsync'd (a full disk, an I/O error), or
 *   another process wrote to the journal behind this one's back. The handle stops there, with
 *   nothing after the failed record done; opening the journal again repairs its tail.
 */
export class JournalError extends TpmDoctorError {
  constructor(code: 'journal-damaged' | 'journal-write', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'JournalError';
  }
}
