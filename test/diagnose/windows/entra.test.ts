import { describe, expect, it } from 'vitest';
import { entraDeviceKeyNotInTpm } from '../../../src/diagnose/rules/windows/entra-device-key-not-in-tpm.js';
import { entraDeviceKeyUnusable } from '../../../src/diagnose/rules/windows/entra-device-key-unusable.js';
import { entraNoPrt } from '../../../src/diagnose/rules/windows/entra-no-prt.js';
import { device, event, evidenceLines, hoursAgo, TPM_DRIVER, TPM_WMI, UDR, UDR_ADMIN } from './support.js';

const LOCKOUT_1026 =
  'The Trusted Platform Module (TPM) hardware on this computer cannot be provisioned for use automatically.  To set up the TPM interactively use the TPM management console (Start->tpm.msc) and use the action to make the TPM ready.\n' +
  'Error: The TPM is defending against dictionary attacks and is in a time-out period.\nAdditional Information: 0x840000';

describe('entra.device-key-unusable', () => {
  it('is silent on a healthy device', () => {
    expect(entraDeviceKeyUnusable.evaluate(device())).toEqual([]);
  });

  it('is silent when KeySignTest was not run (dsregcmd not elevated)', () => {
    const s = device((w) => {
      w.dsregcmd!.keySignTest = ': MUST Run elevated to test.';
    });
    expect(entraDeviceKeyUnusable.evaluate(s)).toEqual([]);
  });

  it('is silent on a User Device Registration 304 with another error code', () => {
    const s = device((w) => {
      w.events!.push(
        event({
          log: UDR_ADMIN,
          provider: UDR,
          id: 304,
          level: 'error',
          message:
            'Automatic registration failed at join phase. Exit code: Unknown HResult Error code: 0x801c03f2.',
        }),
      );
    });
    expect(entraDeviceKeyUnusable.evaluate(s)).toEqual([]);
  });

  it('asks for a sign-in first when AadRecoveryEnabled is YES (Windows re-registers at the next sign-in)', () => {
    const s = device((w) => {
      w.dsregcmd!.keySignTest = 'FAILED. 0x80090016';
      w.dsregcmd!.aadRecoveryEnabled = true;
      w.dsregcmd!.errorCodes = ['0x80090016'];
    });
    const [f, ...rest] = entraDeviceKeyUnusable.evaluate(s);
    expect(rest).toEqual([]);
    expect(f!.id).toBe('entra.device-key-unusable');
    expect(f!.severity).toBe('error');
    expect(f!.remedy.step).toBe('restart');
    expect(f!.remedy.destroysKeys).toBe(false);
    expect(f!.blocksClear).toBeUndefined();
    expect(evidenceLines(f!)).toEqual([
      'dsregcmd|AzureAdJoined=YES',
      'dsregcmd|DomainJoined=YES',
      'dsregcmd|KeySignTest=FAILED. 0x80090016',
      'dsregcmd|AadRecoveryEnabled=YES',
      'dsregcmd|error code=0x80090016',
    ]);
    expect(f!.references).toContain(
      'https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd',
    );
  });

  it('re-registers (not clears) when the key set is gone and the TPM is healthy', () => {
    const s = device((w) => {
      w.dsregcmd!.keySignTest = 'FAILED';
      w.events!.push(
        event({
          log: UDR_ADMIN,
          provider: UDR,
          id: 304,
          level: 'error',
          timeCreated: hoursAgo(3),
          message:
            'Automatic registration failed at join phase.\nExit code: Unknown HResult Error code: 0x80090016',
        }),
      );
    });
    const [f] = entraDeviceKeyUnusable.evaluate(s);
    expect(f!.remedy.step).toBe('reconfigure');
    expect(f!.remedy.destroysKeys).toBe(false);
    expect(f!.remedy.action).toContain('dsregcmd /leave');
    expect(evidenceLines(f!)).toContain(
      `event Microsoft-Windows-User Device Registration/Admin 304|TimeCreated=${hoursAgo(3)}`,
    );
    expect(evidenceLines(f!)).toContain(
      'event Microsoft-Windows-User Device Registration/Admin 304|Message=Automatic registration failed at join phase.',
    );
  });

  it('reads NTE_BAD_KEYSET written as a negative decimal in a Debug 500 event', () => {
    const s = device((w) => {
      w.events!.push(
        event({
          log: 'Microsoft-Windows-User Device Registration/Debug',
          provider: UDR,
          id: 500,
          message: 'NgcKeyRegistration failed: -2146893802',
        }),
      );
    });
    expect(entraDeviceKeyUnusable.evaluate(s)).toHaveLength(1);
  });

  it('reaches the gated clear only when Windows says the TPM needs one, and says it destroys keys', () => {
    const s = device((w) => {
      w.dsregcmd!.keySignTest = 'FAILED';
      w.dsregcmd!.errorCodes = ['0x80090016'];
      w.tpmtool!.clearNeededToRecover = true;
      w.isReady = {
        isReady: false,
        information: 0x900,
        flags: ['SRK_PUB_MISMATCH', 'OWNER_AUTH_NOT_IN_REGISTRY'],
      };
    });
    const [f] = entraDeviceKeyUnusable.evaluate(s);
    expect(f!.remedy.step).toBe('clear');
    expect(f!.remedy.destroysKeys).toBe(true);
    expect(evidenceLines(f!)).toEqual(
      expect.arrayContaining([
        'tpmtool getdeviceinformation|Clear Needed To Recover=true',
        'Win32_Tpm.IsReadyInformation|Information=0x900',
      ]),
    );
  });

  it('updates firmware instead of clearing when the TPM driver reports a non-recoverable hardware error', () => {
    const s = device((w) => {
      w.dsregcmd!.keySignTest = 'FAILED';
      w.tpmtool!.clearNeededToRecover = true;
      w.events!.push(
        event({
          provider: TPM_DRIVER,
          id: 14,
          level: 'error',
          message:
            'The device driver for the Trusted Platform Module (TPM) encountered a non-recoverable error in the TPM hardware, which prevents TPM services (such as data encryption) from being used.',
        }),
      );
    });
    const [f] = entraDeviceKeyUnusable.evaluate(s);
    expect(f!.remedy.step).toBe('update');
    expect(evidenceLines(f!)).toContain(
      'event System/TPM 14|Message=The device driver for the Trusted Platform Module (TPM) encountered a non-recoverable error in the TPM hardware, which prevents TPM services (such as data encryption) from being used.',
    );
  });
});

