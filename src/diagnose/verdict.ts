import { EN, type UiMessages } from '../text/messages/en.js';
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
  ui: UiMessages = EN,
): Verdict {
  const blockers = findings
    .filter((f) => f.blocksClear !== undefined)
    .map((f) => ({ finding: f.id, reason: f.blocksClear as string }));
  const unknownBlocks = unknown.filter((u) => u.blocksClear);
  const verdict = (v: Omit<Verdict, 'unknown'>): Verdict => ({ ...v, unknown: [...unknown] });
  if (!diagnosable) {
    const unread = unknown.filter((u) => u.fact === 'source-unreadable');
    const unreached = unknown.filter((u) => u.fact === 'tpm-state');
    return verdict({
      status: 'undiagnosable',
      nextStep: 'none',
      action:
        unreached.length > 0
          ? ui['verdict.nothing-read.unreached']({
              reasons: [...unreached, ...unread].map((u) => u.reason).join('; '),
              collectAgain: unread.length > 0,
            })
          : unread.length > 0
            ? ui['verdict.nothing-read.sources']({ reasons: unread.map((u) => u.reason).join('; ') })
            : ui['verdict.nothing-read'],
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
  const missing = ui['verdict.incomplete']({ reasons: unknown.map((u) => u.reason).join('; ') });
  if (driving.length === 0) {
    return verdict({
      status,
      nextStep: 'none',
      action:
        status === 'healthy'
          ? ui['verdict.healthy']
          : status === 'incomplete'
            ? missing
            : ui['verdict.review-warnings'],
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
        action: ui['verdict.clear-blocked']({
          reasons: reasons.join(' '),
          collectFirst: unknownBlocks.length > 0,
        }),
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
