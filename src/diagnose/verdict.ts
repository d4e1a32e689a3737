import { type Finding, REMEDY_LADDER, type RemedyStep } from './finding.js';
import type { UnknownFact } from './unknowns.js';

export interface Verdict {
  /**
   * healthy: nothing to do; warnings/errors: the worst severity found; incomplete: no error, but a
   * fact the verdict depends on is unknown (an unreadable source, the OS volume's protectors, the
   * lockout state); undiagnosable: nothing could be read.
   */
  status: 'healthy' | 'warnings' | 'errors' | 'incomplete' | 'undiagnosable';
  /** The single safest next step (the lowest rung of the ladder any actionable finding needs). */
  nextStep: RemedyStep;
  /** That step in words, from the finding that asks for it. */
  action: string;
  /** The findings that call for the next step. */
  because: string[];
  /** True only when the ladder truly reaches a clear and nothing blocks it. */
  clearRecommended: boolean;
  /** Why a clear is wrong right now (each from a finding's blocksClear). */
  clearBlockedBy: { finding: string; reason: string }[];
  /** Facts the evidence does not establish (each keeps the verdict from healthy; most stop a clear). */
  unknown: UnknownFact[];
}

const rank = (step: RemedyStep) => REMEDY_LADDER.indexOf(step);

/**
 * The verdict: the safest next step. Errors are handled before warnings; within them the lowest
 * rung wins (wait or reset a lockout, then restart, then update, then reconfigure, then clear),
 * because a clear is right only when a restart or an update does not help, and a clear destroys
 * keys. A clear is recommended only when it is the lowest rung left, no finding blocks it (DA
 * lockout, vulnerable firmware not updated, disableClear, ...) and no fact it depends on is
 * unknown (`unknown` entries that block a clear). With unknowns and no error the status is
 * "incomplete", never "healthy" or "warnings".
 */
export function decideVerdict(
  findings: readonly Finding[],
  diagnosable: boolean,
  unknown: readonly UnknownFact[] = [],
): Verdict {
  const blockers = findings
    .filter((f) => f.blocksClear !== undefined)
    .map((f) => ({ finding: f.id, reason: f.blocksClear as string }));
  const unknownBlocks = unknown.filter((u) => u.blocksClear);
  const verdict = (v: Omit<Verdict, 'unknown'>): Verdict => ({ ...v, unknown: [...unknown] });
  if (!diagnosable) {
    const unread = unknown.filter((u) => u.fact === 'source-unreadable');
    const unreached = unknown.filter((u) => u.fact === 'tpm-state');
    const collect = 'Collect it again (tpm-doctor collect, or collect-evidence.ps1 -Full as administrator).';
    return verdict({
      status: 'undiagnosable',
      nextStep: 'none',
      action:
        unreached.length > 0
          ? `Nothing could be read: ${[...unreached, ...unread].map((u) => u.reason).join('; ')}.${unread.length > 0 ? ` ${collect}` : ''}`
          : unread.length > 0
            ? `Nothing in the evidence could be read: ${unread.map((u) => u.reason).join('; ')}. ${collect}`
            : 'Nothing could be read: give a TPM (--tpm) or an evidence bundle (--evidence).',
      because: [],
      clearRecommended: false,
      clearBlockedBy: blockers,
    });
  }
  const actionable = (severity: Finding['severity']) =>
    findings.filter((f) => f.severity === severity && f.remedy.step !== 'none');
  const errors = actionable('error');
  const driving = errors.length > 0 ? errors : actionable('warning');
  const status: Verdict['status'] =
    errors.length > 0
      ? 'errors'
      : unknown.length > 0
        ? 'incomplete'
        : findings.some((f) => f.severity === 'warning')
          ? 'warnings'
          : 'healthy';
  const missing = `The evidence is incomplete: ${unknown.map((u) => u.reason).join('; ')}. Collect it again as an administrator (tpm-doctor collect, or collect-evidence.ps1 -Full from an elevated PowerShell) before acting on it.`;
  if (driving.length === 0) {
    return verdict({
      status,
      nextStep: 'none',
      action:
        status === 'healthy'
          ? 'Nothing to do: the TPM is healthy.'
          : status === 'incomplete'
            ? missing
            : 'Nothing to change; review the warnings.',
      because: [],
      clearRecommended: false,
      clearBlockedBy: blockers,
    });
  }
  let lowest = Math.min(...driving.map((f) => rank(f.remedy.step)));
  let chosen = driving.filter((f) => rank(f.remedy.step) === lowest);
  if (REMEDY_LADDER[lowest] === 'clear' && (blockers.length > 0 || unknownBlocks.length > 0)) {
    // The ladder reaches a clear but something makes it wrong now: the next step is whatever
    // removes the blocker (wait out the lockout, update the firmware, add a recovery password),
    // whatever that blocker's severity.
    const unblocking = findings.filter(
      (f) => f.blocksClear !== undefined && f.remedy.step !== 'none' && f.remedy.step !== 'clear',
    );
    if (unblocking.length === 0) {
      const reasons = [...blockers.map((b) => b.reason), ...unknownBlocks.map((u) => `${u.reason}.`)];
      return verdict({
        status,
        nextStep: 'none',
        action: `A clear is needed but must not be done now: ${reasons.join(' ')}${unknownBlocks.length > 0 ? ' Collect the missing evidence first.' : ''}`,
        because: blockers.map((b) => b.finding),
        clearRecommended: false,
        clearBlockedBy: blockers,
      });
    }
    lowest = Math.min(...unblocking.map((f) => rank(f.remedy.step)));
    chosen = unblocking.filter((f) => rank(f.remedy.step) === lowest);
  }
  const nextStep = REMEDY_LADDER[lowest] as RemedyStep;
  return verdict({
    status,
    nextStep,
    action: chosen[0]!.remedy.action,
    because: chosen.map((f) => f.id),
    clearRecommended: nextStep === 'clear' && blockers.length === 0 && unknownBlocks.length === 0,
    clearBlockedBy: blockers,
  });
}
