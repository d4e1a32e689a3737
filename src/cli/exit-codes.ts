/**
 * Process exit codes, a contract for scripts and Intune Remediations (docs/exit-codes.md).
 * Never renumber; add new codes at the end.
 */
export const EXIT = {
  /** The command did its job. */
  OK: 0,
  /** A bug in tpm-doctor: an unexpected exception (the message says what to report). */
  INTERNAL: 1,
  /** Wrong command line: unknown verb or flag, bad value. Nothing was done. */
  USAGE: 2,
  /** No TPM answered: no device, nothing listening at the URI, or the TPM did not respond in time. */
  TPM_UNREACHABLE: 3,
  /** The TPM answered, but some sections could not be read (listed under "errors"). */
  PARTIAL: 4,
  /** A lab resource (swtpm, swtpm_setup) is missing or failed to start. */
  LAB_UNAVAILABLE: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
