/**
 * Report exports (docs/graph-calls.md calls 16-18) against Microsoft's own examples: the client
 * reads the job as the reference pages and the Intune reporting page show it, and the lab answers
 * with the same shape; then a whole export through the real client against the lab (create,
 * poll, download the zip without the token, read the CSV), the lab's refusals, and the zip and
 * CSV readers on their own.
 */
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvFormatError, parseCsvTable } from '../../src/fleet/graph/csv-table.js';
import type { GraphError } from '../../src/fleet/graph/graph-error.js';
import { IntuneClient } from '../../src/fleet/graph/intune-client.js';
import { parseExportJob } from '../../src/fleet/graph/report-export.js';
import { inflateZipEntry, ZipFormatError, zipEntries } from '../../src/fleet/graph/zip-reader.js';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { RUN_STATES_REPORT } from '../../src/lab/tenant/report-exports.js';
import { SEEDED_EVIDENCE_SCRIPT_NAME } from '../../src/lab/tenant/script-catalog.js';
import { zipOneFile } from '../../src/lab/tenant/zip-writer.js';
import { labGraphClient } from '../support/lab-graph.js';
import { contract, jsonType } from './graph/contract-fixtures.js';

const create = contract('report-export-job-create') as {
  request: Record<string, unknown>;
  response: unknown;
};
const get = contract('report-export-job-get');
const intunePage = contract('intune-export-devices-report') as {
  request: Record<string, unknown>;
  created: Record<string, unknown>;
  completed: Record<string, unknown>;
};

describe('the client reads the documented export jobs', () => {
  it('the reference pages: create (201) and get (wrapped in "value")', () => {
    expect(parseExportJob(create.response)).toEqual({
      id: '9ddfb995-b995-9ddf-95b9-df9d95b9df9d',
      reportName: 'Report Name value',
      status: 'notStarted',
      url: 'Url value',
    });
    expect(parseExportJob(get)).toEqual(parseExportJob(create.response));
  });

  it("the Intune page's job: created with no url, then completed with the zip's url", () => {
    expect(parseExportJob(intunePage.created)).toMatchObject({ status: 'notStarted', url: null });
    const completed = parseExportJob(intunePage.completed);
    expect(completed.status).toBe('completed');
    expect(new URL(completed.url!).pathname).toMatch(/\.zip$/);
  });
});

let lab: LabTenant;
let scriptId: string;
beforeAll(async () => {
  lab = await startLabTenant({ devices: 400, seed: 4, omitRetryAfterRate: 0 });
  scriptId = lab.views.scripts().find((s) => s.displayName === SEEDED_EVIDENCE_SCRIPT_NAME)!.id;
});
afterAll(async () => {
  await lab?.close();
});

describe('the lab answers exports in the documented shape', () => {
  it("a created job has every property of the Intune page's, of the same JSON type, notStarted", async () => {
    const graph = labGraphClient(lab);
    const job = (await graph.post('v1.0', '/deviceManagement/reports/exportJobs', {
      body: {
        reportName: RUN_STATES_REPORT,
        filter: `PolicyId eq '${scriptId}'`,
        select: ['DeviceId', 'PreRemediationDetectionScriptOutput'],
        format: 'csv',
      },
    })) as Record<string, unknown>;
    for (const [name, value] of Object.entries(intunePage.created)) {
      if (name === '@odata.context') continue;
      expect(job, name).toHaveProperty(name);
      expect(jsonType(job[name]), name).toBe(jsonType(value));
    }
    expect(job.status).toBe('notStarted');
    const polled = (await graph.get(
      'v1.0',
      `/deviceManagement/reports/exportJobs/${job.id as string}`,
    )) as Record<string, unknown>;
    for (const [name, value] of Object.entries(intunePage.completed)) {
      if (name === '@odata.context') continue;
      expect(jsonType(polled[name]), name).toBe(jsonType(value));
    }
    expect(polled.status).toBe('completed');
    // The Intune page polls with the key in parentheses: the lab answers that form too.
    expect(await graph.get('v1.0', `/deviceManagement/reports/exportJobs('${job.id as string}')`)).toEqual(
      polled,
    );
  });

  it('refuses a report it does not serve, a missing PolicyId filter, an unknown column; 403 when exports are refused', async () => {
    const graph = labGraphClient(lab, { maxRetries: 0 });
    const post = (body: unknown) =>
      graph.post('v1.0', '/deviceManagement/reports/exportJobs', { body }).then(
        () => undefined,
        (e: unknown) => e as GraphError,
      );
    expect((await post({ reportName: 'Devices', select: ['DeviceId'] }))?.status).toBe(400);
    expect((await post({ reportName: RUN_STATES_REPORT, select: ['DeviceId'] }))?.status).toBe(400);
    const badColumn = await post({
      reportName: RUN_STATES_REPORT,
      filter: `PolicyId eq '${scriptId}'`,
      select: ['DeviceId', 'RemediationScriptOutput'],
    });
    expect(badColumn?.status).toBe(400);
    expect(badColumn?.message).toContain('RemediationScriptOutput');
    lab.exports.refused = true;
    try {
      expect(
        (
          await post({
            reportName: RUN_STATES_REPORT,
            filter: `PolicyId eq '${scriptId}'`,
            select: ['DeviceId'],
          })
        )?.status,
      ).toBe(403);
    } finally {
      lab.exports.refused = false;
    }
  });
});

