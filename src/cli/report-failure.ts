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
  if (!(error instanceof TpmDoctorError)) return reportBug(error);
  const report = errorReport(error);
  if (report.internal === true) return reportBug(error);
  say(`tpm-doctor: ${report.prefix ?? ''}${error.message}\n${nextLine(report, error)}`);
  return report.exit;
}

/**
 * An unexpected exception: everything a bug report needs, and where to send it. tpm-doctor has no
 * public issue tracker to name (package.json has no "bugs" URL), so the report goes to whoever
 * maintains the copy in use.
 */
function reportBug(error: unknown): ExitCode {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  say(`tpm-doctor: internal error (please report it with this text):\n${detail}\n${BUG_REPORT_LINE}\n`);
  return EXIT.INTERNAL;
}

/** The last line of an internal error: who to tell, and the runtime a maintainer needs to know. */
const BUG_REPORT_LINE = `Report it to your tpm-doctor maintainer with this output (Node ${process.version}, ${process.platform} ${process.arch}).`;

function nextLine(report: ErrorReport, error: TpmDoctorError): string {
  if (report.next === 'resume') return 'Continue with: tpm-doctor resume\n';
  if (report.next !== 'help') return '';
  const verb = error instanceof UsageError ? error.verb : undefined;
  return `See "${verb ? `tpm-doctor ${verb} --help` : 'tpm-doctor --help'}".\n`;
}
