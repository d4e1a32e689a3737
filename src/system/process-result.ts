/** What one finished child process left behind: the one result shape every runner returns. */
export interface ProcessResult {
  /** The exit code; null when a signal ended the process (the timeout, the output cap, anyone else). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when the timeout ended the process (and everything it started). */
  timedOut: boolean;
  /** The signal that ended the process, when one did. */
  signal?: NodeJS.Signals;
  /** Set when stdout passed the cap: the process tree was ended and stdout holds what came before. */
  outputCapped?: true;
}
