import { type ErrorReport, errorReport, TpmDoctorError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { terminalSafeLines } from '../text/terminal-safe.js';
import { UsageError } from './usage-error.js';

/**
 * Error messages quote what came from outside (Graph's words, a device or file name, a flag's
 * value): written through the one terminal filter (src/text/terminal-safe.ts), lines kept.
 */
function say(text: string): void {
  process.stderr.write(terminalSafeLines(text));
}

/**
 * Prints an error that escaped a command, in one or two lines, and returns its exit code: both
 * come from the error's code (ERROR_REPORTS in src/errors.ts), so the fleet's errors are reported
 * without loading the fleet chunk.
 */
export function reportFailure(error: unknown): ExitCode {
  if (!isReported(error)) return reportBug(error, (stack) => stack);
  const report = errorReport(error);
  say(`tpm-doctor: ${report.prefix ?? ''}${error.message}\n${nextLine(report, error)}`);
  return report.exit;
}

/**
 * reportFailure, with an internal error's stack told in tpm-doctor's TypeScript sources instead of
 * the minified bundle's (src/cli/readable-stack.ts). The source-map reader is loaded only for such
 * an error; if it cannot be, the stack is printed as it is.
 */
export async function reportFailureReadably(error: unknown): Promise<ExitCode> {
  if (isReported(error)) return reportFailure(error);
  const readable = await import('./readable-stack.js').then(
    (loaded) => loaded.readableStack,
    () => (stack: string) => stack,
  );
  return reportBug(error, readable);
}

/**
 * A tpm-doctor error reported in a line; anything else (an unexpected exception, or a tpm-doctor
 * error a working tpm-doctor does not let escape) is a bug.
 */
function isReported(error: unknown): error is TpmDoctorError {
  return error instanceof TpmDoctorError && errorReport(error).internal !== true;
}

/**
 * An unexpected exception: everything a bug report needs, and where to send it: package.json's
 * "bugs" URL when the build found one; without one (as today) there is no public issue tracker to
 * name, and the report goes to whoever maintains the copy in use.
 */
function reportBug(error: unknown, readable: (stack: string) => string): ExitCode {
  const detail =
    error instanceof Error
      ? error.stack !== undefined
        ? readable(error.stack)
        : error.message
      : String(error);
  say(`tpm-doctor: internal error (please report it with this text):\n${detail}\n${BUG_REPORT_LINE}\n`);
  return EXIT.INTERNAL;
}

/** package.json's `bugs.url`, fixed by the build (rolldown.config.mjs); null when it has none. */
declare const __TPM_DOCTOR_BUGS_URL__: string | null;
/** Where to report a bug: undefined when package.json names no tracker, or when run from the sources. */
const BUGS_URL = typeof __TPM_DOCTOR_BUGS_URL__ === 'string' ? __TPM_DOCTOR_BUGS_URL__ : undefined;

/** The last line of an internal error: who to tell, and the runtime a maintainer needs to know. */
const BUG_REPORT_LINE = `${BUGS_URL ? `Report it at ${BUGS_URL}` : 'Report it to your tpm-doctor maintainer'} with this output (Node ${process.version}, ${process.platform} ${process.arch}).`;

function nextLine(report: ErrorReport, error: TpmDoctorError): string {
  if (report.next === 'resume') return 'Continue with: tpm-doctor resume\n';
  if (report.next !== 'help') return '';
  const verb = error instanceof UsageError ? error.verb : undefined;
  return `See "${verb ? `tpm-doctor ${verb} --help` : 'tpm-doctor --help'}".\n`;
}
