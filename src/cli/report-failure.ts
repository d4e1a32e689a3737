import { TpmDoctorError, TransportError } from '../tpm/errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** Prints an error that escaped a command, in one or two lines, and picks the exit code. */
export function reportFailure(error: unknown): ExitCode {
  if (error instanceof UsageError) {
    const help = error.verb ? `tpm-doctor ${error.verb} --help` : 'tpm-doctor --help';
    process.stderr.write(`tpm-doctor: ${error.message}\nSee "${help}".\n`);
    return EXIT.USAGE;
  }
  if (error instanceof TpmDoctorError && error.code === 'TPM_URI') {
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    return EXIT.USAGE;
  }
  if (error instanceof TpmDoctorError && error.code === 'EVIDENCE') {
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    return EXIT.BAD_EVIDENCE;
  }
  // Fleet errors are matched by shape, not class: the fleet chunk is not loaded for other verbs,
  // and class names do not survive minification.
  if (error instanceof TpmDoctorError && (error.code === 'GRAPH_AUTH' || error.code === 'TokenUnavailable')) {
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    return EXIT.GRAPH_AUTH;
  }
  if (error instanceof TpmDoctorError && 'requestId' in error && 'method' in error && 'path' in error) {
    process.stderr.write(`tpm-doctor: Microsoft Graph: ${error.message}\n`);
    return EXIT.GRAPH_FAILED;
  }
  if (
    error instanceof TpmDoctorError &&
    (error.code === 'FLEET_CAMPAIGN' || error.code === 'FLEET_TRIAGE_INPUT')
  ) {
    // A campaign error wraps what stopped it: Graph, the store, or a selection that was wrong.
    const cause = error.cause;
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    if (cause instanceof TpmDoctorError && cause.code === 'FLEET_STORE') return EXIT.STORE_FAILED;
    if (cause instanceof TpmDoctorError && 'requestId' in cause) return EXIT.GRAPH_FAILED;
    return error.code === 'FLEET_TRIAGE_INPUT' ? EXIT.GRAPH_FAILED : EXIT.USAGE;
  }
  if (error instanceof TpmDoctorError && error.code === 'FLEET_STORE') {
    process.stderr.write(`tpm-doctor: store: ${error.message}\n`);
    return EXIT.STORE_FAILED;
  }
  if (error instanceof TpmDoctorError && error.code === 'UNSAFE_PATH') {
    // A folder or file another user could redirect (src/fs/private-dir.ts): nothing was written.
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    return EXIT.USAGE;
  }
  if (error instanceof Error && error.name === 'RunLockedError') {
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    return EXIT.USAGE;
  }
  if (
    error instanceof TpmDoctorError &&
    ['gate-not-passed', 'wrong-tpm', 'tpm-unverifiable'].includes(error.code)
  ) {
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    return EXIT.CLEAR_REFUSED;
  }
  if (
    error instanceof TpmDoctorError &&
    [
      'clear-outcome-unknown',
      'step-failed',
      'srk-unreadable',
      'tpm-unreachable',
      'ppi-outcome-unknown',
    ].includes(error.code)
  ) {
    process.stderr.write(`tpm-doctor: ${error.message}\nContinue with: tpm-doctor resume\n`);
    return EXIT.RUN_INTERRUPTED;
  }
  if (error instanceof TransportError) {
    process.stderr.write(`tpm-doctor: no TPM answered: ${error.message}\n`);
    return EXIT.TPM_UNREACHABLE;
  }
  if (error instanceof TpmDoctorError) {
    process.stderr.write(`tpm-doctor: ${error.message}\n`);
    return error.code === 'LAB_UNAVAILABLE' ? EXIT.LAB_UNAVAILABLE : EXIT.INTERNAL;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`tpm-doctor: internal error (please report it with this text):\n${detail}\n`);
  return EXIT.INTERNAL;
}
