import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import type { Rule } from '../../../src/diagnose/rule.js';
import { WINDOWS_RULES } from '../../../src/diagnose/rules/windows/index.js';
import { device, event, hoursAgo, TPM_WMI } from './support.js';

/** Stands in for a TPM rule that asks for a clear (like tpm.reduced-functionality with flags 0x900). */
const fakeTpmAsksForClear: Rule = {
  ids: ['tpm.fake-reduced-functionality'],
  evaluate: () => [
    {
      id: 'tpm.fake-reduced-functionality',
      severity: 'error',
      title: 'The TPM is ready with reduced functionality',
      why: 'test stand-in',
      impacts: ['attestation'],
      evidence: [{ source: 'Win32_Tpm.IsReadyInformation', field: 'Information', value: '0x900' }],
      remedy: { step: 'clear', action: 'Clear the TPM (gated).', destroysKeys: true },
    },
  ],
};

const withSecureBoot1801 = () =>
  device((w) => {
    w.events = [
      event({
        provider: TPM_WMI,
        id: 1801,
        level: 'error',
        timeCreated: hoursAgo(3),
        message:
          'Secure Boot CA/keys need to be updated. This device signature information is included here.',
      }),
    ];
  });

const keysetGone = (extra: (w: NonNullable<ReturnType<typeof device>['windows']>) => void = () => {}) =>
  device((w) => {
    w.dsregcmd!.keySignTest = 'FAILED';
    w.dsregcmd!.errorCodes = ['0x80090016'];
    w.dsregcmd!.azureAdPrt = false;
    w.mdmSync = {
      lastSuccessfulSync: hoursAgo(72),
      lastAttemptedSync: hoursAgo(1),
      lastErrorCode: '0x80190190',
    };
    extra(w);
  });

