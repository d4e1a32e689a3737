/**
 * A CSV file as a table (RFC 4180: fields separated by commas, records by CRLF or LF, a field in
 * double quotes may hold commas, line breaks and doubled quotes), as Intune's report exports
 * write them. The first record names the columns; a UTF-8 byte order mark is dropped.
 *
 * Only the columns a caller reads are kept, as one array of strings per column: a whole-fleet
 * export is tens of megabytes, and one object and one string per field of every row costs
 * gigabytes (a 32 MB export of six short columns grew the heap by 814 MB). The other columns are
 * skipped without being decoded, and rows, columns, field length and the bytes kept are capped,
 * so a hostile or damaged export is refused before it exhausts memory.
 */
export interface CsvTable {
  /** Every column the header names, in order (kept or not). */
  columns: string[];
  /** The rows kept, each with the kept columns only (made as they are iterated). */
  rows: Iterable<Record<string, string>>;
}

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
}

/** A CSV over one of the caps: refused as a whole, never read in part. */
export class CsvLimitError extends Error {
  override readonly name = 'CsvLimitError';
}

export interface CsvReadOptions {
  /** The columns kept, by their header names (a name the header lacks is ignored); all when absent. */
  keep?: readonly string[];
  /** Keep only the rows whose value in `column`, trimmed, is one of `oneOf`. */
  where?: { column: string; oneOf: ReadonlySet<string> };
  /** The most rows kept (default 1,000,000). */
  maxRows?: number;
  /** The most fields of the header (default 256). */
  maxColumns?: number;
  /** The longest field, in UTF-8 bytes (default 32 KiB). */
  maxFieldBytes?: number;
  /** The most bytes kept over all kept fields (default 128 MiB). */
  maxKeptBytes?: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
/** Distinct values a column interns before it is taken for a column of unique values (device ids). */
const MAX_INTERNED = 4096;

/** Reads a CSV held as text (tests, small files): the same reader as for bytes. */
export function parseCsvTable(text: string, options: CsvReadOptions = {}): CsvTable {
  return readCsvTable(Buffer.from(text, 'utf8'), options);
}

/** Reads a CSV's bytes (UTF-8) into the kept columns. */
export function readCsvTable(data: Buffer, options: CsvReadOptions = {}): CsvTable {
  const maxRows = options.maxRows ?? 1_000_000;
  const maxColumns = options.maxColumns ?? 256;
  const maxFieldBytes = options.maxFieldBytes ?? 32 * 1024;
  const maxKeptBytes = options.maxKeptBytes ?? 128 * 1024 * 1024;
  const n = data.length;
  let i = n >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;

  let header: string[] | null = null;
  /** Field index → its slot among the kept columns, or -1. */
  let slotOf: number[] = [];
  const kept: string[] = [];
  let values: string[][] = [];
  let interned: Array<Map<string, string> | null> = [];
  let whereSlot = -1;
  let keptBytes = 0;
  let rows = 0;
  let record = 1;
  let current: string[] = [];
  const headerFields: string[] = [];
  let field = 0;

  /** The field's bytes: one range, or several when doubled quotes or text after quotes split it. */
  const take = (parts: Array<[number, number]>, length: number): string =>
    parts.length === 1
      ? data.toString('utf8', parts[0]![0], parts[0]![1])
      : Buffer.concat(
          parts.map(([s, e]) => data.subarray(s, e)),
          length,
        ).toString('utf8');

  const endField = (parts: Array<[number, number]>, length: number): void => {
    if (length > maxFieldBytes) {
      throw new CsvLimitError(`record ${record} has a field of more than ${maxFieldBytes} bytes`);
    }
    if (header === null) {
      if (field >= maxColumns) throw new CsvLimitError(`the header has more than ${maxColumns} columns`);
      headerFields.push(take(parts, length));
    } else if (field < header.length) {
      const slot = slotOf[field]!;
      if (slot >= 0) {
        keptBytes += length;
        if (keptBytes > maxKeptBytes) {
          throw new CsvLimitError(`the kept columns hold more than ${maxKeptBytes} bytes`);
        }
        current[slot] = take(parts, length);
      }
    }
    field += 1;
  };

  const endRecord = (): void => {
    if (header === null) {
      header = headerFields;
      if (header[0]?.startsWith('\ufeff')) header[0] = header[0].slice(1);
      const wanted = options.keep === undefined ? null : new Set(options.keep);
      slotOf = header.map(() => -1);
      header.forEach((name, index) => {
        if ((wanted === null || wanted.has(name)) && !kept.includes(name)) {
          slotOf[index] = kept.length;
          kept.push(name);
        }
      });
      if (options.where !== undefined) {
        whereSlot = kept.indexOf(options.where.column);
        if (whereSlot === -1) {
          const index = header.indexOf(options.where.column);
          if (index === -1) throw new CsvFormatError(`the header has no column ${options.where.column}`);
          slotOf[index] = kept.length;
          kept.push(options.where.column);
          whereSlot = slotOf[index]!;
        }
      }
      values = kept.map(() => []);
      interned = kept.map(() => new Map());
      current = kept.map(() => '');
    } else {
      if (field !== header.length) {
        throw new CsvFormatError(`record ${record} has ${field} fields, the header ${header.length}`);
      }
      const where = options.where;
      if (where === undefined || where.oneOf.has((current[whereSlot] ?? '').trim())) {
        rows += 1;
        if (rows > maxRows) throw new CsvLimitError(`more than ${maxRows} rows`);
        current.forEach((value, slot) => {
          const map = interned[slot];
          let stored = value;
          if (map) {
            const known = map.get(value);
            if (known !== undefined) stored = known;
            else if (map.size < MAX_INTERNED) map.set(value, value);
            // A column of unique values (device ids) gains nothing from interning.
            else interned[slot] = null;
          }
          values[slot]!.push(stored);
        });
      }
    }
    record += 1;
    field = 0;
  };

  while (i < n) {
    // A blank line is no record.
    if (field === 0 && (data[i] === LF || (data[i] === CR && data[i + 1] === LF))) {
      i += data[i] === CR ? 2 : 1;
      continue;
    }
    const parts: Array<[number, number]> = [];
    let length = 0;
    if (data[i] === QUOTE) {
      let from = i + 1;
      for (;;) {
        const quote = data.indexOf(QUOTE, from);
        if (quote === -1) throw new CsvFormatError('a quoted field is not closed');
        if (data[quote + 1] === QUOTE) {
          // A doubled quote: the text up to and including one quote.
          parts.push([from, quote + 1]);
          length += quote + 1 - from;
          from = quote + 2;
          continue;
        }
        parts.push([from, quote]);
        length += quote - from;
        i = quote + 1;
        break;
      }
    }
    // Plain text (or text after a closing quote, kept as written) up to the field's end.
    const start = i;
    while (i < n) {
      const c = data[i];
      if (c === COMMA || c === LF || (c === CR && data[i + 1] === LF)) break;
      i += 1;
    }
    if (i > start || parts.length === 0) {
      parts.push([start, i]);
      length += i - start;
    }
    endField(parts, length);
    if (i >= n) {
      endRecord();
      break;
    }
    const c = data[i];
    if (c === COMMA) {
      i += 1;
      // A comma at the very end: one more, empty field ends the record.
      if (i >= n) {
        endField([[i, i]], 0);
        endRecord();
      }
    } else {
      i += c === CR ? 2 : 1;
      endRecord();
    }
  }
  const columns: string[] = header ?? [];
  const count = rows;
  const names = kept;
  const columnValues = values;
  return {
    columns,
    rows: {
      *[Symbol.iterator]() {
        for (let r = 0; r < count; r++) {
          const row: Record<string, string> = {};
          names.forEach((name, slot) => {
            row[name] = columnValues[slot]![r]!;
          });
          yield row;
        }
      },
    },
  };
}
