import { EN, type UiMessages } from '../../text/messages/en.js';
import { type ClearSafety, TRIAGE_CLASS_INFO, type TriageClass } from './triage-class.js';
import type { TriageResult } from './triage-result.js';
import type { SyncAgeBucket } from './triage-summary.js';

/**
 * The words of the triage's human reports (the table, the HTML) in the admin's language; the class
 * and clear-safety names of JSON and CSV stay the English IDs (a contract for scripts).
 */
export function classTitle(ui: UiMessages, c: TriageClass): string {
  return ui[`triage.class.${c}`];
}

export function classRemedy(ui: UiMessages, c: TriageClass): string {
  return ui[`triage.remedy.${c}`];
}

export function safetyTitle(ui: UiMessages, s: ClearSafety): string {
  return ui[`triage.safety.${s}`];
}

export function syncAgeTitle(ui: UiMessages, b: SyncAgeBucket): string {
  return ui[`triage.sync-age.${b}`];
}

/**
 * A device's next step: its class's remedy in the admin's language, or the device's own step when
 * its verdict refined it (that one comes from the device's evidence, in English).
 */
export function deviceStep(ui: UiMessages, r: TriageResult): string {
  if (r.remedy === TRIAGE_CLASS_INFO[r.class].remedy) return classRemedy(ui, r.class);
  if (r.remedy === EN['triage.remedy.collect-evidence-first'])
    return ui['triage.remedy.collect-evidence-first'];
  return r.localRemedy ?? r.remedy;
}
