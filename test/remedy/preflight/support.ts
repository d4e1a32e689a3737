/**
 * Typed snapshots and diagnoses for the preflight gate tests. The TPM and Windows builders are
 * the diagnose suite's (test/diagnose/tpm/support.ts), so both suites describe the same devices.
 */
import { expect } from 'vitest';
import type { Diagnosis } from '../../../src/diagnose/diagnose.js';
import type { Finding } from '../../../src/diagnose/finding.js';
import type { Verdict } from '../../../src/diagnose/verdict.js';
import type { CheckId, GateCheck, GateResult } from '../../../src/remedy/preflight/gate.js';
import type { TpmStatus } from '../../../src/snapshot/tpm-status.js';
import type { BitLockerVolume, MdmEnrollment } from '../../../src/snapshot/windows-evidence.js';

export { healthyStatus, healthyWindows, snapshot, windowsEvidence } from '../../diagnose/tpm/support.js';

export function verdict(overrides: Partial<Verdict> = {}): Verdict {
  return {
    status: 'healthy',
    nextStep: 'none',
    action: 'Nothing to do: the TPM is healthy.',
    because: [],
    clearRecommended: false,
    clearBlockedBy: [],
    unknown: [],
    ...overrides,
  };
}

/** A diagnosis whose verdict reaches a clear (tpm.reduced-functionality), plus any extra findings. */
export function clearDiagnosis(findings: Finding[] = []): Diagnosis {
  return diagnosis(
    verdict({
      status: 'errors',
      nextStep: 'clear',
      action: 'Clear the TPM through the gated procedure (tpm-doctor clear).',
      because: ['tpm.reduced-functionality'],
      clearRecommended: true,
    }),
    findings,
  );
}

export function diagnosis(v: Verdict = verdict(), findings: Finding[] = []): Diagnosis {
  return { schema: 'tpm-doctor/diagnosis/v1', verdict: v, findings, ruleErrors: [] };
}

export function findingOf(id: string, action = `do what ${id} says`): Finding {
  return {
    id,
    severity: 'error',
    title: id,
    why: id,
    impacts: [],
    evidence: [],
    remedy: { step: 'update', action, destroysKeys: false },
    blocksClear: `${id} blocks a clear`,
  };
}

export function osVolume(overrides: Partial<BitLockerVolume> = {}): BitLockerVolume {
  return {
    mountPoint: 'C:',
    volumeType: 'OperatingSystem',
    volumeStatus: 'FullyEncrypted',
    protectionStatus: 'On',
    suspendedRebootCount: 0,
    keyProtectors: [
      { id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' },
      { id: 'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7', type: 'RecoveryPassword' },
    ],
    ...overrides,
  };
}

export const RECOVERY_ID = 'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7';

export const INTUNE: MdmEnrollment = {
  enrollmentId: 'B7E0D1A2-3C4F-4A5B-9C6D-7E8F9A0B1C2D',
  providerId: 'MS DM Server',
  upn: 'user@contoso.com',
  enrollmentState: 1,
  enrollmentType: 6,
};

/** A TPM status as read through Windows TBS (not a lab TPM). */
export function pcStatus(overrides: Partial<TpmStatus> = {}, base: TpmStatus): TpmStatus {
  return { ...base, tpm: { uri: 'tbs:', lab: false }, ...overrides };
}

export function byId(result: GateResult, id: CheckId): GateCheck {
  const found = result.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${result.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** Every check that is not a pass must say what to do (docs/clear.md, the preflight gate). */
export function expectActionable(result: GateResult): void {
  for (const c of result.checks) {
    if (c.status === 'pass') continue;
    expect(c.message, c.id).toMatch(
      /\b(run|use|wait|add|acknowledge|give|collect|get|find|update|power-cycle|make sure|escrow|do this instead|resolve)\b/i,
    );
  }
}

/** 48-digit BitLocker recovery passwords (8 groups of 6) must never appear in any output. */
export function expectNoRecoveryPassword(result: GateResult): void {
  expect(JSON.stringify(result)).not.toMatch(/\d{6}(-\d{6}){7}/);
}
