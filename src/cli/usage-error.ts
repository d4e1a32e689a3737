import { TpmDoctorError } from '../errors.js';

/** A wrong command line. Exits with EXIT.USAGE and points at --help. */
export class UsageError extends TpmDoctorError {
  constructor(
    message: string,
    readonly verb?: string,
  ) {
    super('usage', message);
  }
}
