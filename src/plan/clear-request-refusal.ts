import { TpmDoctorError } from '../errors.js';

/**
 * A clear that must not start for this request and this TPM (another run is open, a lockout value
 * the TPM needs is missing, a PPI clear of a lab TPM): nothing was changed. The CLI reports it as
 * a wrong command line (exit 2, docs/exit-codes.md); the console as a refused request.
 */
export class ClearRequestRefusal extends TpmDoctorError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Throws the refusal a plan rule returned, if it returned one. */
export function refuseIf(refusal: string | undefined): void {
  if (refusal !== undefined) throw new ClearRequestRefusal(refusal);
}
