import { describe, expect, it } from 'vitest';
import { UNKNOWN_FACTS } from '../../src/fleet/triage/device-facts.js';
import { type TriageResult, toTriageRow } from '../../src/fleet/triage/triage-result.js';
import { storedBlockers } from '../../src/fleet/triage/triage-row-blockers.js';

function result(overrides: Partial<TriageResult>): TriageResult {
  return {
    deviceId: 'd1',
    deviceName: 'PC-1',
    azureAdDeviceId: null,
    userPrincipalName: null,
    class: 'tpm-clear-candidate',
    clearSafety: 'blocked',
    clearBlockedBy: [],
    escrow: 'missing',
    reasons: [],
    remedy: '',
    findings: [],
    failingSettings: [],
    lastSync: null,
    evidenceAt: null,
    facts: { ...UNKNOWN_FACTS, settingErrors: [] },
    ...overrides,
  };
}

describe('storedBlockers', () => {
  it('reads back the blockers toTriageRow stored, apart from the other reasons', () => {
    const row = toTriageRow(
      result({
        reasons: [
          'Windows10CompliancePolicy.TpmRequired is nonCompliant: the TPM does not attest.',
          'TpmRequired is nonCompliant; the device reports isEncrypted false.',
          'No BitLocker recovery key escrowed in Entra ID.',
        ],
        clearBlockedBy: [
          { code: 'escrow.missing', reason: 'No key: nobody could supply it.' },
          { code: 'tpm.lockout', reason: 'The TPM is locked out.\nWait.' },
        ],
      }),
    );
    expect(storedBlockers(row)).toEqual({
      reasons: [
        'Windows10CompliancePolicy.TpmRequired is nonCompliant: the TPM does not attest.',
        'TpmRequired is nonCompliant; the device reports isEncrypted false.',
        'No BitLocker recovery key escrowed in Entra ID.',
      ],
      blockers: [
        { code: 'escrow.missing', reason: 'No key: nobody could supply it.' },
        { code: 'tpm.lockout', reason: 'The TPM is locked out.\nWait.' },
      ],
    });
  });

  it('a device whose clear is not blocked has no blockers, whatever its reasons look like', () => {
    const row = toTriageRow(result({ clearSafety: 'safe', reasons: ['tpm.lockout: looks like one'] }));
    expect(storedBlockers(row)).toEqual({ reasons: ['tpm.lockout: looks like one'], blockers: [] });
  });
});
