import { describe, expect, it } from 'vitest';
import { helloNotProvisioned } from '../../../src/diagnose/rules/windows/hello-not-provisioned.js';
import { mdmNotEnrolled } from '../../../src/diagnose/rules/windows/mdm-not-enrolled.js';
import { mdmSyncFailing } from '../../../src/diagnose/rules/windows/mdm-sync-failing.js';
import { DMEDP, DMEDP_ADMIN, device, event, evidenceLines, hoursAgo, TPM_DRIVER } from './support.js';

describe('hello.not-provisioned', () => {
  it('is silent on a healthy device, when run as SYSTEM, and on an unmanaged PC', () => {
    expect(helloNotProvisioned.evaluate(device())).toEqual([]);
    expect(
      helloNotProvisioned.evaluate(
        device((w) => {
          w.dsregcmd!.ngcSet = false;
          w.dsregcmd!.raw['User Context'] = 'SYSTEM';
        }),
      ),
    ).toEqual([]);
    expect(
      helloNotProvisioned.evaluate(
        device((w) => {
          w.dsregcmd!.ngcSet = false;
          w.dsregcmd!.azureAdJoined = false;
          w.enrollments = [];
        }),
      ),
    ).toEqual([]);
  });

  it('is info when nothing expects Hello', () => {
    const [f] = helloNotProvisioned.evaluate(
      device((w) => {
        w.dsregcmd!.ngcSet = false;
      }),
    );
    expect(f!.id).toBe('hello.not-provisioned');
    expect(f!.severity).toBe('info');
    expect(f!.remedy.step).toBe('reconfigure');
    expect(evidenceLines(f!)).toEqual(['dsregcmd|NgcSet=NO']);
  });

  it('is a warning after a TPM clear (event 33) or when policy enables Hello', () => {
    const cleared = helloNotProvisioned.evaluate(
      device((w) => {
        w.dsregcmd!.ngcSet = false;
        w.events!.push(
          event({
            provider: TPM_DRIVER,
            id: 33,
            timeCreated: hoursAgo(5),
            message: 'The TPM has been cleared as requested by the Physical Presence Interface.',
          }),
        );
      }),
    )[0]!;
    expect(cleared.severity).toBe('warning');
    expect(cleared.why).toMatch(/^The TPM was cleared/);
    expect(evidenceLines(cleared)).toContain(`event System/TPM 33|TimeCreated=${hoursAgo(5)}`);

    const policy = helloNotProvisioned.evaluate(
      device((w) => {
        w.dsregcmd!.ngcSet = false;
        w.dsregcmd!.raw.PolicyEnabled = 'YES';
        w.dsregcmd!.raw.PreReqResult = 'WillProvision';
      }),
    )[0]!;
    expect(policy.severity).toBe('warning');
    expect(evidenceLines(policy)).toEqual([
      'dsregcmd|NgcSet=NO',
      'dsregcmd|PolicyEnabled=YES',
      'dsregcmd|PreReqResult=WillProvision',
    ]);
  });
});

describe('mdm.not-enrolled', () => {
  it('is silent on an enrolled device and when enrollments were not collected', () => {
    expect(mdmNotEnrolled.evaluate(device())).toEqual([]);
    expect(
      mdmNotEnrolled.evaluate(
        device((w) => {
          w.enrollments = null;
        }),
      ),
    ).toEqual([]);
  });

  it('matches the ProviderID without regard to case', () => {
    expect(
      mdmNotEnrolled.evaluate(
        device((w) => {
          w.enrollments![0]!.providerId = 'ms dm server';
        }),
      ),
    ).toEqual([]);
  });

  it('fires when no enrollment has ProviderID "MS DM Server"', () => {
    const [f] = mdmNotEnrolled.evaluate(
      device((w) => {
        w.enrollments = [
          {
            enrollmentId: 'aa',
            providerId: 'WMI_Bridge_SCCM_Server',
            upn: null,
            enrollmentState: 1,
            enrollmentType: 0,
          },
        ];
        w.dsregcmd!.raw.MdmUrl = '';
      }),
    );
    expect(f!.id).toBe('mdm.not-enrolled');
    expect(f!.severity).toBe('error');
    expect(f!.remedy.step).toBe('reconfigure');
    expect(evidenceLines(f!)).toEqual([
      'registry HKLM\\SOFTWARE\\Microsoft\\Enrollments|enrollment keys=1',
      'registry HKLM\\SOFTWARE\\Microsoft\\Enrollments|ProviderID=WMI_Bridge_SCCM_Server',
      'dsregcmd|AzureAdJoined=YES',
      'dsregcmd|MdmUrl=(empty)',
    ]);
  });
});

