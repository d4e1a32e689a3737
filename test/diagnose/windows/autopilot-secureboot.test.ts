import { describe, expect, it } from 'vitest';
import { autopilotAttestationFailed } from '../../../src/diagnose/rules/windows/autopilot-attestation-failed.js';
import { securebootCaUpdatePending } from '../../../src/diagnose/rules/windows/secureboot-ca-update-pending.js';
import {
  AUTOPILOT,
  AUTOPILOT_LOG,
  device,
  event,
  evidenceLines,
  hoursAgo,
  TPM_WMI,
  UDR,
  UDR_ADMIN,
} from './support.js';

function autopilotEvent(message: string, hours = 2, id = 815) {
  return event({
    log: AUTOPILOT_LOG,
    provider: AUTOPILOT,
    id,
    level: 'error',
    timeCreated: hoursAgo(hours),
    message,
  });
}

describe('autopilot.attestation-failed', () => {
  it('is silent on a healthy device', () => {
    expect(autopilotAttestationFailed.evaluate(device())).toEqual([]);
  });

  it('ignores generic Win32 codes outside the Autopilot log', () => {
    const s = device((w) => {
      w.events!.push(
        event({ log: UDR_ADMIN, provider: UDR, id: 304, level: 'error', message: 'Error code: 0x800705b4' }),
      );
    });
    expect(autopilotAttestationFailed.evaluate(s)).toEqual([]);
  });

  const cases: [string, string, RegExp][] = [
    ['0x81039001', 'restart', /Retry/],
    ['0x81039023', 'update', /KB5013943/],
    ['0x81039024', 'update', /TPM firmware/],
    ['0x80070490', 'update', /AMD fTPM/],
    ['0x800705B4', 'reconfigure', /user-driven mode/],
    ['0x801C03EA', 'update', /TPM 2\.0/],
  ];
  for (const [code, step, action] of cases) {
    it(`${code} has its own remedy (${step})`, () => {
      const s = device((w) => {
        w.events!.push(autopilotEvent(`Autopilot policy [TPM attestation] failed with error ${code}.`));
      });
      const [f, ...rest] = autopilotAttestationFailed.evaluate(s);
      expect(rest).toEqual([]);
      expect(f!.id).toBe('autopilot.attestation-failed');
      expect(f!.severity).toBe('error');
      expect(f!.remedy.step).toBe(step);
      expect(f!.remedy.action).toMatch(action);
      expect(f!.remedy.destroysKeys).toBe(false);
      expect(evidenceLines(f!)[0]).toBe(`Autopilot|error code=${code.toLowerCase()}`);
      expect(f!.references).toEqual(['https://learn.microsoft.com/autopilot/known-issues']);
    });
  }

  it('0x81039024 (vulnerable TPM) blocks a clear until tpmtool says the firmware is no longer vulnerable', () => {
    const unknown = autopilotAttestationFailed.evaluate(
      device((w) => {
        w.tpmtool!.hasVulnerableFirmware = null;
        w.events!.push(autopilotEvent('failed with 0x81039024'));
      }),
    )[0]!;
    expect(unknown.blocksClear).toMatch(/update the firmware first/);
    const vulnerable = autopilotAttestationFailed.evaluate(
      device((w) => {
        w.tpmtool!.hasVulnerableFirmware = true;
        w.events!.push(autopilotEvent('failed with 0x81039024'));
      }),
    )[0]!;
    expect(vulnerable.blocksClear).toBeDefined();
    const updated = autopilotAttestationFailed.evaluate(
      device((w) => {
        w.tpmtool!.hasVulnerableFirmware = false;
        w.events!.push(autopilotEvent('failed with 0x81039024'));
      }),
    )[0]!;
    expect(updated.blocksClear).toBeUndefined();
  });

  it('gives one finding per distinct code', () => {
    const s = device((w) => {
      w.events!.push(
        autopilotEvent('failed 0x81039001', 3),
        autopilotEvent('failed 0x81039001', 2),
        autopilotEvent('0x80070490', 1),
      );
    });
    const found = autopilotAttestationFailed.evaluate(s);
    expect(found.map((f) => f.title)).toEqual([
      'Autopilot TPM attestation failed: 0x81039001 (E_AUTOPILOT_CLIENT_TPM_MAX_ATTESTATION_RETRY_EXCEEDED (intermittent))',
      'Autopilot TPM attestation failed: 0x80070490 (AMD platform with ASP firmware TPM)',
    ]);
  });

  it('is info for an old failure on a PC that has since enrolled, an error when not enrolled', () => {
    const old = device((w) => {
      w.events!.push(autopilotEvent('failed 0x81039001', 24 * 30));
    });
    expect(autopilotAttestationFailed.evaluate(old)[0]!.severity).toBe('info');
    const notEnrolled = device((w) => {
      w.enrollments = [];
      w.events!.push(autopilotEvent('failed 0x81039001', 24 * 30));
    });
    expect(autopilotAttestationFailed.evaluate(notEnrolled)[0]!.severity).toBe('error');
  });

  it('names Infineon SLB9672 firmware 15.22 on "TPM attestation timed out"', () => {
    const s = device((w) => {
      w.getTpm!.manufacturerIdTxt = 'IFX';
      w.getTpm!.manufacturerVersion = '15.22.15500.0';
      w.events!.push(autopilotEvent('Something happened, and TPM attestation timed out.'));
    });
    const [f] = autopilotAttestationFailed.evaluate(s);
    expect(f!.title).toBe('Autopilot TPM attestation timed out (Infineon SLB9672 firmware 15.22)');
    expect(f!.remedy.step).toBe('update');
    expect(evidenceLines(f!).slice(0, 2)).toEqual([
      'Get-Tpm|ManufacturerIdTxt=IFX',
      'Get-Tpm|ManufacturerVersion=15.22.15500.0',
    ]);
  });

  it('reports event 171 (TPM identity failed) with no known code, with the clock check', () => {
    const s = device((w) => {
      w.events!.push(autopilotEvent('AutopilotManager failed to establish TPM identity.', 1, 171));
    });
    const [f] = autopilotAttestationFailed.evaluate(s);
    expect(f!.remedy.step).toBe('restart');
    expect(f!.remedy.action).toContain('w32tm /resync /force');
  });
});

