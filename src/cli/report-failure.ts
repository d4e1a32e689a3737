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

/** An unexpected exception: everything a bug report needs. */
function reportBug(error: unknown): ExitCode {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  say(`tpm-doctor: internal error (please report it with this text):\n${detail}\n`);
  return EXIT.INTERNAL;
}

function nextLine(report: ErrorReport, error: TpmDoctorError): string {
  if (report.next === 'resume') return 'Continue with: tpm-doctor resume\n';
  if (report.next !== 'help') return '';
  const verb = error instanceof UsageError ? error.verb : undefined;
  return `See "${verb ? `tpm-doctor ${verb} --help` : 'tpm-doctor --help'}".\n`;
}