describe('verdicts with the Windows rules', () => {
  it('a healthy device is healthy', () => {
    const d = diagnose(device(), WINDOWS_RULES);
    expect(d.findings).toEqual([]);
    expect(d.verdict.status).toBe('healthy');
    expect(d.verdict.clearRecommended).toBe(false);
  });

  it('Secure Boot 1801 alone: no clear, not errors (Windows rules alone: healthy, the finding is info)', () => {
    const d = diagnose(withSecureBoot1801(), WINDOWS_RULES);
    expect(d.findings.map((f) => f.id)).toEqual(['secureboot.ca-update-pending']);
    expect(d.verdict.status).toBe('healthy');
    expect(d.verdict.nextStep).toBe('none');
    expect(d.verdict.clearRecommended).toBe(false);
  });

  it('Secure Boot 1801 alone, through every rule (TPM rules included): no clear, not errors', () => {
    const d = diagnose(withSecureBoot1801());
    expect(d.ruleErrors).toEqual([]);
    expect(d.verdict.status).not.toBe('errors');
    expect(d.verdict.nextStep).not.toBe('clear');
    expect(d.verdict.clearRecommended).toBe(false);
  });

  it('0x80090016 on a healthy TPM with recovery pending: sign in again first, no clear', () => {
    const d = diagnose(
      keysetGone((w) => {
        w.dsregcmd!.aadRecoveryEnabled = true;
      }),
      WINDOWS_RULES,
    );
    expect(d.verdict.status).toBe('errors');
    expect(d.verdict.nextStep).toBe('restart');
    expect(d.verdict.because).toEqual(['entra.device-key-unusable']);
    expect(d.verdict.clearRecommended).toBe(false);
  });

  it('0x80090016 on a healthy TPM: re-register (the lowest rung that fixes it); the PRT and sync findings follow it', () => {
    const d = diagnose(keysetGone(), WINDOWS_RULES);
    expect(d.findings.map((f) => [f.id, f.remedy.step])).toEqual([
      ['entra.device-key-unusable', 'reconfigure'],
      ['entra.no-prt', 'none'],
      ['mdm.sync-failing', 'none'],
    ]);
    expect(d.verdict.nextStep).toBe('reconfigure');
    expect(d.verdict.because).toEqual(['entra.device-key-unusable']);
    expect(d.verdict.clearRecommended).toBe(false);
  });

  it('0x80090016 where Windows says the TPM needs a clear: the gated clear is recommended', () => {
    const d = diagnose(
      keysetGone((w) => {
        w.tpmtool!.clearNeededToRecover = true;
      }),
      WINDOWS_RULES,
    );
    expect(d.verdict.nextStep).toBe('clear');
    expect(d.verdict.clearRecommended).toBe(true);
    expect(d.verdict.clearBlockedBy).toEqual([]);
  });

  it('bitlocker.no-recovery-password blocks that clear', () => {
    const d = diagnose(
      keysetGone((w) => {
        w.tpmtool!.clearNeededToRecover = true;
        w.bitlocker![0]!.keyProtectors = [{ id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' }];
      }),
      WINDOWS_RULES,
    );
    expect(d.verdict.clearRecommended).toBe(false);
    expect(d.verdict.nextStep).not.toBe('clear');
    expect(d.verdict.clearBlockedBy).toEqual([
      {
        finding: 'bitlocker.no-recovery-password',
        reason: 'no recovery password to unlock the volume C: after the clear',
      },
    ]);
  });

  it('bitlocker.no-recovery-password blocks a clear another (TPM) finding asks for', () => {
    const s = device((w) => {
      w.bitlocker![0]!.keyProtectors = [{ id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' }];
    });
    const d = diagnose(s, [fakeTpmAsksForClear, ...WINDOWS_RULES]);
    expect(d.verdict.clearRecommended).toBe(false);
    expect(d.verdict.clearBlockedBy.map((b) => b.finding)).toEqual(['bitlocker.no-recovery-password']);
    // The safest next step is the lowest rung: add and escrow a recovery password.
    expect(d.verdict.nextStep).toBe('reconfigure');
    expect(d.verdict.because).toEqual(['bitlocker.no-recovery-password']);
    // With the recovery password in place, the same TPM finding does lead to the clear.
    const fixed = diagnose(device(), [fakeTpmAsksForClear, ...WINDOWS_RULES]);
    expect(fixed.verdict.clearRecommended).toBe(true);
  });

  it('a TPM lockout behind a missing PRT: reset the lockout, and no clear even when a TPM finding asks for one', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.getTpm!.lockedOut = true;
      w.events!.push(
        event({
          provider: TPM_WMI,
          id: 1026,
          message:
            'The Trusted Platform Module (TPM) hardware on this computer cannot be provisioned for use automatically.\nError: The TPM is defending against dictionary attacks and is in a time-out period.',
        }),
      );
    });
    const d = diagnose(s, [fakeTpmAsksForClear, ...WINDOWS_RULES]);
    expect(d.verdict.nextStep).toBe('reset-lockout');
    expect(d.verdict.because).toEqual(['entra.no-prt']);
    expect(d.verdict.clearRecommended).toBe(false);
    expect(d.verdict.clearBlockedBy.map((b) => b.finding)).toEqual(['entra.no-prt']);
  });

  it('vulnerable TPM firmware (Autopilot 0x81039024): update first, no clear', () => {
    const s = device((w) => {
      w.tpmtool!.hasVulnerableFirmware = true;
      w.events!.push(
        event({
          log: 'Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot',
          provider: 'Microsoft-Windows-ModernDeployment-Diagnostics-Provider',
          id: 815,
          level: 'error',
          message: 'TPM attestation failed: 0x81039024',
        }),
      );
    });
    const d = diagnose(s, [fakeTpmAsksForClear, ...WINDOWS_RULES]);
    expect(d.verdict.nextStep).toBe('update');
    expect(d.verdict.clearRecommended).toBe(false);
    expect(d.verdict.clearBlockedBy.map((b) => b.finding)).toEqual(['autopilot.attestation-failed']);
  });
});