describe('a whole export through the client', () => {
  it('rows for every device that ran the package, its outputs as the run states hold them; the zip fetched without the token', async () => {
    const sent: Array<{ url: string; authorization: string | null }> = [];
    const graph = labGraphClient(lab, {
      fetch: (input, init) => {
        sent.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
        return fetch(input, init);
      },
    });
    const intune = new IntuneClient(graph);
    const downloadsBefore = lab.exports.counts.downloaded;
    const table = await intune.exportReport({
      reportName: RUN_STATES_REPORT,
      filter: `PolicyId eq '${scriptId}'`,
      select: [
        'DeviceId',
        'ModifiedTime',
        'PreRemediationDetectionScriptOutput',
        'PostRemediationDetectionScriptOutput',
      ],
    });
    expect(table.columns).toEqual([
      'DeviceId',
      'ModifiedTime',
      'PreRemediationDetectionScriptOutput',
      'PostRemediationDetectionScriptOutput',
    ]);
    const expected = Array.from({ length: lab.devices.fleet.size }, (_, i) => lab.views.runState(scriptId, i))
      .filter((run) => run !== null)
      .map((run) => ({ id: run.managedDevice!.id, output: run.preRemediationDetectionScriptOutput }));
    expect(expected.length).toBeGreaterThan(0);
    expect(
      [...table.rows].map((row) => ({ id: row.DeviceId, output: row.PreRemediationDetectionScriptOutput })),
    ).toEqual(expected);
    expect(lab.exports.counts.downloaded).toBe(downloadsBefore + 1);
    const download = sent.find((s) => s.url.includes('/lab/exports/'));
    expect(download).toBeDefined();
    expect(download?.authorization).toBeNull();
    // Graph's own requests carried it.
    expect(
      sent.filter((s) => s.url.includes('/v1.0/')).every((s) => s.authorization?.startsWith('Bearer ')),
    ).toBe(true);
  });
});

/** Every file of the archive, each inflated piece by piece as the export reads its CSV. */
async function readZipEntries(zip: Buffer, maxBytes: number): Promise<Array<{ name: string; data: Buffer }>> {
  const files: Array<{ name: string; data: Buffer }> = [];
  for (const entry of zipEntries(zip, maxBytes)) {
    const chunks: Buffer[] = [];
    await inflateZipEntry(zip, entry, (chunk) => void chunks.push(Buffer.from(chunk)));
    files.push({ name: entry.name, data: Buffer.concat(chunks) });
  }
  return files;
}

describe('zip and CSV', () => {
  it('a zip round-trips; a damaged one or one over the size limit is refused', async () => {
    const csv = Buffer.from('DeviceId,Out\r\nd1,"a,b ""quoted""\r\nsecond line"\r\n', 'utf8');
    const zip = zipOneFile('report.csv', csv, new Date('2026-01-02T03:04:06Z'));
    expect(await readZipEntries(zip, 1_000)).toEqual([{ name: 'report.csv', data: csv }]);
    await expect(readZipEntries(zip, 10)).rejects.toThrow(ZipFormatError);
    const damaged = Buffer.from(zip);
    damaged[14] = (damaged[14] ?? 0) ^ 0xff; // the local header's CRC is not read; the central one is
    const central = damaged.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    damaged[central + 16] = (damaged[central + 16] ?? 0) ^ 0xff;
    await expect(readZipEntries(damaged, 1_000)).rejects.toThrow(/CRC-32/);
    await expect(readZipEntries(Buffer.from('not a zip'), 1_000)).rejects.toThrow(/not a zip archive/);
  });

  it('reads what another zip implementation wrote: stored and deflated entries, a folder entry, a UTF-8 name', async () => {
    const report = Buffer.from('DeviceId,Out\r\nd1,ok\r\n', 'utf8');
    const other = Buffer.from(
      zipSync({
        'Reports/': [new Uint8Array(0), { level: 0 }],
        'Reports/DeviceRunStatesByProactiveRemediation_レポート.csv': [new Uint8Array(report), { level: 9 }],
        'stored.txt': [new Uint8Array(Buffer.from('plain')), { level: 0 }],
      }),
    );
    expect(await readZipEntries(other, 10_000)).toEqual([
      { name: 'Reports/DeviceRunStatesByProactiveRemediation_レポート.csv', data: report },
      { name: 'stored.txt', data: Buffer.from('plain') },
    ]);
  });

  it('CSV: quoted commas, quotes and line breaks, CRLF or LF, a byte order mark', () => {
    const table = parseCsvTable('\ufeffDeviceId,Out\r\nd1,"a,b ""quoted""\r\nsecond line"\nd2,\r\n');
    expect({ columns: table.columns, rows: [...table.rows] }).toEqual({
      columns: ['DeviceId', 'Out'],
      rows: [
        { DeviceId: 'd1', Out: 'a,b "quoted"\r\nsecond line' },
        { DeviceId: 'd2', Out: '' },
      ],
    });
    expect(() => parseCsvTable('a,b\r\n1\r\n')).toThrow(CsvFormatError);
    expect(() => parseCsvTable('a\r\n"open')).toThrow(/not closed/);
  });
});
