/**
 * The triage CSV for Excel: --bom starts the file with the UTF-8 byte order mark (Excel on Japanese
 * Windows otherwise reads it as Shift_JIS), --no-bom leaves it out; off by default on Linux (on by
 * default on Windows, where process.platform decides it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const temp = useTempDir();

describe('fleet triage --format csv and the byte order mark', () => {
  let lab: LabTenant;
  beforeAll(async () => {
    lab = await startLabTenant({ devices: 12, seed: 17 });
  });
  afterAll(async () => {
    await lab?.close();
  });
  const triage = async (...extra: string[]) => {
    const out = path.join(temp.dir(), 'triage.csv');
    const r = await runCli(
      [
        'fleet',
        'triage',
        '--graph-url',
        lab.url,
        '--tenant-id',
        lab.tenantId,
        '--client-id',
        lab.clientId,
        '--format',
        'csv',
        '--out',
        out,
        '--no-store',
        '--quiet',
        ...extra,
      ],
      { env: { AZURE_CLIENT_SECRET: lab.clientSecret }, timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(out);
  };

  it('--bom: EF BB BF, then the header; --no-bom and the Linux default: the header first', async () => {
    const withBom = await triage('--bom');
    expect([...withBom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(withBom.subarray(3, 11).toString('utf8')).toBe('deviceId');
    expect(withBom.indexOf(Buffer.from([0xef, 0xbb, 0xbf]), 3)).toBe(-1);
    const without = await triage('--no-bom');
    expect(without.subarray(0, 8).toString('utf8')).toBe('deviceId');
    expect(withBom.subarray(3).equals(without)).toBe(true);
    const byDefault = await triage();
    expect(byDefault.subarray(0, 8).toString('utf8')).toBe('deviceId');
  });

  it('--bom with another format, or with --no-bom, is a wrong command line', async () => {
    const r = await runCli(['fleet', 'triage', '--bom', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bom is for --format csv');
    const both = await runCli(['fleet', 'triage', '--bom', '--no-bom', '--format', 'csv']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--bom and --no-bom contradict each other');
  });
});
