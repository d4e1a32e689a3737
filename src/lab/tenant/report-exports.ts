import { randomBytes, randomUUID } from 'node:crypto';
import type { DeviceSimulation } from './device-simulation.js';
import { badRequest, GraphError, notFound } from './graph-error.js';
import type { GraphViews } from './graph-views.js';
import { INVENTORY_REPORTS } from './inventory-reports.js';
import { zipOneFile } from './zip-writer.js';

/**
 * Intune's report export, as the lab serves it (docs/graph-calls.md calls 16-18, docs/lab-tenant.md):
 * POST deviceManagement/reports/exportJobs answers 201 with the job `notStarted`, as the Intune
 * page's example does; the job completes at its first GET; its `url` is a zip holding the report
 * as CSV, downloaded from /lab/exports/ without the access token, as a storage URL signed on its own
 * would be (the signature is a random query parameter here).
 *
 * DeviceRunStatesByProactiveRemediation, which requires a `PolicyId eq '...'` filter; the lab
 * knows the columns named below and refuses any other column asked for, as Graph refuses a column
 * "not relevant to the report" (docs/lab-tenant.md). Columns are served in the order asked. And
 * the two whole-fleet reports of inventory-reports.ts (DevicesWithInventory,
 * NoncompliantDevicesAndSettings), served without a filter, under the headers they are received
 * under.
 */
export const RUN_STATES_REPORT = 'DeviceRunStatesByProactiveRemediation';

export const RUN_STATES_COLUMNS = [
  'PolicyId',
  'DeviceId',
  'DeviceName',
  'ModifiedTime',
  'DetectionScriptStatus',
  'RemediationScriptStatus',
  'PreRemediationDetectionScriptOutput',
  'PreRemediationDetectionScriptError',
  'RemediationScriptErrorDetails',
  'PostRemediationDetectionScriptOutput',
] as const;

interface StoredJob {
  entity: Record<string, unknown>;
  reportName: string;
  policyId: string;
  select: string[];
  zip: Buffer | null;
  signature: string;
}

export class ReportExports {
  /** When true, creating a job is refused 403, as for an app without the permission to export. */
  refused = false;
  /** Jobs created and zips downloaded, for tests and benchmarks. */
  readonly counts = { created: 0, downloaded: 0 };
  readonly #jobs = new Map<string, StoredJob>();

  constructor(
    private readonly devices: DeviceSimulation,
    private readonly views: GraphViews,
  ) {}

