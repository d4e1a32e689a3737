import type { TriageRow } from '../store/fleet-store.js';
import type { ClearBlocker } from './triage-class.js';

/**
 * The stored row keeps a blocked device's blockers at the end of its reasons, each written as
 * "code: reason" by toTriageRow (triage-result.ts). A blocker's code is a finding ID
 * (docs/findings.md) or an escrow code (ESCROW_BLOCKERS): lower case, dotted, no spaces, which no
 * other reason starts with (those are sentences, or a setting name followed by " is ").
 */
const BLOCKER_REASON = /^([a-z][a-z0-9]*(?:[.-][a-z0-9]+)+): ([\s\S]*)$/;

/** A stored row read back: its reasons and, for a blocked device, the blockers apart. */
export function storedBlockers(row: TriageRow): { reasons: string[]; blockers: ClearBlocker[] } {
  if (row.clearSafety !== 'blocked') return { reasons: [...row.reasons], blockers: [] };
  const reasons: string[] = [];
  const blockers: ClearBlocker[] = [];
  for (const text of row.reasons) {
    const m = BLOCKER_REASON.exec(text);
    if (m) blockers.push({ code: m[1]!, reason: m[2]! });
    else reasons.push(text);
  }
  return { reasons, blockers };
}
