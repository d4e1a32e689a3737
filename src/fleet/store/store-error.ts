import { TpmDoctorError } from '../../errors.js';

/**
 * Every failure of the fleet store: it could not be opened or reached, its data is not what this
 * build expects, or a call was wrong (an unknown triage run, a finished one). Messages name the
 * store (never with a password) and say what was expected; they never carry a stored value that
 * could be a secret.
 */
export class FleetStoreError extends TpmDoctorError {
  /** PostgreSQL's SQLSTATE when the server gave one (e.g. 40P01 deadlock): callers may retry on it. */
  readonly sqlState: string | undefined;

  constructor(message: string, options?: { cause?: unknown; sqlState?: string | undefined }) {
    super('fleet-store', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.sqlState = options?.sqlState;
  }
}
