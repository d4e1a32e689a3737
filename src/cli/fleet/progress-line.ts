/**
 * One line of progress on stderr for long fleet runs. On a terminal it is redrawn in place (at
 * most every 100 ms); in a log (not a TTY: CI, Intune, a pipe) it is written as a new line at most
 * every `logEveryMs`, so logs stay short but never silent for long. stdout stays clean for the
 * report or JSON. --quiet turns it off.
 */
export class ProgressLine {
  private lastDraw = 0;
  private lastText = '';
  private readonly tty: boolean;

  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly logEveryMs = 10_000,
  ) {
    this.tty = stream.isTTY === true;
  }

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    const every = this.tty ? 100 : this.logEveryMs;
    if (!force && now - this.lastDraw < every) return;
    this.lastDraw = now;
    this.lastText = text;
    if (this.tty) {
      const width = Math.max(20, (this.stream.columns ?? 100) - 1);
      this.stream.write(`\r\x1b[2K${text.slice(0, width)}`);
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends the line (terminal) so what follows starts on its own line. */
  done(finalText?: string): void {
    if (!this.enabled) return;
    if (finalText !== undefined) this.update(finalText, true);
    if (this.tty && this.lastText) this.stream.write('\n');
    this.lastText = '';
  }
}
