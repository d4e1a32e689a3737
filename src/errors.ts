import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * How the CLI reports an error that escaped a command (src/cli/report-failure.ts), as data: the
 * exit code (docs/exit-codes.md) and the one-line message around the error's own message.
 */
export interface ErrorReport {
  readonly exit: ExitCode;
  /** Put before the message, when the message alone does not say what failed. */
  readonly prefix?: string;
  /** The line after the message: the command's --help, or `tpm-doctor resume`. */
  readonly next?: 'help' | 'resume';
  /**
   * A wrapper (a campaign that stopped, a triage that could not go on): the exit code is the one
   * of the tpm-doctor error that stopped it (Graph, the store), when one did, and `exit` otherwise.
   */
  readonly exitOfCause?: true;
  /**
   * Not something a working tpm-doctor lets escape: printed with its stack, to be reported, like
   * any unexpected exception.
   */
  readonly internal?: true;
}

/**
 * Every error code tpm-doctor raises, one style (kebab-case), with how the CLI reports it; the
 * "Error codes" table of docs/exit-codes.md lists the same (test/cli/error-reports.test.ts). Codes
 * are stable: the clear and PPI codes are journaled as a failed step's `reason` (docs/clear.md).
 * Status JSON and snapshots spell a section's error their own way (docs/status-json.md:
 * `TPM_TRANSPORT`, a TPM response-code name), in src/probe/tpm-status.ts.
 */
export const ERROR_REPORTS = {
  // The command line.
  usage: { exit: EXIT.USAGE, next: 'help' },
  'tpm-uri': { exit: EXIT.USAGE },
  // A folder or file another user could redirect (src/fs/, docs/security.md): nothing was written.
  'unsafe-path': { exit: EXIT.USAGE },

  // The TPM client (src/tpm/errors.ts, src/tpm/rc/tpm-error.ts).
  'tpm-transport': { exit: EXIT.TPM_UNREACHABLE, prefix: 'no TPM answered: ' },
  'tpm-absent': { exit: EXIT.TPM_UNREACHABLE, prefix: 'no TPM answered: ' },
  'tpm-marshal': { exit: EXIT.INTERNAL },
  'tpm-response': { exit: EXIT.INTERNAL },
  'swtpm-control': { exit: EXIT.INTERNAL, internal: true },
  'unsupported-key': { exit: EXIT.INTERNAL, internal: true },

  // The lab and the evidence.
  'lab-unavailable': { exit: EXIT.LAB_UNAVAILABLE },
  evidence: { exit: EXIT.BAD_EVIDENCE },

  // The gated clear (src/remedy/): refused before the TPM was touched.
  'run-locked': { exit: EXIT.USAGE },
  // The state folder cannot hold a journal (src/remedy/journal-dir-check.ts): found before the gate.
  'state-dir-unwritable': { exit: EXIT.USAGE },
  // A run's journal (src/remedy/journal-error.ts): damaged, as `runs RUN-ID` reports it; or a
  // record that could not be written, where the run stopped and a resume continues.
  'journal-damaged': { exit: EXIT.PARTIAL },
  'journal-write': { exit: EXIT.RUN_INTERRUPTED },
  'gate-not-passed': { exit: EXIT.CLEAR_REFUSED },
  'wrong-tpm': { exit: EXIT.CLEAR_REFUSED },
  'tpm-unverifiable': { exit: EXIT.CLEAR_REFUSED },
  // Stopped where `tpm-doctor resume` continues.
  'clear-outcome-unknown': { exit: EXIT.RUN_INTERRUPTED, next: 'resume' },
  'step-failed': { exit: EXIT.RUN_INTERRUPTED, next: 'resume' },
  'srk-unreadable': { exit: EXIT.RUN_INTERRUPTED, next: 'resume' },
  'tpm-unreachable': { exit: EXIT.RUN_INTERRUPTED, next: 'resume' },
  'ppi-outcome-unknown': { exit: EXIT.RUN_INTERRUPTED, next: 'resume' },
  'not-cleared-yet': { exit: EXIT.INTERNAL },
  'bad-options': { exit: EXIT.INTERNAL },
  'not-a-clear-run': { exit: EXIT.INTERNAL },
  'startup-task': { exit: EXIT.INTERNAL, internal: true },
  'elevation-check': { exit: EXIT.INTERNAL, internal: true },
  // The physical-presence interface (src/remedy/platform/ppi-error.ts).
  'ppi-not-elevated': { exit: EXIT.INTERNAL, internal: true },
  'ppi-no-ppi': { exit: EXIT.INTERNAL, internal: true },
  'ppi-refused-by-firmware': { exit: EXIT.INTERNAL, internal: true },
  'ppi-firmware-failure': { exit: EXIT.INTERNAL, internal: true },
  'ppi-not-kept': { exit: EXIT.INTERNAL, internal: true },
  'ppi-unexpected-output': { exit: EXIT.INTERNAL, internal: true },

  // The fleet (src/fleet/, src/cli/fleet/).
  'graph-auth': { exit: EXIT.GRAPH_AUTH },
  'graph-token-unavailable': { exit: EXIT.GRAPH_AUTH },
  'graph-request': { exit: EXIT.GRAPH_FAILED, prefix: 'Microsoft Graph: ' },
  'graph-response-shape': { exit: EXIT.INTERNAL, internal: true },
  'fleet-store': { exit: EXIT.STORE_FAILED, prefix: 'store: ' },
  'fleet-campaign': { exit: EXIT.USAGE, exitOfCause: true },
  'fleet-triage-input': { exit: EXIT.GRAPH_FAILED, exitOfCause: true },
} as const satisfies Record<string, ErrorReport>;

export type ErrorCode = keyof typeof ERROR_REPORTS;

/** Base class: every tpm-doctor error carries a stable machine-readable `code` from ERROR_REPORTS. */
export class TpmDoctorError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** How the CLI reports `error`. */
export function errorReport(error: TpmDoctorError): ErrorReport {
  const report: ErrorReport = ERROR_REPORTS[error.code];
  if (report.exitOfCause !== true || !(error.cause instanceof TpmDoctorError)) return report;
  const { exit } = errorReport(error.cause);
  return exit === EXIT.INTERNAL ? report : { ...report, exit };
}
