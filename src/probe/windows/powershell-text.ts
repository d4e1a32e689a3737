/**
 * PowerShell's default text views, read the way admins paste them: `Format-List` ("Name : Value"
 * lines, labels padded to one width, long values wrapped onto indented lines, collections in
 * braces over several lines) and `Format-Table` (a header, a line of dashes, rows aligned to the
 * dashes; numbers right-aligned, so a value may start left of its column's dashes). Prompt lines
 * ("PS C:\> Get-Tpm") and blank lines around the output are skipped. Formatting rules:
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/format-list and
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/format-table
 */

/** One object of a Format-List view: label -> value, in the order printed. */
export type ListRecord = Record<string, string>;

export interface ListView {
  records: ListRecord[];
  /** Lines that were neither a label, a continuation nor a prompt (a header, a joined paste...). */
  otherLines: number;
}

const PROMPT = /^\s*(PS\s+\S.*>|[A-Z]:\\[^>]*>)/;

/** A command prompt line, as pasted above the output. */
function isPromptLine(line: string): boolean {
  return PROMPT.test(line);
}

export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

const LABEL = /^([A-Za-z_][\w.-]*)\s*:(?:\s(.*)|)$/;
/** A second "Label : value" pair joined onto a value (a paste that lost a line break). */
const JOINED = /^([A-Z][A-Za-z0-9_]+)\s+:(?:\s(.*)|)$/;

/**
 * Format-List text as records. A label seen again starts the next object (Get-BitLockerVolume
 * prints one block per volume; Get-Tpm prints a blank line inside its one block, so blank lines do
 * not separate objects). An indented line after a label continues its value (wrapped), and so
 * does every line up to the closing brace of a value that opened one.
 */
export function parseFormatList(text: string): ListView {
  const records: ListRecord[] = [];
  let current: ListRecord = {};
  let last: string | null = null;
  let openBraces = 0;
  let otherLines = 0;
  const set = (label: string, value: string) => {
    if (Object.hasOwn(current, label)) {
      records.push(current);
      current = {};
    }
    current[label] = value;
    last = label;
    openBraces = Math.max(0, count(value, '{') - count(value, '}'));
  };
  for (const raw of splitLines(text)) {
    const line = raw.replace(/\s+$/, '');
    if (last !== null && openBraces > 0) {
      current[last] = `${current[last]}\n${line.trim()}`;
      openBraces = Math.max(0, openBraces + count(line, '{') - count(line, '}'));
      continue;
    }
    if (line.trim() === '') {
      last = null;
      continue;
    }
    if (isPromptLine(line)) {
      last = null;
      continue;
    }
    const m = LABEL.exec(line);
    if (m && !/^\s/.test(line)) {
      const value = (m[2] ?? '').trim();
      const joined = JOINED.exec(value);
      if (joined) {
        set(m[1]!, '');
        set(joined[1]!, (joined[2] ?? '').trim());
      } else {
        set(m[1]!, value);
      }
      continue;
    }
    if (last !== null && /^\s/.test(line)) {
      current[last] = `${current[last]} ${line.trim()}`.trim();
      continue;
    }
    otherLines++;
    last = null;
  }
  if (Object.keys(current).length > 0) records.push(current);
  return { records, otherLines };
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

export interface TableView {
  /** Column names, header lines joined ("Mount" over "Point" is "MountPoint"). */
  columns: string[];
  rows: ListRecord[];
}

/**
 * Format-Table text as rows keyed by column name; null when the text has no dash line under a
 * header. A "ProviderName: X" group line above a table (Format-Table -GroupBy, Get-WinEvent's
 * default view) is added to each of its rows.
 */
export function parseFormatTable(text: string): TableView | null {
  const lines = splitLines(text).map((l) => l.replace(/\s+$/, ''));
  let columns: string[] | null = null;
  const rows: ListRecord[] = [];
  let group: ListRecord = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const groupLine = /^\s+([A-Za-z]+):\s+(\S.*)$/.exec(line);
    if (groupLine && !/^[\s-]+$/.test(lines[i + 1] ?? '')) {
      group = { [groupLine[1]!]: groupLine[2]!.trim() };
      continue;
    }
    if (!/^\s*-+(\s+-+)*\s*$/.test(line) || i === 0) continue;
    const spans = [...line.matchAll(/-+/g)].map((d) => ({ start: d.index, end: d.index + d[0].length }));
    const header: string[] = [];
    for (let h = i - 1; h >= 0 && lines[h]!.trim() !== '' && !isPromptLine(lines[h]!); h--) {
      header.unshift(lines[h]!);
    }
    if (header.length === 0) continue;
    columns = spans.map((s) =>
      header
        .map((h) => h.slice(s.start, s.end + 1).trim())
        .join('')
        .replace(/\s+/g, ''),
    );
    let r = i + 1;
    for (; r < lines.length && lines[r]!.trim() !== ''; r++) {
      const cells = cutRow(lines[r]!, spans);
      const row: ListRecord = { ...group };
      columns.forEach((c, k) => {
        row[c] = cells[k] ?? '';
      });
      rows.push(row);
    }
    i = r;
  }
  return columns === null ? null : { columns, rows };
}

/**
 * A row cut at its columns. A cut that would split a word (a right-aligned number that starts
 * left of its column's dashes) moves left to the nearest space after the previous column.
 */
function cutRow(line: string, spans: { start: number; end: number }[]): string[] {
  const cuts: number[] = [0];
  for (let k = 1; k < spans.length; k++) {
    let cut = spans[k]!.start;
    const floor = Math.max(spans[k - 1]!.end, cuts[k - 1]!);
    while (cut > floor && line[cut - 1] !== undefined && line[cut - 1] !== ' ' && line[cut] !== ' ') cut--;
    cuts.push(Math.max(cut, cuts[k - 1]!));
  }
  return cuts.map((c, k) => line.slice(c, k + 1 < cuts.length ? cuts[k + 1] : undefined).trim());
}

/**
 * What a text is, in words that never quote it: for "found ..." messages. The file may hold a
 * secret or personal data, so only its shape is described.
 */
export function describeShape(text: string): string {
  const lines = splitLines(text).filter((l) => l.trim() !== '');
  if (lines.length === 0) return 'only blank lines';
  if (lines.length === 1) {
    const pairs = (lines[0]!.match(/\s:\s/g) ?? []).length;
    return pairs > 1
      ? `one line holding ${pairs} "Name : Value" pairs (the line breaks were lost)`
      : 'one line of other text';
  }
  const labelled = lines.filter((l) => LABEL.test(l.trim())).length;
  return labelled > 0
    ? `${lines.length} lines, ${labelled} of them "Name : Value" lines of other properties`
    : `${lines.length} lines of other text`;
}
