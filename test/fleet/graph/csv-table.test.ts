/**
 * The report exports' CSV reader (src/fleet/graph/csv-table.ts): only the columns a caller reads
 * are kept, rows it ignores are dropped as they are read, and a CSV over the caps (rows, header
 * columns, field length, bytes kept) is refused whole, so a small zip that inflates to a large
 * CSV cannot exhaust memory.
 */
import { describe, expect, it } from 'vitest';
import {
  CsvFormatError,
  CsvLimitError,
  type CsvReadOptions,
  csvReader,
  parseCsvTable,
  readCsvTable,
} from '../../../src/fleet/graph/csv-table.js';

const INVENTORY_HEADER =
  'Device ID,Manufacturer,Model,SystemManagementBIOSVersion,TPMManufacturerId,TPMManufacturerVersion';

describe('the columns kept', () => {
  it('keeps only the columns asked for (a name the header lacks is ignored), the others skipped', () => {
    const table = parseCsvTable(
      `${INVENTORY_HEADER}\r\nd1,Contoso,"Model ""X"", 2",B1,IFX,7.2\r\nd2,,M,B2,NTC,1.3\r\n`,
      {
        keep: ['Device ID', 'DeviceId', 'Model'],
      },
    );
    expect(table.columns).toEqual(INVENTORY_HEADER.split(','));
    expect([...table.rows]).toEqual([
      { 'Device ID': 'd1', Model: 'Model "X", 2' },
      { 'Device ID': 'd2', Model: 'M' },
    ]);
  });

  it('keeps only the rows whose value is one of those asked for, trimmed; a missing column is refused', () => {
    const csv = 'DeviceId,SettingName,ErrorCode\nd1,A.TpmRequired ,1\nd1,A.Other,2\nd2,A.TpmRequired,3\n';
    const table = parseCsvTable(csv, {
      keep: ['DeviceId', 'ErrorCode'],
      where: { column: 'SettingName', oneOf: new Set(['A.TpmRequired']) },
    });
    expect([...table.rows].map((r) => [r.DeviceId, r.ErrorCode])).toEqual([
      ['d1', '1'],
      ['d2', '3'],
    ]);
    expect(() => parseCsvTable(csv, { where: { column: 'Setting', oneOf: new Set(['x']) } })).toThrow(
      'the header has no column Setting',
    );
  });

  it('reads UTF-8 across fields, a lone CR as text, text after a closing quote, blank lines, a comma at the end', () => {
    const table = parseCsvTable('\ufeffa,b\n"x"y,レポート\rz\n\r\n\n"",\n1,', {});
    expect([...table.rows]).toEqual([
      { a: 'xy', b: 'レポート\rz' },
      { a: '', b: '' },
      { a: '1', b: '' },
    ]);
  });

  it('a column named __proto__ does not reach the prototype', () => {
    const rows = [...parseCsvTable('__proto__,b\n{"polluted":1},2\n').rows];
    expect(rows[0]?.b).toBe('2');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a record with more or fewer fields than the header, or an open quote, is refused', () => {
    expect(() => parseCsvTable('a,b\n1,2,3\n')).toThrow(
      new CsvFormatError('record 2 has 3 fields, the header 2'),
    );
    expect(() => parseCsvTable('a,b\n1,2\n\n3\n')).toThrow('record 3 has 1 fields, the header 2');
    expect(() => parseCsvTable('a,b\n1,"2\n')).toThrow(/not closed/);
  });
});