describe('mdm.sync-failing', () => {
  it('is silent on a device that synced 2 hours ago', () => {
    expect(mdmSyncFailing.evaluate(device())).toEqual([]);
  });

  it('is silent within three 8-hour cycles (a PC asleep overnight)', () => {
    const s = device((w) => {
      w.mdmSync = { lastSuccessfulSync: hoursAgo(23), lastAttemptedSync: hoursAgo(23), lastErrorCode: null };
    });
    expect(mdmSyncFailing.evaluate(s)).toEqual([]);
  });

  it('ignores an old error code that a later successful sync superseded, and policy (404) errors', () => {
    const s = device((w) => {
      w.mdmSync = {
        lastSuccessfulSync: hoursAgo(1),
        lastAttemptedSync: hoursAgo(1),
        lastErrorCode: '0x80072ee2',
      };
      w.events!.push(
        event({
          log: DMEDP_ADMIN,
          provider: DMEDP,
          id: 404,
          level: 'error',
          message: 'MDM ConfigurationManager: Command failure status.',
        }),
      );
    });
    expect(mdmSyncFailing.evaluate(s)).toEqual([]);
  });

  it('is silent when the PC is not enrolled (mdm.not-enrolled covers it)', () => {
    const s = device((w) => {
      w.enrollments = [];
      w.mdmSync = {
        lastSuccessfulSync: hoursAgo(100),
        lastAttemptedSync: hoursAgo(1),
        lastErrorCode: '0x80072ee2',
      };
    });
    expect(mdmSyncFailing.evaluate(s)).toEqual([]);
  });

  it('is a warning for a failed session after the last success', () => {
    const s = device((w) => {
      w.mdmSync = {
        lastSuccessfulSync: hoursAgo(6),
        lastAttemptedSync: hoursAgo(1),
        lastErrorCode: '0x80072ee2',
      };
    });
    const [f] = mdmSyncFailing.evaluate(s);
    expect(f!.id).toBe('mdm.sync-failing');
    expect(f!.severity).toBe('warning');
    expect(f!.remedy.step).toBe('restart');
    expect(f!.title).toBe('Intune sync sessions are failing');
    expect(evidenceLines(f!)).toEqual([
      `OMADM sync state|lastSuccessfulSync=${hoursAgo(6)}`,
      `OMADM sync state|lastAttemptedSync=${hoursAgo(1)}`,
      'OMADM sync state|lastErrorCode=0x80072ee2',
      'OMADM sync state|hours since last successful sync=6',
    ]);
  });

  it('is an error when stale and failing, citing the session events', () => {
    const s = device((w) => {
      w.mdmSync = {
        lastSuccessfulSync: hoursAgo(50),
        lastAttemptedSync: hoursAgo(2),
        lastErrorCode: '0x80190190',
      };
      w.events!.push(
        event({
          log: DMEDP_ADMIN,
          provider: DMEDP,
          id: 209,
          level: 'error',
          timeCreated: hoursAgo(2),
          message: 'MDM Session: OMA-DM session ended with status: (Unknown Win32 Error code: 0x80190190).',
        }),
      );
    });
    const [f] = mdmSyncFailing.evaluate(s);
    expect(f!.severity).toBe('error');
    expect(f!.title).toBe('Intune has not synced for 50 hours');
    expect(evidenceLines(f!)).toContain(
      `event Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin 209|TimeCreated=${hoursAgo(2)}`,
    );
  });

  it('is an error when silent past the 30-day compliance validity period', () => {
    const s = device((w) => {
      w.mdmSync = { lastSuccessfulSync: hoursAgo(31 * 24), lastAttemptedSync: null, lastErrorCode: null };
    });
    expect(mdmSyncFailing.evaluate(s)[0]!.severity).toBe('error');
  });

  it('defers to the Entra finding when the device key is unusable', () => {
    const s = device((w) => {
      w.mdmSync = {
        lastSuccessfulSync: hoursAgo(50),
        lastAttemptedSync: hoursAgo(2),
        lastErrorCode: '0x80190190',
      };
      w.dsregcmd!.aadRecoveryEnabled = true;
    });
    expect(mdmSyncFailing.evaluate(s)[0]!.remedy.step).toBe('none');
  });

  it('names a deleted or disabled device object as the cause', () => {
    const s = device((w) => {
      w.mdmSync = {
        lastSuccessfulSync: hoursAgo(50),
        lastAttemptedSync: hoursAgo(2),
        lastErrorCode: '0x80190190',
      };
      w.dsregcmd!.deviceAuthStatus = 'FAILED. Device is either disabled or deleted';
    });
    const [f] = mdmSyncFailing.evaluate(s);
    expect(f!.remedy.step).toBe('reconfigure');
    expect(evidenceLines(f!)).toContain(
      'dsregcmd|DeviceAuthStatus=FAILED. Device is either disabled or deleted',
    );
  });
});
