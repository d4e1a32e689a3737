/**
 * A CSV file as a table (RFC 4180: fields separated by commas, records by CRLF or LF, a field in
 * double quotes may hold commas, line breaks and doubled quotes), as Intune's report exports
 * write them. The first record names the columns; a UTF-8 byte order mark is dropped.
 */
export interface CsvTable {
  columns: string[];
  rows: Array<Record<string, string>>;
}

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

export function parseCsvTable(text: string): CsvTable {
  const records = parseRecords(text.startsWith('\ufeff') ? text.slice(1) : text);
  const columns = records.shift() ?? [];
  const rows = records
    .filter((record) => !(record.length === 1 && record[0] === ''))
    .map((record, index) => {
      if (record.length !== columns.length) {
        throw new CsvFormatError(
          `record ${index + 2} has ${record.length} fields, the header ${columns.length}`,
        );
      }
      const row: Record<string, string> = {};
      columns.forEach((column, i) => {
        row[column] = record[i] as string;
      });
      return row;
    });
  return { columns, rows };
}

/** The characters that end a run of plain text outside quotes. */
const SPECIAL = /[",\r\n]/g;

/**
 * Fields are taken as slices between the special characters, not built a character at a time: a
 * whole-fleet export is tens of megabytes, and a string grown by one character per step costs
 * seconds and hundreds of megabytes there.
 */
function parseRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    if (quoted) {
      const quote = text.indexOf('"', i);
      if (quote === -1) {
        field += text.slice(i);
        i = n;
        break;
      }
      field += text.slice(i, quote);
      if (text[quote + 1] === '"') {
        field += '"';
        i = quote + 2;
        continue;
      }
      quoted = false;
      i = quote + 1;
      continue;
    }
    SPECIAL.lastIndex = i;
    const next = SPECIAL.exec(text);
    const end = next === null ? n : next.index;
    if (end > i) {
      field += text.slice(i, end);
      i = end;
      if (i >= n) break;
    }
    const c = text[i] as string;
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      if (c === '\r') i += 1;
    } else {
      field += c;
    }
    i += 1;
  }
  if (quoted) throw new CsvFormatError('a quoted field is not closed');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
