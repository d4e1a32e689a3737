/**
 * The errors the TPM client raises. Every failure is one of three kinds, so a caller can tell
 * "the TPM said no" (TpmError, in ./rc/tpm-error.ts) from "the bytes were wrong" (MarshalError)
 * from "we could not reach the TPM" (TransportError). All are TpmDoctorError (src/errors.ts).
 */
import { TpmDoctorError } from '../errors.js';

/** Bytes that do not decode as the TPM 2.0 structure we expected (truncated, oversized, wrong tag, bad value). */
export class MarshalError extends TpmDoctorError {
  /** What was wrong, without the location. */
  readonly detail: string;
  /** Byte offset in the buffer being decoded. */
  readonly offset: number;
  /** Where in the structure the problem was found, outermost first, e.g. ['TPM2B_PUBLIC', 'unique']. */
  readonly path: readonly string[];

  constructor(detail: string, offset: number, path: readonly string[] = []) {
    super('tpm-marshal', path.length > 0 ? `${path.join('.')}: ${detail}` : detail);
    this.detail = detail;
    this.offset = offset;
    this.path = path;
  }

  /** The same error one level further out, e.g. `unique` inside `TPMT_PUBLIC`. */
  within(field: string): MarshalError {
    return new MarshalError(this.detail, this.offset, [field, ...this.path]);
  }
}

/**
 * The TPM could not be reached, did not answer in time, or the connection broke. `code` is
 * 'tpm-absent' when the machine has no TPM device at all (ENOENT/ENODEV, TBS_E_TPM_NOT_FOUND): a
 * diagnosis in itself. Everything else (permission denied, a timeout, a refused connection) is
 * 'tpm-transport': a failure to look, which says nothing about the TPM.
 */
export class TransportError extends TpmDoctorError {
  constructor(message: string, options?: { cause?: unknown; absent?: boolean }) {
    super(options?.absent ? 'tpm-absent' : 'tpm-transport', message, options);
  }
}
