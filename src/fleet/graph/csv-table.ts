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

function parseRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
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
