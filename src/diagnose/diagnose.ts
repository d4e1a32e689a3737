import type { Snapshot } from '../snapshot/snapshot.js';
import { ENGLISH, type Messages, translateFindings } from '../text/messages/catalog.js';
import { EN_FINDINGS } from '../text/messages/en-findings.js';
import type { Finding, Severity } from './finding.js';
import type { Rule } from './rule.js';
import { RULES } from './rules/index.js';
import { type UnknownFact, unknownFacts } from './unknowns.js';
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

/**
 * Runs every rule over the snapshot and decides the verdict. Pure: no I/O. `messages` gives the
 * words of the human output (English for JSON); IDs, severities and the verdict do not depend on it.
 */
export function diagnose(
  snapshot: Snapshot,
  rules: readonly Rule[] = RULES,
  messages: Messages = ENGLISH,
): Diagnosis {
  const texts = translateFindings(EN_FINDINGS, messages.findings);
  const findings: Finding[] = [];
  const ruleErrors: Diagnosis['ruleErrors'] = [];
  for (const rule of rules) {
    try {
      findings.push(...rule.evaluate(snapshot, texts));
    } catch (e) {
      ruleErrors.push({ rule: rule.ids.join(','), message: e instanceof Error ? e.message : String(e) });
    }
  }
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.id.localeCompare(b.id));
  const diagnosable = isDiagnosable(snapshot);
  return {
    schema: 'tpm-doctor/diagnosis/v1',
    verdict: decideVerdict(
      diagnosable ? findings : [],
      diagnosable,
      [
        ...(diagnosable || snapshot.windows !== null ? unknownFacts(snapshot) : []),
        ...(diagnosable ? [] : unreachedTpm(snapshot)),
      ],
      messages.ui,
    ),
    // Nothing was read: the only "finding" would be our own failure to connect, which is no
    // statement about any device. The reason is in the snapshot's TPM errors.
    findings: diagnosable ? findings : [],
    ruleErrors,
  };
}

/**
 * Something was read about a device: the TPM, or at least one source of the Windows evidence
 * (meta.json alone describes the collection, not the device). A machine with no TPM device at all (TPM_ABSENT: no
 * /dev/tpmrm0, TBS_E_TPM_NOT_FOUND) is itself a diagnosis (tpm.absent); a TPM we could not reach
 * (permission denied, a timeout, a simulator address nobody listens on) tells nothing.
 */
function isDiagnosable(snapshot: Snapshot): boolean {
  const tpm = snapshot.tpm;
  const tpmRead = tpm !== null && (tpm.present === true || tpm.errors.some((e) => e.code === 'TPM_ABSENT'));
  return tpmRead || (snapshot.windows !== null && windowsRead(snapshot.windows));
}

/**
 * Why the TPM asked for did not answer (busy, permission denied, no answer in time), as the
 * snapshot recorded it: the undiagnosable verdict says it, as `status` does, rather than only
 * "nothing could be read".
 */
function unreachedTpm(snapshot: Snapshot): UnknownFact[] {
  const tpm = snapshot.tpm;
  if (tpm === null || tpm.present) return [];
  const reasons = [...new Set(tpm.errors.map((e) => e.message))];
  if (reasons.length === 0) return [];
  return [
    {
      fact: 'tpm-state',
      reason: `the TPM at ${tpm.tpm.uri} did not answer: ${reasons.join('; ')}`,
      blocksClear: true,
    },
  ];
}

/** Some source of the Windows evidence was read (a bundle whose every file failed tells nothing). */
function windowsRead(w: NonNullable<Snapshot['windows']>): boolean {
  return [
    w.getTpm,
    w.win32Tpm,
    w.isReady,
    w.ekInfo,
    w.tpmtool,
    w.dsregcmd,
    w.bitlocker,
    w.enrollments,
    w.mdmSync,
    w.events,
  ].some((s) => s !== null);
}
