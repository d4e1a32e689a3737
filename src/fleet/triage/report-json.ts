import type { ReportSink, ReportTarget } from './report-sink.js';
import type { TriageResult } from './triage-result.js';
import type { TriageSummary } from './triage-summary.js';

/** The JSON report's schema id (docs/triage.md). A breaking change gets a new version. */
export const TRIAGE_JSON_SCHEMA = 'tpm-doctor/fleet-triage/v1';

/**
 * The JSON report, streamed: `{"schema", "generatedAt", "target", "devices": [...], "summary"}`.
 * Devices are written one by one as triage emits them and the summary comes last, because it is
 * only known at the end; JSON readers do not care about key order. docs/triage.md documents every
 * field. Each device object is a TriageResult, with its keys in a fixed order.
 */
export class JsonReportWriter {
  private rows = 0;
  private started = false;

  constructor(
    private readonly sink: ReportSink,
    private readonly target: ReportTarget,
    private readonly generatedAt: Date = new Date(),
  ) {}

  async write(result: TriageResult): Promise<void> {
    if (!this.started) await this.begin();
    await this.sink(`${this.rows === 0 ? '\n' : ',\n'}${JSON.stringify(deviceJson(result))}`);
    this.rows++;
  }

  async end(summary: TriageSummary): Promise<void> {
    if (!this.started) await this.begin();
    await this.sink(`${this.rows === 0 ? '' : '\n'}],\n"summary":${JSON.stringify(summary)}}\n`);
  }

  private async begin(): Promise<void> {
    this.started = true;
    const head = {
      schema: TRIAGE_JSON_SCHEMA,
      generatedAt: this.generatedAt.toISOString(),
      target: { description: this.target.description, lab: this.target.lab },
    };
    await this.sink(`${JSON.stringify(head).slice(0, -1)},"devices":[`);
  }
}

/** A device in the JSON report: the TriageResult's fields in the documented order. */
function deviceJson(r: TriageResult): TriageResult {
  return {
    deviceId: r.deviceId,
    deviceName: r.deviceName,
    azureAdDeviceId: r.azureAdDeviceId,
    userPrincipalName: r.userPrincipalName,
    class: r.class,
    clearSafety: r.clearSafety,
    clearBlockedBy: r.clearBlockedBy.map((b) => ({ code: b.code, reason: b.reason })),
    escrow: r.escrow,
    reasons: r.reasons,
    remedy: r.remedy,
    findings: r.findings,
    failingSettings: r.failingSettings,
    lastSync: r.lastSync,
    evidenceAt: r.evidenceAt,
    facts: {
      manufacturer: r.facts.manufacturer,
      model: r.facts.model,
      tpmManufacturer: r.facts.tpmManufacturer,
      tpmVersion: r.facts.tpmVersion,
      firmware: r.facts.firmware,
      settingErrors: r.facts.settingErrors.map((e) => ({
        setting: e.setting,
        status: e.status,
        errorCode: e.errorCode,
      })),
    },
  };
}
