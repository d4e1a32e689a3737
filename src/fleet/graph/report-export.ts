import { CsvLimitError, type CsvReadOptions, type CsvTable, csvReader } from './csv-table.js';
import type { GraphClient } from './graph-client.js';
import { expectObject, isJsonObject, ResponseShapeError } from './response-shape.js';
import { inflateZipEntry, zipEntries } from './zip-reader.js';

/**
 * Intune's report export (docs/graph-calls.md, calls 16-18): a whole-tenant table in a handful of
 * requests instead of one per device. As "Export Intune reports using Graph APIs" describes it
 * (https://learn.microsoft.com/intune/device-management/reports/export-graph-apis) with the v1.0
 * deviceManagementExportJob
 * (https://learn.microsoft.com/graph/api/intune-reporting-devicemanagementexportjob-create?view=graph-rest-1.0):
 * POST deviceManagement/reports/exportJobs with the report's name, filter and the columns wanted
 * (chosen explicitly: "Do not build automation around default columns"), GET the job until its
 * status is `completed`, then download its `url`, a zip holding the report as CSV. The url is a
 * storage URL signed on its own: the access token is never sent to it (GraphClient.download).
 */
export interface ReportExportRequest {
  reportName: string;
  filter?: string;
  select: readonly string[];
  /**
   * The columns read from the CSV, by the names they are received under (default: `select`): the
   * others are skipped (csv-table.ts).
   */
  read?: readonly string[];
  /** Keep only the rows whose value in `column` is one of `oneOf` (a report with rows the caller ignores). */
  where?: CsvReadOptions['where'];
}

/** deviceManagementExportJob (v1.0), the fields we read. */
export interface DeviceManagementExportJob {
  id: string;
  reportName: string;
  status: string;
  url: string | null;
}

export interface ReportExportOptions {
  /** Between polls of the job (default 2 s; Intune's jobs take seconds to minutes). */
  pollIntervalMs?: number;
  /** Give up waiting for the job after this long (default 10 minutes). */
  maxWaitMs?: number;
  /** The largest zip, and the largest CSV inside it, accepted (default 256 MB each). */
  maxBytes?: number;
  /** The caps on what is kept of the CSV (rows, columns, field length, bytes kept: csv-table.ts). */
  limits?: Pick<CsvReadOptions, 'maxRows' | 'maxColumns' | 'maxFieldBytes' | 'maxKeptBytes'>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
}

const EXPORT_JOBS = '/deviceManagement/reports/exportJobs';
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** An export that did not produce a table: the job failed, or did not finish in time. */
class ReportExportError extends Error {
  override readonly name = 'ReportExportError';
}

/**
 * An export larger than tpm-doctor reads (more rows, longer fields... than csv-table.ts keeps):
 * refused whole, for the caller to read the same facts per call.
 */
export class ReportTooLargeError extends Error {
  override readonly name = 'ReportTooLargeError';
}

/**
 * The job as Graph returns it. The reference page's GET example wraps the entity in "value"
 * (a documentation artefact; the Intune page's poll example and real Graph return the entity):
 * both are read.
 */
export function parseExportJob(body: unknown): DeviceManagementExportJob {
  const outer = expectObject(body, 'a deviceManagementExportJob');
  const job = outer.id === undefined && isJsonObject(outer.value) ? outer.value : outer;
  const text = (name: string): string => {
    const value = job[name];
    if (typeof value !== 'string' || value === '')
      throw new ResponseShapeError(`deviceManagementExportJob.${name} (a string)`, value);
    return value;
  };
  const url = job.url;
  if (url !== null && url !== undefined && typeof url !== 'string')
    throw new ResponseShapeError('deviceManagementExportJob.url (a string or null)', url);
  return { id: text('id'), reportName: text('reportName'), status: text('status'), url: url ?? null };
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Creates the export job, waits for it, downloads and reads its CSV. Graph's errors (403...) propagate. */
export async function exportReport(
  graph: GraphClient,
  request: ReportExportRequest,
  options: ReportExportOptions = {},
): Promise<CsvTable> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const created = await graph.post('v1.0', EXPORT_JOBS, {
    body: {
      reportName: request.reportName,
      ...(request.filter === undefined ? {} : { filter: request.filter }),
      select: [...request.select],
      format: 'csv',
      localizationType: 'replaceLocalizableValues',
    },
    parse: parseExportJob,
    // A job that may have been created twice is only a second copy of the report: resent after a
    // connection reset like a read, rather than losing the export.
    resendable: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (created === undefined) throw new ReportExportError('Graph answered the export request without a job');
  const giveUpAt = now() + (options.maxWaitMs ?? 10 * 60_000);
  let job = created;
  for (;;) {
    if (job.status === 'completed') break;
    if (job.status === 'failed') {
      throw new ReportExportError(`the ${request.reportName} export job ${job.id} failed`);
    }
    if (now() >= giveUpAt) {
      throw new ReportExportError(
        `the ${request.reportName} export job ${job.id} was still ${job.status} after ${Math.round((options.maxWaitMs ?? 600_000) / 1000)} s`,
      );
    }
    if (job !== created) await sleep(options.pollIntervalMs ?? 2_000, options.signal);
    job = await graph.get('v1.0', `${EXPORT_JOBS}/${encodeURIComponent(created.id)}`, {
      parse: parseExportJob,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  if (job.url === null)
    throw new ReportExportError(`the ${request.reportName} export job completed without a url`);
  const zip = await graph.download(job.url, {
    maxBytes,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const entries = zipEntries(zip, maxBytes);
  const csv = entries.find((entry) => entry.name.toLowerCase().endsWith('.csv'));
  if (csv === undefined) {
    throw new ReportExportError(
      `the ${request.reportName} export holds no CSV (${entries.map((e) => e.name).join(', ') || 'nothing'})`,
    );
  }
  // The CSV is read as it is inflated, never held whole (csv-table.ts, zip-reader.ts).
  const reader = csvReader({
    ...options.limits,
    keep: request.read ?? request.select,
    ...(request.where === undefined ? {} : { where: request.where }),
  });
  try {
    await inflateZipEntry(zip, csv, (chunk) => reader.push(chunk));
    return reader.end();
  } catch (error) {
    if (error instanceof CsvLimitError) {
      throw new ReportTooLargeError(
        `the ${request.reportName} export is larger than tpm-doctor reads (${error.message}): refused`,
      );
    }
    throw error;
  }
}