describe('the caps', () => {
  it("the review's zip bomb: 2.8 M rows of six one-letter fields are refused, not parsed into the heap", () => {
    const row = 'a,b,c,d,e,f\r\n';
    const data = Buffer.from(`${INVENTORY_HEADER}\r\n${row.repeat(2_800_000)}`);
    expect(() => readCsvTable(data, { keep: ['Device ID', 'Model'] })).toThrow(
      new CsvLimitError('more than 1000000 rows'),
    );
  });

  it('rows kept, header columns, field length and bytes kept each have a cap', () => {
    const csv = 'a,b\n1,22\n333,4\n';
    expect([
      ...parseCsvTable(csv, { maxRows: 2, maxColumns: 2, maxFieldBytes: 3, maxKeptBytes: 7 }).rows,
    ]).toHaveLength(2);
    expect(() => parseCsvTable(csv, { maxRows: 1 })).toThrow(new CsvLimitError('more than 1 rows'));
    expect(() => parseCsvTable(csv, { maxColumns: 1 })).toThrow(
      new CsvLimitError('the header has more than 1 columns'),
    );
    expect(() => parseCsvTable(csv, { maxFieldBytes: 2 })).toThrow(
      new CsvLimitError('record 3 has a field of more than 2 bytes'),
    );
    expect(() => parseCsvTable(csv, { maxKeptBytes: 6 })).toThrow(
      new CsvLimitError('the kept columns hold more than 6 bytes'),
    );
    // Skipped columns and dropped rows count for no kept bytes nor rows.
    expect([...parseCsvTable(csv, { keep: ['a'], maxKeptBytes: 4 }).rows]).toEqual([
      { a: '1' },
      { a: '333' },
    ]);
    expect([
      ...parseCsvTable(csv, { maxRows: 1, where: { column: 'a', oneOf: new Set(['1']) } }).rows,
    ]).toEqual([{ a: '1', b: '22' }]);
  });

  it('a field is measured in UTF-8 bytes, after its doubled quotes are undone', () => {
    expect([...parseCsvTable('a\n"""é"""\n', { maxFieldBytes: 4 }).rows]).toEqual([{ a: '"é"' }]);
    expect(() => parseCsvTable('a\n"""éé"""\n', { maxFieldBytes: 4 })).toThrow(CsvLimitError);
  });
});

describe('read piece by piece, as the inflater hands it on', () => {
  const read = (pieces: Buffer[], options: CsvReadOptions = {}) => {
    const reader = csvReader(options);
    for (const piece of pieces) reader.push(piece);
    const table = reader.end();
    return { columns: table.columns, rows: [...table.rows] };
  };

  it('gives the same table wherever the pieces are cut, even one byte at a time', () => {
    const csv = Buffer.from(
      '\ufeffDeviceId,Out,Note\r\nd1,"a,b ""quoted""\r\nsecond line",x\nd2,,"レポート"\r\n\r\n"d3""",z\ry,\n"",1,2',
    );
    const whole = read([csv]);
    expect(whole.rows).toEqual([
      { DeviceId: 'd1', Out: 'a,b "quoted"\r\nsecond line', Note: 'x' },
      { DeviceId: 'd2', Out: '', Note: 'レポート' },
      { DeviceId: 'd3"', Out: 'z\ry', Note: '' },
      { DeviceId: '', Out: '1', Note: '2' },
    ]);
    for (let cut = 0; cut <= csv.length; cut++) {
      expect(read([csv.subarray(0, cut), csv.subarray(cut)]), `cut at ${cut}`).toEqual(whole);
    }
    expect(read([...csv].map((byte) => Buffer.from([byte])))).toEqual(whole);
    expect(
      read(
        [...csv].map((byte) => Buffer.from([byte])),
        { keep: ['Out'], maxKeptBytes: 36 },
      ),
    ).toEqual({
      columns: whole.columns,
      rows: whole.rows.map((r) => ({ Out: r.Out })),
    });
  });

  it('a record carried over pieces is bounded: one that never ends is refused, not held', () => {
    const reader = csvReader({ maxFieldBytes: 10, maxColumns: 2 });
    reader.push(Buffer.from('a,b\n"'));
    expect(() => {
      for (let i = 0; i < 10; i++) reader.push(Buffer.from('xxxxxxxxxx\n'));
    }).toThrow(new CsvLimitError('record 2 is longer than 26 bytes'));
  });
});
