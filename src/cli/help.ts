import { wrapParagraph } from '../text/wrap.js';

/** Help never runs wider than this, whatever the terminal: a help page is read, not scanned. */
const HELP_WIDTH = 80;

/**
 * A help page laid out for HELP_WIDTH columns. A paragraph with a line too long is re-flowed:
 * an option's description under its description column ("  --tpm URI     The TPM..."), a
 * numbered item under its text, other text under its indent; the lines that continue it (indented
 * to that column, not starting an item of their own) are joined to it first. Paragraphs that fit
 * stay exactly as written.
 */
export function formatHelp(text: string, width = HELP_WIDTH): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      out.push(line);
      continue;
    }
    const { prefix, hang, item } = leadOf(line, lines[i + 1] ?? '');
    let end = i + 1;
    while (end < lines.length && continues(lines[end] ?? '', hang, item)) end++;
    const paragraph = lines.slice(i, end);
    if (paragraph.every((l) => l.length <= width)) {
      out.push(...paragraph);
    } else {
      const body = paragraph.map((l, k) => (k === 0 ? l.slice(prefix.length) : l.trim())).join(' ');
      out.push(...wrapParagraph(prefix, body, hang, width));
    }
    i = end - 1;
  }
  return out.join('\n');
}

/**
 * Where a paragraph's text starts: after an indented term (an option, a command, an exit code)
 * and its gap of two or more spaces, or a list marker (an item: its
 * continuation lines are indented to its text), or at its indent; a usage line continues under
 * the column its own next line is indented to.
 */
function leadOf(line: string, next: string): { prefix: string; hang: number; item: boolean } {
  const marker = /^( +\S(?:\S| \S)*? {2,})\S/.exec(line) ?? /^( +\d+\. +)\S/.exec(line);
  if (marker?.[1]) return { prefix: marker[1], hang: marker[1].length, item: true };
  const indent = /^ */.exec(line)?.[0] ?? '';
  if (line.startsWith('Usage: ')) {
    const nextIndent = next.length - next.trimStart().length;
    return { prefix: '', hang: nextIndent > 0 ? nextIndent : 7, item: false };
  }
  return { prefix: indent, hang: indent.length, item: false };
}

/** Whether `line` continues a paragraph whose text starts at column `hang`. */
function continues(line: string, hang: number, item: boolean): boolean {
  if (line.trim() === '') return false;
  const indent = line.length - line.trimStart().length;
  if (indent !== hang) return false;
  // An example command line is copied as it is: it is never joined to the line before it.
  if (line.trimStart().startsWith('tpm-doctor ')) return false;
  // Prose at an item's own indent: the next option or list item, or a heading ("Exit codes:",
  // "Example (LAB): ..."), starts a paragraph of its own.
  return item || !/^(-|\d+\.\s|[A-Z][\w ()]*:(\s|$))/.test(line.trimStart());
}

/** Writes a help page to stdout, laid out for HELP_WIDTH columns. */
export function printHelp(text: string): void {
  process.stdout.write(formatHelp(text));
}

/**
 * The candidate closest to a mistyped word, when it is close enough to be what was meant
 * (Damerau-Levenshtein distance at most 2, and less than half the word), else undefined.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance < Math.max(word.length, 2) / 2 + 1 ? best : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] ?? 0, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] ?? 0;
}
