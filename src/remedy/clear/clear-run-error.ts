/** Why a clear run could not start, or stopped where it can be resumed. */
import { TpmDoctorError } from '../../errors.js';

export type ClearRunErrorCode =
  | 'gate-not-passed'
  | 'bad-options'
  | 'not-a-clear-run'
  | 'srk-unreadable'
  | 'clear-outcome-unknown'
  | 'ppi-outcome-unknown'
  | 'not-cleared-yet'
  | 'step-failed'
  | 'wrong-tpm'
  | 'tpm-unverifiable'
  | 'tpm-unreachable';

/**
 * The run could not start, or stopped where it can be resumed (the journal says where). Nothing
 * unsafe happened: in particular 'clear-outcome-unknown' leaves the clear in flight, for the
 * resume to check against the TPM.
 */
export class ClearRunError extends TpmDoctorError {
  override readonly code: ClearRunErrorCode;
  readonly journalPath: string | undefined;
  constructor(code: ClearRunErrorCode, message: string, journalPath?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.code = code;
    this.journalPath = journalPath;
  }
}

/** The TPM did not answer (a transport error, not a TPM response code): resumable. */
export function unreachable(journalPath: string, what: string, e: unknown): ClearRunError {
  if (e instanceof ClearRunError) return e;
  return new ClearRunError(
    'tpm-unreachable',
    `${what} could not be read: the TPM did not answer (${e instanceof Error ? e.message : String(e)}). ` +
      'Nothing was decided from it; resume the run once the TPM answers.',
    journalPath,
    { cause: e },
  );
}
