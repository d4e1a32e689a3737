import type { Snapshot } from '../snapshot/snapshot.js';
import type { Finding, Severity } from './finding.js';
import type { Rule } from './rule.js';
import { RULES } from './rules/index.js';
import { decideVerdict, type Verdict } from './verdict.js';

/** The stable shape of `tpm-doctor diagnose --json` (docs/diagnose-json.md). */
export interface Diagnosis {
  schema: 'tpm-doctor/diagnosis/v1';
  verdict: Verdict;
  findings: Finding[];
  /** Rules that threw (a tpm-doctor bug): reported, never fatal. */
  ruleErrors: { rule: string; message: string }[];
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Runs every rule over the snapshot and decides the verdict. Pure: no I/O. */
export function diagnose(snapshot: Snapshot, rules: readonly Rule[] = RULES): Diagnosis {
  const findings: Finding[] = [];
  const ruleErrors: Diagnosis['ruleErrors'] = [];
  for (const rule of rules) {
    try {
      findings.push(...rule.evaluate(snapshot));
    } catch (e) {
      ruleErrors.push({ rule: rule.ids.join(','), message: e instanceof Error ? e.message : String(e) });
    }
  }
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.id.localeCompare(b.id));
  const diagnosable = (snapshot.tpm?.present ?? false) || snapshot.windows !== null;
  return {
    schema: 'tpm-doctor/diagnosis/v1',
    verdict: decideVerdict(findings, diagnosable),
    findings,
    ruleErrors,
  };
}
