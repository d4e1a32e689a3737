import { TRIAGE_CLASS_INFO } from './triage-class.js';
import type { TriageResult } from './triage-result.js';

/**
 * The devices needing action, kept for the table and HTML reports (which list them after the
 * charts, so they cannot stream). Healthy devices are never kept; past `limit` devices are only
 * counted, so a badly broken fleet does not hold every device either: the CSV and JSON reports
 * stream all of them.
 */
export class ActionList {
  readonly devices: TriageResult[] = [];
  omitted = 0;

  constructor(readonly limit = 10_000) {}

  add(result: TriageResult): void {
    if (!TRIAGE_CLASS_INFO[result.class].needsAction) return;
    if (this.devices.length < this.limit) this.devices.push(result);
    else this.omitted++;
  }
}
