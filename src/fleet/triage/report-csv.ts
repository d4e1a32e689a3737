import type { ReportSink, ReportTarget } from './report-sink.js';
import { TRIAGE_CLASS_INFO } from './triage-class.js';
import type { TriageResult } from './triage-result.js';

export const CSV_COLUMNS = [
  'deviceId',
  'deviceName',
  'azureAdDeviceId',
  'userPrincipalName',
  'class',
  'classTitle',
  'clearSafety',
  'clearBlockedBy',
  'escrow',
  'lastSync',
  'failingSettings',
  'findings',
  'remedy',
  'reasons',
  'evidenceAt',
  // Last, so the columns before it keep their places: which tenant the row is from, "LAB tenant
  // ..." for the lab (a CSV has no banner: each row carries the label).
  'tenant',
] as const;

/**
 * A cell as RFC 4180 wants it (quoted when it holds a quote, comma, CR or LF; quotes doubled), and
 * defused against spreadsheet formula injection (OWASP "CSV Injection"): a cell starting with
 * = + - @, a tab or a CR is prefixed with ' so Excel and Sheets show it as text, never run it.
 * Device and user names come from the tenant and anyone enrolling a device chooses them.
 */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

/** One result as a CSV record (CRLF-terminated, RFC 4180 §2). */
function csvRow(r: TriageResult, tenant: string | null = null): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string | null> = {
    deviceId: r.deviceId,
    deviceName: r.deviceName,
    azureAdDeviceId: r.azureAdDeviceId,
    userPrincipalName: r.userPrincipalName,
    class: r.class,
    classTitle: TRIAGE_CLASS_INFO[r.class].title,
    clearSafety: r.clearSafety,
    clearBlockedBy: r.clearBlockedBy.map((b) => `${b.code}: ${b.reason}`).join(' | '),
    escrow: r.escrow,
    lastSync: r.lastSync,
    failingSettings: r.failingSettings.join(' '),
    findings: r.findings.join(' '),
    remedy: r.remedy,
    reasons: r.reasons.join(' | '),
    evidenceAt: r.evidenceAt,
    tenant,
  };
  return `${CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',')}\r\n`;
}

/**
 * The UTF-8 byte order mark (Unicode Standard §23.8). Excel opens a CSV without it in the system's
 * ANSI code page (Shift_JIS on Japanese Windows), so Japanese device and user names turn into
 * mojibake; with it, Excel reads the file as UTF-8 (Microsoft Support, "Opening CSV UTF-8 files
 * correctly in Excel"). Python's utf-8-sig and PowerShell's Import-Csv skip it.
 */
const UTF8_BOM = '\uFEFF';

/**
 * Streams the CSV report: a header, then one record per result as it comes. `bom` starts the file
 * with the UTF-8 byte order mark, for Excel.
 */
export class CsvReportWriter {
  private started = false;

  constructor(
    private readonly sink: ReportSink,
    private readonly target?: ReportTarget,
    private readonly options: { bom?: boolean } = {},
  ) {}

  async write(result: TriageResult): Promise<void> {
    if (!this.started) await this.begin();
    await this.sink(csvRow(result, this.target?.description ?? null));
  }

  /** Writes the header when no row was written (an empty fleet still gets a valid CSV). */
  async end(): Promise<void> {
    if (!this.started) await this.begin();
  }

  private async begin(): Promise<void> {
    this.started = true;
    await this.sink(`${this.options.bom ? UTF8_BOM : ''}${CSV_COLUMNS.join(',')}\r\n`);
  }
}