describe('entra.device-key-not-in-tpm', () => {
  it('is silent on a healthy device', () => {
    expect(entraDeviceKeyNotInTpm.evaluate(device())).toEqual([]);
  });

  it('is silent on a PC with no TPM (a software key is expected there)', () => {
    const s = device((w) => {
      w.dsregcmd!.tpmProtected = false;
      w.dsregcmd!.keyProvider = 'Microsoft Software Key Storage Provider';
      w.getTpm!.tpmPresent = false;
      w.tpmtool!.tpmPresent = false;
    });
    expect(entraDeviceKeyNotInTpm.evaluate(s)).toEqual([]);
  });

  it('is silent on a device that is not joined', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdJoined = false;
      w.dsregcmd!.tpmProtected = false;
    });
    expect(entraDeviceKeyNotInTpm.evaluate(s)).toEqual([]);
  });

  it('fires on the software KSP with a working TPM, citing the exact values', () => {
    const s = device((w) => {
      w.dsregcmd!.tpmProtected = false;
      w.dsregcmd!.keyProvider = 'Microsoft Software Key Storage Provider';
      w.dsregcmd!.errorCodes = ['0x80290407'];
    });
    const [f] = entraDeviceKeyNotInTpm.evaluate(s);
    expect(f!.id).toBe('entra.device-key-not-in-tpm');
    expect(f!.severity).toBe('warning');
    expect(f!.remedy.step).toBe('reconfigure');
    expect(f!.remedy.action).toMatch(/^The TPM is ready now/);
    expect(evidenceLines(f!)).toEqual([
      'dsregcmd|AzureAdJoined=YES',
      'dsregcmd|DomainJoined=YES',
      'dsregcmd|TpmProtected=NO',
      'dsregcmd|KeyProvider=Microsoft Software Key Storage Provider',
      'Get-Tpm|TpmPresent=true',
      'Get-Tpm|TpmReady=true',
      'tpmtool getdeviceinformation|TPM Present=true',
      'tpmtool getdeviceinformation|Ready For Storage=true',
      'dsregcmd|error code=0x80290407',
    ]);
  });

  it('says to fix the TPM first when the TPM is present but not ready', () => {
    const s = device((w) => {
      w.dsregcmd!.tpmProtected = false;
      w.getTpm!.tpmReady = false;
    });
    const [f] = entraDeviceKeyNotInTpm.evaluate(s);
    expect(f!.remedy.action).toMatch(/^Fix the TPM findings first/);
  });
});