  create(body: unknown, baseUrl: string, version: string): Record<string, unknown> {
    if (this.refused) {
      throw new GraphError(403, 'Forbidden', 'LAB: this app may not export reports (exports are refused).');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('Expected a JSON object as the request body.');
    const request = body as Record<string, unknown>;
    const reportName = request.reportName;
    const inventory = typeof reportName === 'string' ? INVENTORY_REPORTS.get(reportName) : undefined;
    if (reportName !== RUN_STATES_REPORT && inventory === undefined) {
      throw badRequest(
        `LAB: reportName '${String(reportName)}' is not served by the lab (only ${[RUN_STATES_REPORT, ...INVENTORY_REPORTS.keys()].join(', ')}).`,
      );
    }
    const filter = typeof request.filter === 'string' ? request.filter : '';
    const policy = /^\s*\(?\s*PolicyId eq '([0-9a-fA-F-]{36})'\s*\)?\s*$/.exec(filter);
    if (inventory === undefined && !policy)
      throw badRequest(`${RUN_STATES_REPORT} requires the filter PolicyId eq '<script id>'.`);
    if (inventory !== undefined && filter.trim() !== '')
      throw badRequest(`LAB: ${String(reportName)} is served without a filter (whole fleet).`);
    const select = request.select;
    if (!Array.isArray(select) || select.length === 0 || !select.every((c) => typeof c === 'string')) {
      throw badRequest('LAB: select the columns wanted (a non-empty list of column names).');
    }
    const known = (c: string) =>
      inventory === undefined
        ? (RUN_STATES_COLUMNS as readonly string[]).includes(c)
        : inventory.columns.has(c);
    const unknown = select.find((c) => !known(c));
    if (unknown !== undefined)
      throw badRequest(`Column '${unknown}' is not valid for ${String(reportName)}.`);
    const format = request.format ?? 'csv';
    if (format !== 'csv') throw badRequest(`LAB: format '${String(format)}' is not served (csv only).`);
    const id = `${String(reportName)}_${randomUUID()}`;
    const entity = {
      '@odata.context': `${baseUrl}/${version}/$metadata#deviceManagement/reports/exportJobs/$entity`,
      id,
      reportName,
      filter,
      select,
      format: 'csv',
      snapshotId: null,
      localizationType: request.localizationType ?? 'localizedValuesAsAdditionalColumn',
      status: 'notStarted',
      url: null,
      requestDateTime: new Date(this.devices.clock.now()).toISOString(),
      expirationDateTime: '0001-01-01T00:00:00Z',
    };
    this.#jobs.set(id, {
      entity,
      reportName: reportName as string,
      policyId: policy?.[1]?.toLowerCase() ?? '',
      select: select as string[],
      zip: null,
      signature: randomBytes(18).toString('base64url'),
    });
    this.counts.created++;
    return entity;
  }

  /** The job; at its first read it completes, with the report as it stands then. */
  get(id: string, baseUrl: string): Record<string, unknown> {
    const job = this.#jobs.get(id);
    if (job === undefined) throw notFound(`No deviceManagementExportJob with id '${id}'.`);
    if (job.zip === null) {
      const now = this.devices.clock.now();
      job.zip = zipOneFile(`${id}.csv`, Buffer.from(this.#csv(job), 'utf8'), new Date(now));
      job.entity = {
        ...job.entity,
        status: 'completed',
        url: `${baseUrl}/lab/exports/${encodeURIComponent(id)}.zip?sig=${job.signature}`,
        expirationDateTime: new Date(now + 6 * 3_600_000).toISOString(),
      };
    }
    return job.entity;
  }

  /** The zip behind a completed job's url, or undefined for a wrong name or signature. */
  download(file: string, signature: string | null): Buffer | undefined {
    const id = file.endsWith('.zip') ? file.slice(0, -4) : '';
    const job = this.#jobs.get(id);
    if (job?.zip == null || signature !== job.signature) return undefined;
    this.counts.downloaded++;
    return job.zip;
  }

  #csv(job: StoredJob): string {
    const inventory = INVENTORY_REPORTS.get(job.reportName);
    if (inventory !== undefined) {
      const lines = [job.select.map((c) => csvField(inventory.columns.get(c)!)).join(',')];
      for (const row of inventory.rows(this.devices, this.views))
        lines.push(job.select.map((c) => csvField(row[c] ?? '')).join(','));
      return `${lines.join('\r\n')}\r\n`;
    }
    const scriptId = [...this.#scriptIds()].find((s) => s.toLowerCase() === job.policyId);
    const lines = [job.select.map(csvField).join(',')];
    if (scriptId !== undefined) {
      this.devices.settleAll();
      for (let index = 0; index < this.devices.fleet.size; index++) {
        const run = this.views.runState(scriptId, index);
        if (run === null) continue;
        const values: Record<(typeof RUN_STATES_COLUMNS)[number], string> = {
          PolicyId: scriptId,
          DeviceId: this.devices.fleet.ids[index]!,
          DeviceName: this.devices.profile(index).deviceName ?? '',
          ModifiedTime: run.lastStateUpdateDateTime ?? '',
          DetectionScriptStatus: run.detectionState,
          RemediationScriptStatus: run.remediationState ?? '',
          PreRemediationDetectionScriptOutput: run.preRemediationDetectionScriptOutput ?? '',
          PreRemediationDetectionScriptError: run.preRemediationDetectionScriptError ?? '',
          RemediationScriptErrorDetails: run.remediationScriptError ?? '',
          PostRemediationDetectionScriptOutput: run.postRemediationDetectionScriptOutput ?? '',
        };
        lines.push(job.select.map((c) => csvField(values[c as keyof typeof values])).join(','));
      }
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  *#scriptIds(): Iterable<string> {
    for (const script of this.views.scripts()) yield script.id;
  }
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
