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

/** Reads a CSV's bytes (UTF-8) held whole into the kept columns. */
export function readCsvTable(data: Buffer, options: CsvReadOptions = {}): CsvTable {
  const reader = csvReader(options);
  reader.push(data);
  return reader.end();
}

/** A CSV read as its bytes arrive (from the inflater: zip-reader.ts), piece by piece. */
export interface CsvReader {
  push(chunk: Buffer): void;
  /** The table, once every piece was pushed. */
  end(): CsvTable;
}

export function csvReader(options: CsvReadOptions = {}): CsvReader {
  const maxRows = options.maxRows ?? 1_000_000;
  const maxColumns = options.maxColumns ?? 256;
  const maxFieldBytes = options.maxFieldBytes ?? 32 * 1024;
  const maxKeptBytes = options.maxKeptBytes ?? 128 * 1024 * 1024;
  /** The longest record carried from one piece to the next (a record is never longer). */
  const maxRecordBytes = maxFieldBytes * maxColumns + maxColumns * 3;

  let data: Buffer = Buffer.alloc(0);
  let carry: Buffer = Buffer.alloc(0);
  let atStart = true;
  let header: string[] | null = null;
  /** Field index → its slot among the kept columns, or -1. */
  let slotOf: number[] = [];
  const kept: string[] = [];
  let values: string[][] = [];
  let interned: Array<Map<string, string> | null> = [];
  let whereSlot = -1;
  let keptBytes = 0;
  let recordBytes = 0;
  let rows = 0;
  let record = 1;
  let current: string[] = [];
  let headerFields: string[] = [];
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
        recordBytes += length;
        if (keptBytes + recordBytes > maxKeptBytes) {
          throw new CsvLimitError(`the kept columns hold more than ${maxKeptBytes} bytes`);
        }
        current[slot] = take(parts, length);
      }
    }
    field += 1;
  };

  const endHeader = (fields: string[]): void => {
    const columns = fields;
    if (columns[0]?.startsWith('\ufeff')) columns[0] = columns[0].slice(1);
    header = columns;
    const wanted = options.keep === undefined ? null : new Set(options.keep);
    slotOf = columns.map(() => -1);
    columns.forEach((name, index) => {
      if ((wanted === null || wanted.has(name)) && !kept.includes(name)) {
        slotOf[index] = kept.length;
        kept.push(name);
      }
    });
    if (options.where !== undefined) {
      whereSlot = kept.indexOf(options.where.column);
      if (whereSlot === -1) {
        const index = columns.indexOf(options.where.column);
        if (index === -1) throw new CsvFormatError(`the header has no column ${options.where.column}`);
        slotOf[index] = kept.length;
        kept.push(options.where.column);
        whereSlot = slotOf[index]!;
      }
    }
    values = kept.map(() => []);
    interned = kept.map(() => new Map());
    current = kept.map(() => '');
  };

  const endRecord = (): void => {
    if (header === null) endHeader(headerFields);
    else {
      if (field !== header.length) {
        throw new CsvFormatError(`record ${record} has ${field} fields, the header ${header.length}`);
      }
      const where = options.where;
      if (where === undefined || where.oneOf.has((current[whereSlot] ?? '').trim())) {
        rows += 1;
        if (rows > maxRows) throw new CsvLimitError(`more than ${maxRows} rows`);
        keptBytes += recordBytes;
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
  };

  /**
   * Reads the records of `data` from its start; returns where the first record it could not end
   * begins (the input's length when it ended them all). Not `final`, `data` ends with a line feed,
   * so a record is cut only inside quotes, and carried to the next piece whole.
   */
  const parse = (final: boolean): number => {
    const n = data.length;
    let i = atStart && n >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
    atStart = false;
    while (i < n) {
      // A blank line is no record.
      if (data[i] === LF || (data[i] === CR && data[i + 1] === LF)) {
        i += data[i] === CR ? 2 : 1;
        continue;
      }
      const recordStart = i;
      field = 0;
      recordBytes = 0;
      if (header === null) headerFields = [];
      for (;;) {
        const parts: Array<[number, number]> = [];
        let length = 0;
        if (data[i] === QUOTE) {
          let from = i + 1;
          for (;;) {
            const quote = data.indexOf(QUOTE, from);
            if (quote === -1) {
              if (!final) return recordStart;
              throw new CsvFormatError('a quoted field is not closed');
            }
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
        if (i >= n && !final) return recordStart;
        endField(parts, length);
        if (i >= n) {
          endRecord();
          return n;
        }
        if (data[i] === COMMA) {
          i += 1;
          if (i < n) continue;
          if (!final) return recordStart;
          // A comma at the very end: one more, empty field ends the record.
          endField([[i, i]], 0);
          endRecord();
          return n;
        }
        i += data[i] === CR ? 2 : 1;
        endRecord();
        break;
      }
    }
    return n;
  };

  return {
    push(chunk: Buffer): void {
      const joined = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const lastLineFeed = joined.lastIndexOf(LF);
      let consumed = 0;
      if (lastLineFeed !== -1) {
        data = joined.subarray(0, lastLineFeed + 1);
        consumed = parse(false);
      }
      // Copied: the rest of the piece is not kept alive by it.
      carry = Buffer.from(joined.subarray(consumed));
      data = Buffer.alloc(0);
      if (carry.length > maxRecordBytes) {
        throw new CsvLimitError(`record ${record} is longer than ${maxRecordBytes} bytes`);
      }
    },
    end(): CsvTable {
      data = carry;
      carry = Buffer.alloc(0);
      parse(true);
      data = Buffer.alloc(0);
      return table(header ?? [], kept, values, rows);
    },
  };
}

function table(columns: string[], names: string[], values: string[][], count: number): CsvTable {
  return {
    columns,
    rows: {
      *[Symbol.iterator]() {
        for (let r = 0; r < count; r++) {
          const row: Record<string, string> = {};
          names.forEach((name, slot) => {
            row[name] = values[slot]![r]!;
          });
          yield row;
        }
      },
    },
  };
}
