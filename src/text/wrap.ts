import { stripVTControlCharacters } from 'node:util';
import { displayWidth, graphemes } from './display-width.js';
import { terminalSafe } from './terminal-safe.js';

/**
 * One paragraph laid out for a terminal `width` columns wide: `prefix` (a label, an indent; our
 * own text, possibly coloured) starts the first line, later lines are indented by `hang` spaces,
 * and lines break only between words. `text` may come from outside: it goes through the terminal
 * filter first (src/text/terminal-safe.ts), so its escapes are measured as they are shown.
 *
 * Text without spaces in a script written without them (Japanese, Chinese) breaks between its
 * wide characters, as those scripts allow.
 *
 * A token wider than a whole line (a 64-digit hash, a long URL or path) never starts at the end of
 * a line: it goes on a line of its own. There a URL or a path (it has "://", "/" or "\") is kept
 * whole and may run past the width: the terminal soft-wraps it, and copying it from the terminal
 * (tmux, Windows Terminal, xterm) then gives it back in one piece, where a break of ours would put
 * a newline and the hanging indent inside it. Any other such token (a hash) is cut at the width,
 * each piece a full line, so the text still fits.
 */
export function wrapParagraph(prefix: string, text: string, hang: number, width: number): string[] {
  const lead = displayWidth(stripVTControlCharacters(prefix));
  const indent = ' '.repeat(hang);
  const lines: string[] = [];
  let line = prefix;
  let used = lead;
  let fresh = true; // nothing of `text` on this line yet
  const newLine = () => {
    lines.push(line.trimEnd());
    line = indent;
    used = hang;
    fresh = true;
  };
  // A token wider than a line: on a line of its own, whole if it is copied (a URL, a path), else cut.
  const placeLong = (token: string) => {
    if (!fresh || used > hang) newLine();
    if (COPIED_WHOLE.test(token)) {
      line += token;
      used += displayWidth(token);
      fresh = false;
      return;
    }
    for (const g of graphemes(token)) {
      const gw = displayWidth(g);
      if (used + gw > width && used > hang) newLine();
      line += g;
      used += gw;
      fresh = false;
    }
  };
  const parts = terminalSafe(text).split(/( +)/);
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i] ?? '';
    const gap = i > 0 ? (parts[i - 1] ?? '') : '';
    if (word === '') {
      if (!fresh) {
        line += gap;
        used += gap.length;
      }
      continue;
    }
    const w = displayWidth(word);
    const space = fresh ? 0 : gap.length;
    if (used + space + w <= width) {
      line += (fresh ? '' : gap) + word;
      used += space + w;
      fresh = false;
      continue;
    }
    const wide = /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uffef]/.test(word);
    if (!wide && w > width - hang) {
      placeLong(word);
      continue;
    }
    if (!wide) {
      if (!fresh || used > hang) newLine();
      line += word;
      used += w;
      fresh = false;
      continue;
    }
    // Cut between characters: continue this line if a piece fits, then go on line by line.
    if (!fresh && used + space < width) {
      line += gap;
      used += space;
    } else if (!fresh) newLine();
    for (const unit of lineBreakUnits(word)) {
      const uw = displayWidth(unit);
      if (uw > width - hang) {
        placeLong(unit);
        continue;
      }
      if (used + uw > width && used > hang) newLine();
      line += unit;
      used += uw;
      fresh = false;
    }
  }
  lines.push(line.trimEnd());
  return lines;
}

/** A URL or a path (Unix or Windows): kept whole on its own line, however long (wrapParagraph). */
const COPIED_WHOLE = /:\/\/|[/\\]/;

/** Punctuation a line must not start with, and brackets it must not end with (JIS X 4051 §6.1). */
const NO_LINE_START = new Set([
  ...'、。，．・：；？！）」』】〕〉》ー々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ)]},.:;!?%',
]);
const NO_LINE_END = new Set([...'（「『【〔〈《([{']);

/**
 * Where a word of a script written without spaces may break: between two wide characters, and
 * between a wide character and a run of narrow ones, but never inside that run (a command, a
 * number, a code such as 0x921 stays whole), never before closing punctuation and never after an
 * opening bracket (the line-breaking rules of JIS X 4051, simplified).
 */
function lineBreakUnits(word: string): string[] {
  const units: string[] = [];
  let narrowRun = false;
  let glued = false; // the last unit ends with an opening bracket: what follows sticks to it
  for (const g of graphemes(word)) {
    const wide = displayWidth(g) === 2;
    const last = units.length - 1;
    if (last >= 0 && (glued || NO_LINE_START.has(g) || (!wide && narrowRun))) {
      units[last] += g;
    } else {
      units.push(g);
    }
    if (!NO_LINE_START.has(g) || last < 0) narrowRun = !wide && !NO_LINE_END.has(g);
    glued = NO_LINE_END.has(g);
  }
  return units;
}

/**
 * A line of ours whose columns are aligned with spaces: the leading spaces stay, the rest wraps
 * under it two columns further in. For lines built from several fields.
 */
export function wrapIndented(line: string, width: number): string[] {
  const lead = line.length - line.trimStart().length;
  return wrapParagraph(' '.repeat(lead), line.slice(lead), lead + 2, width);
}
