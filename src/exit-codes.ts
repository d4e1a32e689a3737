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
  /** diagnose: warnings, no errors (the device works, but something needs attention). */
  DIAGNOSIS_WARNINGS: 6,
  /** diagnose: at least one error finding (the verdict says the next step). */
  DIAGNOSIS_ERRORS: 7,
  /** diagnose: nothing could be read (no TPM answered and no evidence was given or readable). */
  NOT_DIAGNOSABLE: 8,
  /** The evidence bundle is missing, unreadable or not evidence (the message names the file). */
  BAD_EVIDENCE: 9,
  /** clear: the preflight gate refused, or the confirmation was not given. The TPM is untouched. */
  CLEAR_REFUSED: 10,
  /** clear/resume: the TPM refused the clear (disableClear, lockout, wrong auth) or the proof failed. */
  CLEAR_FAILED: 11,
  /** clear/resume: the run stopped where it can be resumed (`tpm-doctor resume`); see the message. */
  RUN_INTERRUPTED: 12,
  /** fleet: no credential, or Entra ID / the lab refused it (the message says which setting). */
  GRAPH_AUTH: 13,
  /** fleet: Microsoft Graph refused a call or stayed unreachable after bounded retries. */
  GRAPH_FAILED: 14,
  /** fleet: the store (SQLite file or PostgreSQL) could not be opened, read or written. */
  STORE_FAILED: 15,
  /** fleet sync/remediate/clear: the campaign ended with devices failed, timed out or refused (listed). */
  CAMPAIGN_INCOMPLETE: 16,
  /**
   * diagnose: no error finding, but the evidence is incomplete: a source could not be read, or a
   * fact a verdict or a clear depends on (TPM state, lockout state, the OS volume's BitLocker
   * protectors) is unknown. Never "healthy", never a clear.
   */
  EVIDENCE_INCOMPLETE: 17,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
