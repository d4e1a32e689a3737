/**
 * The Windows-evidence paths of the tpm.* rules, with typed evidence objects as the collectors and
 * parsers produce them (src/snapshot/windows-evidence.ts): reduced functionality
 * (IsReadyInformation 0x900), and what must hold a clear back.
 */
import { describe, expect, it } from 'vitest';
import type { WindowsEvent } from '../../../src/snapshot/windows-evidence.js';
import {
  diagnoseTpm,
  ekInfo,
  getTpm,
  healthyStatus,
  healthyWindows,
  ids,
  isReady,
  snapshot,
  tpmtool,
  win32Tpm,
  withIdentity,
} from './support.js';

const REDUCED = 0x900; // 0x800 SRK pub mismatch + 0x100 owner auth not in registry

function event(provider: string, id: number, message: string): WindowsEvent {
  return { log: 'System', provider, id, level: 'warning', timeCreated: '2026-11-20T08:00:00Z', message };
}

describe('tpm.reduced-functionality (IsReadyInformation 0x900): the case where a clear IS the fix', () => {
  it('0x900 alone: the clear is recommended (ladder reaches clear, nothing blocks)', () => {
    const d = diagnoseTpm(snapshot(null, healthyWindows({ isReady: isReady(REDUCED, true) })));
    expect(ids(d)).toEqual(['tpm.reduced-functionality']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.remedy).toMatchObject({ step: 'clear', destroysKeys: true });
    expect(f.evidence).toEqual([
      { source: 'Win32_Tpm.IsReadyInformation', field: 'IsReady', value: true },
      { source: 'Win32_Tpm.IsReadyInformation', field: 'Information', value: '0x00000900' },
      {
        source: 'Win32_Tpm.IsReadyInformation',
        field: 'Information bit 0x00000100',
        value: 'INFORMATION_TPM_OWNERAUTH',
      },
      {
        source: 'Win32_Tpm.IsReadyInformation',
        field: 'Information bit 0x00000800',
        value: 'INFORMATION_TPM_SRKPUB',
      },
    ]);
    expect(d.verdict).toEqual({
      status: 'errors',
      nextStep: 'clear',
      action: f.remedy.action,
      because: ['tpm.reduced-functionality'],
      clearRecommended: true,
      clearBlockedBy: [],
      unknown: [],
    });
  });

  it('0x900 with TpmReady/IsReady false: tpm.not-ready adds no lower rung, the clear stays recommended', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({ getTpm: getTpm({ tpmReady: false }), isReady: isReady(REDUCED, false) }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.not-ready', 'tpm.reduced-functionality']);
    const notReady = d.findings.find((f) => f.id === 'tpm.not-ready')!;
    expect(notReady.remedy.step).toBe('none');
    expect(notReady.evidence).toContainEqual({
      source: 'Win32_Tpm.IsReadyInformation',
      field: 'Information bit 0x00000800',
      value:
        "INFORMATION_TPM_SRKPUB: Windows' registry record of the storage root key does not match the TPM's storage root key.",
    });
    expect(d.verdict).toMatchObject({ nextStep: 'clear', clearRecommended: true });
  });

  it('tpmtool "Clear Needed To Recover: True" is the same finding', () => {
    const d = diagnoseTpm(
      snapshot(null, healthyWindows({ tpmtool: tpmtool({ clearNeededToRecover: true }) })),
    );
    expect(ids(d)).toEqual(['tpm.reduced-functionality']);
    expect(d.findings[0]!.evidence).toEqual([
      { source: 'Win32_Tpm.IsReadyInformation', field: 'IsReady', value: true },
      { source: 'tpmtool getdeviceinformation', field: 'Clear Needed To Recover', value: true },
    ]);
    expect(d.verdict.clearRecommended).toBe(true);
  });

  it('0x900 + DA lockout: next step wait, no clear (the lockout blocks it)', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({
          isReady: isReady(REDUCED, true),
          getTpm: getTpm({ lockedOut: true, lockoutCount: 32, lockoutMax: 31 }),
          tpmtool: tpmtool({
            lockout: {
              isLockedOut: true,
              counter: 32,
              maxAuthFail: 32,
              intervalSeconds: 600,
              recoverySeconds: 86400,
            },
          }),
        }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.lockout', 'tpm.reduced-functionality']);
    const lockout = d.findings.find((f) => f.id === 'tpm.lockout')!;
    expect(lockout.remedy.step).toBe('wait');
    expect(lockout.remedy.action).toMatch(/^Wait about 10 min /);
    expect(lockout.remedy.action).toContain('for 1 d (TPM_RC_LOCKOUT 0x921)');
    expect(d.verdict).toMatchObject({ nextStep: 'wait', because: ['tpm.lockout'], clearRecommended: false });
    expect(d.verdict.clearBlockedBy.map((b) => b.finding)).toEqual(['tpm.lockout']);
  });

  it('0x900 + Infineon firmware vulnerable to ROCA (Get-Tpm 7.61): update first, no clear yet', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({
          isReady: isReady(REDUCED, true),
          getTpm: getTpm({
            manufacturerId: 0x49465800,
            manufacturerIdTxt: 'IFX',
            manufacturerVersion: '7.61',
            manufacturerVersionFull20: '7.61.2785.0',
          }),
          win32Tpm: win32Tpm({ manufacturerIdTxt: 'IFX', manufacturerVersion: '7.61' }),
          tpmtool: tpmtool({
            manufacturerId: 'IFX',
            manufacturerVersion: '7.61.2785.0',
            hasVulnerableFirmware: true,
          }),
        }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.firmware-vulnerable', 'tpm.reduced-functionality']);
    const f = d.findings.find((x) => x.id === 'tpm.firmware-vulnerable')!;
    expect(f.evidence).toEqual([
      { source: 'Get-Tpm', field: 'ManufacturerIdTxt', value: 'IFX' },
      { source: 'Get-Tpm', field: 'ManufacturerVersionFull20', value: '7.61.2785.0' },
      {
        source: 'tpm-doctor firmware data',
        field: 'ROCA',
        value: 'CVE-2017-15361, ROCA: affected 7.0-7.61, fixed in 7.62',
      },
      { source: 'tpmtool getdeviceinformation', field: 'TPM Has Vulnerable Firmware', value: true },
    ]);
    expect(f.remedy.step).toBe('update');
    expect(f.remedy.action).toContain('afterwards clear the TPM');
    expect(f.references).toContain('https://msrc.microsoft.com/update-guide/vulnerability/ADV170012');
    expect(d.verdict).toMatchObject({
      nextStep: 'update',
      because: ['tpm.firmware-vulnerable'],
      clearRecommended: false,
    });
    expect(d.verdict.clearBlockedBy.map((b) => b.finding)).toEqual(['tpm.firmware-vulnerable']);
  });

  it('0x900 + the TPM itself read as Infineon 7.61 (FIRMWARE_VERSION_1 0x0007003d): same verdict', () => {
    const tpm = withIdentity(healthyStatus(), 'IFX', '7.61.2785.0');
    const d = diagnoseTpm(snapshot(tpm, healthyWindows({ isReady: isReady(REDUCED, true) })));
    expect(ids(d)).toEqual(['tpm.firmware-vulnerable', 'tpm.reduced-functionality']);
    expect(d.findings.find((f) => f.id === 'tpm.firmware-vulnerable')!.evidence.slice(0, 2)).toEqual([
      { source: 'tpm', field: 'TPM_PT_MANUFACTURER', value: 'IFX' },
      { source: 'tpm', field: 'TPM_PT_FIRMWARE_VERSION_1/2', value: '7.61.2785.0 (0x0007003d 0x0ae10000)' },
    ]);
    expect(d.verdict).toMatchObject({ nextStep: 'update', clearRecommended: false });
  });

  it('0x900 + disableClear in the TPM: clear-disabled becomes an error, next step reconfigure, no clear', () => {
    const tpm = healthyStatus();
    tpm.permanent = {
      ...tpm.permanent!,
      value: '0x00000500',
      flags: { ...tpm.permanent!.flags, disableClear: true },
    };
    const d = diagnoseTpm(snapshot(tpm, healthyWindows({ isReady: isReady(REDUCED, true) })));
    expect(ids(d)).toEqual(['tpm.clear-disabled', 'tpm.reduced-functionality']);
    const f = d.findings.find((x) => x.id === 'tpm.clear-disabled')!;
    expect(f.severity).toBe('error');
    expect(d.verdict).toMatchObject({
      nextStep: 'reconfigure',
      because: ['tpm.clear-disabled'],
      clearRecommended: false,
    });
  });

  it('0x900 + Get-Tpm OwnerClearDisabled True: the same block from Windows evidence alone', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({
          isReady: isReady(REDUCED, true),
          getTpm: getTpm({ ownerClearDisabled: true }),
          tpmtool: tpmtool({ clearPossible: false }),
        }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.clear-disabled', 'tpm.reduced-functionality']);
    expect(d.findings.find((x) => x.id === 'tpm.clear-disabled')!.evidence).toEqual([
      { source: 'Get-Tpm', field: 'OwnerClearDisabled', value: true },
      { source: 'tpmtool getdeviceinformation', field: 'Clear Possible', value: false },
    ]);
    expect(d.verdict).toMatchObject({ nextStep: 'reconfigure', clearRecommended: false });
  });

  it('0x900 + a pending restart: restart first (error, blocks the clear)', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({ isReady: isReady(REDUCED, true), getTpm: getTpm({ restartPending: true }) }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.reduced-functionality', 'tpm.restart-pending']);
    expect(d.findings.find((x) => x.id === 'tpm.restart-pending')!.severity).toBe('error');
    expect(d.verdict).toMatchObject({
      nextStep: 'restart',
      because: ['tpm.restart-pending'],
      clearRecommended: false,
    });
  });

  it('0x904 (reboot needed + clear bits): restart first, from tpm.not-ready and tpm.restart-pending', () => {
    const d = diagnoseTpm(snapshot(null, healthyWindows({ isReady: isReady(0x904, false) })));
    expect(ids(d)).toEqual(['tpm.not-ready', 'tpm.reduced-functionality', 'tpm.restart-pending']);
    expect(d.verdict).toMatchObject({ nextStep: 'restart', clearRecommended: false });
    expect(d.verdict.because.sort()).toEqual(['tpm.not-ready', 'tpm.restart-pending']);
  });
});

