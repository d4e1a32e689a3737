/**
 * Gate check 1, reason (docs/clear.md, the preflight gate): a repair clear only when the diagnosis itself reaches
 * "clear" on the remedy ladder with nothing blocking it. A clear is the last resort, for when a
 * restart or an update does not help (docs/findings.md), so every lower rung is shown instead.
 * A decommission (handover, sale, OS reinstall: old keys must not stay behind) needs no fault, so it skips the diagnosis;
 * the blockers, backup and approval checks still apply.
 */

import { check, type PreflightInput } from './facts.js';
import type { GateCheck } from './gate.js';

export function checkReason({ diagnosis, options, ui }: PreflightInput): GateCheck {
  const { verdict } = diagnosis;
  const evidence = [
    { source: 'diagnosis', field: 'verdict.nextStep', value: verdict.nextStep },
    { source: 'diagnosis', field: 'verdict.clearRecommended', value: verdict.clearRecommended },
  ];
  if (options.purpose === 'decommission') {
    return check('reason', 'pass', ui['gate.check.reason.decommission'], [
      { source: 'options', field: 'purpose', value: 'decommission' },
    ]);
  }
  if (verdict.clearRecommended) {
    return check(
      'reason',
      'pass',
      ui['gate.check.reason.recommended']({ because: verdict.because.join(', ') }),
      [...evidence, { source: 'diagnosis', field: 'verdict.because', value: verdict.because.join(',') }],
    );
  }
  const blocked = verdict.clearBlockedBy.map((b) => b.finding);
  const unknown = (verdict.unknown ?? []).filter((u) => u.blocksClear);
  const why =
    verdict.status === 'undiagnosable'
      ? ui['gate.check.reason.why-undiagnosable']
      : unknown.length > 0
        ? ui['gate.check.reason.why-unknown']({ facts: unknown.map((u) => u.fact).join(', ') })
        : verdict.nextStep === 'clear'
          ? ui['gate.check.reason.why-blocked']({ findings: blocked.join(', ') })
          : ui['gate.check.reason.why-safer']({
              step: verdict.nextStep,
              stepLabel: ui[`diagnosis.step.${verdict.nextStep}`],
            });
  const todo =
    verdict.nextStep === 'none' && verdict.status === 'healthy'
      ? ui['gate.check.reason.nothing-to-repair']
      : verdict.action;
  return check('reason', 'fail', ui['gate.check.reason.not-justified']({ why, todo }), [
    ...evidence,
    { source: 'diagnosis', field: 'verdict.status', value: verdict.status },
    ...(blocked.length > 0
      ? [{ source: 'diagnosis', field: 'verdict.clearBlockedBy', value: blocked.join(',') }]
      : []),
  ]);
}
