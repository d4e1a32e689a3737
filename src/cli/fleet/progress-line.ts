import { displayWidth } from '../../text/display-width.js';

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
      this.stream.write(`\r\x1b[2K${fitLine(text, width)}`);
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

/** Segments a campaign's line keeps to the last: how far it is, what went right and wrong, time left. */
const KEPT = /(\bdone$|^compliant |^failed |\bleft$)/;

/**
 * `text` in `width` columns. A campaign's line ("sync c-…: 9/20 done · pending 3 · …") loses whole
 * segments, the rightmost of the less telling first (the write window's wait, posting rate and
 * ETA, then timed out, synced, awaiting sync, pending), then the campaign's id, never a word cut in
 * half; what still does not fit (a very narrow terminal) is cut at the width.
 */
function fitLine(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const parts = text.split(' · ');
  const droppable = parts.map((part, i) => i > 0 && !KEPT.test(part));
  for (let i = parts.length - 1; i > 0; i--) {
    if (!droppable[i]) continue;
    parts.splice(i, 1);
    const line = parts.join(' · ');
    if (displayWidth(line) <= width) return line;
  }
  // Then the campaign's id (printed when it started): "sync: 9/20 done · …".
  const line = parts.join(' · ').replace(/^(\S+) c-\S+: /, '$1: ');
  return displayWidth(line) <= width ? line : [...line].slice(0, width).join('');
}