describe('entra.no-prt', () => {
  it('is silent on a healthy device', () => {
    expect(entraNoPrt.evaluate(device())).toEqual([]);
  });

  it('is silent when dsregcmd ran as SYSTEM (its SSO State is not the user’s)', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.dsregcmd!.raw['User Context'] = 'SYSTEM';
    });
    expect(entraNoPrt.evaluate(s)).toEqual([]);
  });

  it('is silent on a device that is not joined', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdJoined = false;
      w.dsregcmd!.azureAdPrt = false;
    });
    expect(entraNoPrt.evaluate(s)).toEqual([]);
  });

  it('asks for a sign-in when there is no lockout', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.dsregcmd!.raw['Attempt Status'] = '0xc000006d';
    });
    const [f] = entraNoPrt.evaluate(s);
    expect(f!.severity).toBe('error');
    expect(f!.remedy.step).toBe('restart');
    expect(f!.blocksClear).toBeUndefined();
    expect(evidenceLines(f!)).toEqual([
      'dsregcmd|AzureAdJoined=YES',
      'dsregcmd|DomainJoined=YES',
      'dsregcmd|AzureAdPrt=NO',
      'dsregcmd|Attempt Status=0xc000006d',
    ]);
  });

  it('links TPM-WMI 1026 (dictionary-attack lockout): reset the lockout, and never clear for it', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.getTpm!.lockedOut = true;
      w.events!.push(event({ provider: TPM_WMI, id: 1026, timeCreated: hoursAgo(1), message: LOCKOUT_1026 }));
    });
    const [f] = entraNoPrt.evaluate(s);
    expect(f!.remedy.step).toBe('reset-lockout');
    expect(f!.blocksClear).toMatch(/dictionary-attack lockout/);
    expect(evidenceLines(f!)).toEqual(
      expect.arrayContaining([
        'Get-Tpm|LockedOut=true',
        'Get-Tpm|LockoutHealTime=10 minutes',
        `event System/TPM-WMI 1026|TimeCreated=${hoursAgo(1)}`,
        'event System/TPM-WMI 1026|Message=The Trusted Platform Module (TPM) hardware on this computer cannot be provisioned for use automatically.  To set up the TPM interactively use the TPM management console (Start->tpm.msc) and use the action to make the TPM ready.',
      ]),
    );
  });

  it('treats a 1026 lockout as in play when no live source says otherwise', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.getTpm = null;
      w.tpmtool = null;
      w.events!.push(event({ provider: TPM_WMI, id: 1026, message: LOCKOUT_1026 }));
    });
    expect(entraNoPrt.evaluate(s)[0]!.remedy.step).toBe('reset-lockout');
  });

  it('asks for a sign-in when the 1026 lockout has healed', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.events!.push(
        event({ provider: TPM_WMI, id: 1026, timeCreated: hoursAgo(30), message: LOCKOUT_1026 }),
      );
    });
    const [f] = entraNoPrt.evaluate(s);
    expect(f!.remedy.step).toBe('restart');
    expect(f!.remedy.action).toMatch(/^The earlier TPM lockout has healed/);
    expect(f!.blocksClear).toBeUndefined();
  });

  it('ignores a 1026 that is not about the dictionary-attack lockout', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.events!.push(
        event({
          provider: TPM_WMI,
          id: 1026,
          message: 'cannot be provisioned... Error: The TPM is disabled.',
        }),
      );
    });
    const [f] = entraNoPrt.evaluate(s);
    expect(f!.remedy.step).toBe('restart');
    expect(f!.remedy.action).not.toMatch(/lockout/);
  });

  it('defers to entra.device-key-unusable (no step of its own) when the device key is the cause', () => {
    const s = device((w) => {
      w.dsregcmd!.azureAdPrt = false;
      w.dsregcmd!.keySignTest = 'FAILED';
    });
    expect(entraNoPrt.evaluate(s)[0]!.remedy.step).toBe('none');
  });
});