describe('secureboot.ca-update-pending', () => {
  const PENDING_1801 =
    'Secure Boot CA/keys need to be updated. This device signature information is included here.\nDeviceAttributes: ...';

  it('is silent on a healthy device (1808 already logged)', () => {
    expect(securebootCaUpdatePending.evaluate(device())).toEqual([]);
  });

  it('is silent when 1808 came after the 1801', () => {
    const s = device((w) => {
      w.events = [
        event({
          provider: TPM_WMI,
          id: 1801,
          level: 'error',
          timeCreated: hoursAgo(50),
          message: PENDING_1801,
        }),
        event({
          provider: TPM_WMI,
          id: 1808,
          timeCreated: hoursAgo(10),
          message: 'This device has updated Secure Boot CA/keys.',
        }),
      ];
    });
    expect(securebootCaUpdatePending.evaluate(s)).toEqual([]);
  });

  it('is info only, with an update remedy and no clear, and says it is not a TPM fault', () => {
    const s = device((w) => {
      w.events = [
        event({
          provider: TPM_WMI,
          id: 1801,
          level: 'error',
          timeCreated: hoursAgo(3),
          message: PENDING_1801,
        }),
      ];
    });
    const [f, ...rest] = securebootCaUpdatePending.evaluate(s);
    expect(rest).toEqual([]);
    expect(f!.id).toBe('secureboot.ca-update-pending');
    expect(f!.severity).toBe('info');
    expect(['none', 'update']).toContain(f!.remedy.step);
    expect(f!.remedy.destroysKeys).toBe(false);
    expect(f!.why).toMatch(/mistake/);
    expect(f!.why).toMatch(/not one/);
    expect(evidenceLines(f!)).toEqual([
      `event System/TPM-WMI 1801|TimeCreated=${hoursAgo(3)}`,
      'event System/TPM-WMI 1801|Message=Secure Boot CA/keys need to be updated. This device signature information is included here.',
    ]);
  });

  it('mentions the firmware when it refused the update (1795)', () => {
    const s = device((w) => {
      w.events = [
        event({
          provider: TPM_WMI,
          id: 1795,
          level: 'error',
          message: 'The system firmware returned an error The media is write protected.',
        }),
      ];
    });
    expect(securebootCaUpdatePending.evaluate(s)[0]!.remedy.action).toMatch(/firmware refused the update/);
  });
});
