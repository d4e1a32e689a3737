/**
 * Gate check 4, approval (docs/clear.md, the preflight gate): a clear on a company-managed PC may violate its policy, so
 * the administrator's approval comes first. A device is MDM-managed by Intune when an
 * enrollment under HKLM\SOFTWARE\Microsoft\Enrollments has ProviderID "MS DM Server" (DMClient
 * CSP: https://learn.microsoft.com/windows/client-management/mdm/dmclient-csp). The approval (who, ticket) is returned in the evidence so
 * the journal records it.
 */

import {
  check,
  type Evidence,
  FLAGS,
  INTUNE_PROVIDER_ID,
  isLabTpm,
  type PreflightInput,
  platformOf,
} from './facts.js';
import type { GateCheck } from './gate.js';

export function checkApproval({ snapshot, options, ui }: PreflightInput): GateCheck {
  const approvedBy = options.approvedBy?.trim() || null;
  const ticket = options.ticket?.trim() || null;
  const approval: Evidence[] = [
    { source: 'options', field: 'approvedBy', value: approvedBy },
    { source: 'options', field: 'ticket', value: ticket },
  ];
  const approved = approvedBy !== null && ticket !== null;
  const recorded = ui['gate.check.approval.recorded']({ by: approvedBy ?? '', ticket: ticket ?? '' });
  const windows = snapshot.windows;
  if (windows === null || windows.enrollments === null) {
    const notWindows = windows === null && (isLabTpm(snapshot) || platformOf(snapshot) === 'not-windows');
    if (notWindows) {
      return check(
        'approval',
        'pass',
        approved
          ? ui['gate.check.approval.not-windows-approved']({ recorded })
          : ui['gate.check.approval.not-windows'],
        approval,
      );
    }
    if (approved)
      return check('approval', 'pass', ui['gate.check.approval.unread-approved']({ recorded }), approval);
    return check(
      'approval',
      'unknown',
      ui['gate.check.approval.unread']({
        approvalFlags: FLAGS.approval,
        acknowledge: FLAGS.acknowledge('approval'),
      }),
      [...approval, { source: 'evidence', field: 'enrollments', value: null }],
    );
  }
  const managed = windows.enrollments.filter((e) => e.providerId === INTUNE_PROVIDER_ID);
  const enrollmentEvidence: Evidence[] = managed.map((e) => ({
    source: 'Enrollments',
    field: `${e.enrollmentId} ProviderID`,
    value: e.providerId,
  }));
  if (managed.length === 0) {
    return check(
      'approval',
      'pass',
      approved ? ui['gate.check.approval.not-mdm-approved']({ recorded }) : ui['gate.check.approval.not-mdm'],
      approval,
    );
  }
  if (approved) {
    return check('approval', 'pass', ui['gate.check.approval.intune-approved']({ recorded }), [
      ...enrollmentEvidence,
      ...approval,
    ]);
  }
  return check(
    'approval',
    'fail',
    ui['gate.check.approval.intune-missing']({
      providerId: INTUNE_PROVIDER_ID,
      missingWho: approvedBy === null,
      missingTicket: ticket === null,
      approvalFlags: FLAGS.approval,
    }),
    [...enrollmentEvidence, ...approval],
  );
}