describe('other Windows evidence', () => {
  it('a healthy Windows device gives no tpm.* finding', () => {
    const d = diagnoseTpm(snapshot(null, healthyWindows()));
    expect(d.findings).toEqual([]);
    expect(d.verdict.status).toBe('healthy');
  });

  it('Secure Boot certificate events (TPM-WMI 1801/1808, 1795/1796) are not TPM faults: no tpm.* finding', () => {
    const events = [
      event('Microsoft-Windows-TPM-WMI', 1801, 'Secure Boot CA/keys need to be updated.'),
      event('Microsoft-Windows-TPM-WMI', 1808, 'This device has updated Secure Boot CA/keys.'),
      event('TPM-WMI', 1796, 'The Secure Boot update failed to update a Secure Boot variable.'),
      event(
        'Microsoft-Windows-TPM-WMI',
        1795,
        'The system firmware returned an error when updating a Secure Boot variable.',
      ),
    ];
    const d = diagnoseTpm(snapshot(healthyStatus(), healthyWindows({ events })));
    expect(d.findings).toEqual([]);
    expect(d.verdict).toMatchObject({ status: 'healthy', clearRecommended: false });
  });

  it('TPM driver events 14/15 (non-recoverable hardware error): selftest-failed as a warning; recent ones block a clear and lead to the firmware', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({ events: [event('TPM', 14, 'The TPM hardware failed to execute a TPM command.')] }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.selftest-failed']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('warning');
    // The event is 30 days old or less: no clear while it is recent; the step is the PC maker's firmware.
    expect(f.blocksClear).toMatch(/last 30 days/);
    expect(f.remedy.step).toBe('update');
    expect(f.evidence[0]!.field).toBe('TPM event 14 at 2026-11-20T08:00:00Z');
  });

  it('TPM driver events older than 30 days: a warning that does not block', () => {
    const old = {
      ...event('TPM', 14, 'The TPM hardware failed to execute a TPM command.'),
      timeCreated: '2026-01-02T08:00:00Z',
    };
    const d = diagnoseTpm(snapshot(null, healthyWindows({ events: [old] })));
    expect(ids(d)).toEqual(['tpm.selftest-failed']);
    expect(d.findings[0]!.blocksClear).toBeUndefined();
  });

  it('Get-Tpm TpmPresent False: tpm.absent only (not also not-ready)', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({
          getTpm: getTpm({ tpmPresent: false, tpmReady: false }),
          tpmtool: tpmtool({ tpmPresent: false, readyForStorage: false }),
          isReady: null,
          ekInfo: null,
        }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.absent']);
    expect(d.findings[0]!.remedy.step).toBe('reconfigure');
    expect(d.verdict).toMatchObject({ nextStep: 'reconfigure', clearRecommended: false });
  });

  it('a TPM 1.2 (Win32_Tpm SpecVersion "1.2, 2, 3", tpmtool TPM Version 1.2): version-unsupported, update', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({
          win32Tpm: win32Tpm({ specVersion: '1.2, 2, 3' }),
          tpmtool: tpmtool({ tpmVersion: '1.2' }),
        }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.version-unsupported']);
    expect(d.findings[0]!.evidence).toEqual([
      { source: 'Win32_Tpm', field: 'SpecVersion', value: '1.2, 2, 3' },
      { source: 'tpmtool getdeviceinformation', field: 'TPM Version', value: '1.2' },
    ]);
    expect(d.verdict.nextStep).toBe('update');
  });

  it('TpmReady False with provisioning bits only (0x2000 boot counter missing): not-ready, restart', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({ getTpm: getTpm({ tpmReady: false }), isReady: isReady(0x2000, false) }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.not-ready']);
    expect(d.findings[0]!.remedy.step).toBe('restart');
    expect(d.findings[0]!.remedy.action).toContain('Tpm-Maintenance');
  });

  it('TPM disabled in firmware (0x20): not-ready, reconfigure', () => {
    const d = diagnoseTpm(snapshot(null, healthyWindows({ isReady: isReady(0x20, false) })));
    expect(ids(d)).toEqual(['tpm.not-ready']);
    expect(d.verdict.nextStep).toBe('reconfigure');
  });

  it('0x900 with Group Policy keeping no owner authorisation (0x20000): reconfigure the policy first, no clear', () => {
    const d = diagnoseTpm(snapshot(null, healthyWindows({ isReady: isReady(0x20900, false) })));
    expect(ids(d)).toEqual(['tpm.not-ready', 'tpm.reduced-functionality']);
    const notReady = d.findings.find((f) => f.id === 'tpm.not-ready')!;
    expect(notReady.remedy.step).toBe('reconfigure');
    expect(notReady.remedy.action).toContain('Configure the level of TPM owner authorization information');
    expect(d.verdict).toMatchObject({ nextStep: 'reconfigure', clearRecommended: false });
  });

  it('physical presence needed (0x10): restart-pending says to be at the keyboard', () => {
    const d = diagnoseTpm(snapshot(null, healthyWindows({ isReady: isReady(0x10, true) })));
    expect(ids(d)).toEqual(['tpm.restart-pending']);
    expect(d.findings[0]!.severity).toBe('warning');
    expect(d.findings[0]!.remedy.action).toMatch(/^Restart with someone at the keyboard/);
    expect(d.verdict).toMatchObject({ status: 'warnings', nextStep: 'restart' });
  });

  it('lockout counter half used (tpmtool 16 of 32): lockout-counter-high, wait', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({
          tpmtool: tpmtool({
            lockout: {
              isLockedOut: false,
              counter: 16,
              maxAuthFail: 32,
              intervalSeconds: 600,
              recoverySeconds: 86400,
            },
          }),
        }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.lockout-counter-high']);
    expect(d.findings[0]!.remedy.action).toContain('about 2 h 40 min');
    expect(d.verdict.nextStep).toBe('wait');
  });

  it('locked out per Get-Tpm only: wait, with the heal time Windows reports', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({ getTpm: getTpm({ lockedOut: true, lockoutCount: 31 }), tpmtool: null }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.lockout']);
    expect(d.findings[0]!.remedy.action).toMatch(
      /^Wait with the device switched on: the TPM forgives one failure every 10 minutes/,
    );
  });

  it('Intel PTT with no EK certificate in Get-TpmEndorsementKeyInfo: warning, let it reach the Intel service', () => {
    const d = diagnoseTpm(
      snapshot(
        null,
        healthyWindows({
          ekInfo: ekInfo({ manufacturerCertificates: 0, additionalCertificates: 0 }),
          tpmtool: tpmtool({ readyForAttestation: false }),
        }),
      ),
    );
    expect(ids(d)).toEqual(['tpm.ek-cert-missing']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.remedy.step).toBe('reconfigure');
    expect(f.remedy.action).toContain('https://ekop.intel.com/ekcertservice/');
  });

  it('Intel PTT read directly with no certificate in NV and no Windows evidence: only info', () => {
    const tpm = withIdentity(healthyStatus(), 'INTC', '600.18.0.0');
    tpm.endorsement = { certificates: [] };
    tpm.persistentObjects = [];
    const d = diagnoseTpm(snapshot(tpm));
    expect(ids(d)).toEqual(['tpm.ek-cert-missing']);
    expect(d.findings[0]!.severity).toBe('info');
    expect(d.verdict).toMatchObject({ status: 'healthy', nextStep: 'none' });
  });

  it('no certificate in NV but Windows has one (downloaded for the firmware TPM): no finding', () => {
    const tpm = withIdentity(healthyStatus(), 'AMD', '3.87.0.5');
    tpm.endorsement = { certificates: [] };
    const d = diagnoseTpm(snapshot(tpm, healthyWindows({ ekInfo: ekInfo({ manufacturerCertificates: 1 }) })));
    expect(d.findings.find((f) => f.id === 'tpm.ek-cert-missing')).toBeUndefined();
  });
});
