/**
 * Gate check 1, reason (docs/clear.md, the preflight gate): a repair clear only when the diagnosis itself reaches
 * "clear" on the remedy ladder with nothing blocking it. A clear is the last resort, for when a
 * restart or an update does not help (docs/findings.md), so every lower rung is shown instead.
 * A decommission (handover, sale, OS reinstall: old keys must not stay behind) needs no fault, so it skips the diagnosis;
 * the blockers, backup and approval checks still apply.
 */

import { check, type PreflightInput } from './facts.js';
import type { GateCheck } from './gate.js';

export function checkReason({ diagnosis, options }: PreflightInput): GateCheck {
  const { verdict } = diagnosis;
  const evidence = [
    { source: 'diagnosis', field: 'verdict.nextStep', value: verdict.nextStep },
    { source: 'diagnosis', field: 'verdict.clearRecommended', value: verdict.clearRecommended },
  ];
  if (options.purpose === 'decommission') {
    return check(
      'reason',
      'pass',
      'Purpose decommission (handover, sale or OS reinstall): no fault is needed, so the diagnosis is not consulted; the backup, approval and blocker checks still apply.',
      [{ source: 'options', field: 'purpose', value: 'decommission' }],
    );
  }
  if (verdict.clearRecommended) {
    return check(
      'reason',
      'pass',
      `The diagnosis reaches "clear" on the remedy ladder (because of ${verdict.because.join(', ')}) and nothing blocks it.`,
      [...evidence, { source: 'diagnosis', field: 'verdict.because', value: verdict.because.join(',') }],
    );
  }
  const blocked = verdict.clearBlockedBy.map((b) => b.finding);
  const unknown = (verdict.unknown ?? []).filter((u) => u.blocksClear);
  const why =
    verdict.status === 'undiagnosable'
      ? 'nothing about this device could be read'
      : unknown.length > 0
        ? `facts a clear depends on are unknown (${unknown.map((u) => u.fact).join(', ')})`
        : verdict.nextStep === 'clear'
          ? `a clear is needed but blocked by ${blocked.join(', ')}`
          : `the safer next step is "${verdict.nextStep}"`;
  const todo =
    verdict.nextStep === 'none' && verdict.status === 'healthy' ? 'Nothing needs repairing.' : verdict.action;
  return check(
    'reason',
    'fail',
    `A repair clear is not justified: ${why}. Do this instead: ${todo} (Use --purpose decommission only to hand over, sell or reinstall the device.)`,
    [
      ...evidence,
      { source: 'diagnosis', field: 'verdict.status', value: verdict.status },
      ...(blocked.length > 0
        ? [{ source: 'diagnosis', field: 'verdict.clearBlockedBy', value: blocked.join(',') }]
        : []),
    ],
  );
}
