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

export function checkApproval({ snapshot, options }: PreflightInput): GateCheck {
  const approvedBy = options.approvedBy?.trim() || null;
  const ticket = options.ticket?.trim() || null;
  const approval: Evidence[] = [
    { source: 'options', field: 'approvedBy', value: approvedBy },
    { source: 'options', field: 'ticket', value: ticket },
  ];
  const approved = approvedBy !== null && ticket !== null;
  const recorded = `approved by ${approvedBy} (ticket ${ticket}); recorded in the journal`;
  const windows = snapshot.windows;
  if (windows === null || windows.enrollments === null) {
    const notWindows = windows === null && (isLabTpm(snapshot) || platformOf(snapshot) === 'not-windows');
    if (notWindows) {
      return check(
        'approval',
        'pass',
        approved
          ? `Not an MDM-managed Windows device; ${recorded}.`
          : 'Not an MDM-managed Windows device (no Windows evidence, not a Windows TPM): no approval is required.',
        approval,
      );
    }
    if (approved) return check('approval', 'pass', `The MDM enrollment was not read; ${recorded}.`, approval);
    return check(
      'approval',
      'unknown',
      `Whether this device is managed by Intune is unknown (the MDM enrollments were not read): record an approval with ${FLAGS.approval}, or acknowledge with ${FLAGS.acknowledge('approval')} if it is not company-managed.`,
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
      approved
        ? `Not MDM-managed (no Intune enrollment); ${recorded}.`
        : 'Not MDM-managed (no Intune enrollment): no approval is required.',
      approval,
    );
  }
  if (approved) {
    return check('approval', 'pass', `Intune-managed device ${recorded}.`, [
      ...enrollmentEvidence,
      ...approval,
    ]);
  }
  const lacking = [approvedBy === null ? 'who approved it' : null, ticket === null ? 'the ticket' : null]
    .filter((x) => x !== null)
    .join(' and ');
  return check(
    'approval',
    'fail',
    `This device is managed by Intune (ProviderID "${INTUNE_PROVIDER_ID}"), so a clear needs a recorded approval and ${lacking} ${lacking.includes(' and ') ? 'are' : 'is'} missing: get the administrator's approval and run again with ${FLAGS.approval}.`,
    [...enrollmentEvidence, ...approval],
  );
}
