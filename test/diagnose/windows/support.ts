import type { Finding } from '../../../src/diagnose/finding.js';
import type { Rule } from '../../../src/diagnose/rule.js';
import type { Snapshot } from '../../../src/snapshot/snapshot.js';
import type { WindowsEvent, WindowsEvidence } from '../../../src/snapshot/windows-evidence.js';

/** When the evidence was collected: every relative time in these tests counts back from here. */
export const COLLECTED_AT = '2025-06-02T09:00:00.000Z';

export function hoursAgo(hours: number): string {
  return new Date(Date.parse(COLLECTED_AT) - hours * 3_600_000).toISOString();
}

export function event(e: Partial<WindowsEvent> & Pick<WindowsEvent, 'provider' | 'id'>): WindowsEvent {
  return { log: 'System', level: 'information', timeCreated: hoursAgo(1), message: '', ...e };
}

export const TPM_WMI = 'Microsoft-Windows-TPM-WMI';
export const TPM_DRIVER = 'TPM';
export const UDR = 'Microsoft-Windows-User Device Registration';
export const UDR_ADMIN = 'Microsoft-Windows-User Device Registration/Admin';
export const DMEDP = 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider';
export const DMEDP_ADMIN = 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin';
export const AUTOPILOT = 'Microsoft-Windows-ModernDeployment-Diagnostics-Provider';
export const AUTOPILOT_LOG = 'Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot';

/**
 * A healthy, hybrid-joined, Intune-enrolled PC with a ready TPM 2.0 and BitLocker on C: (TPM +
 * recovery password), as the Windows collectors would report it. Each test copies it and breaks one
 * thing. Values follow the samples in the research (dsregcmd doc, Get-Tpm doc, tpmtool).
 */
export function healthyWindows(): WindowsEvidence {
  return {
    origin: 'test',
    collectedAt: COLLECTED_AT,
    computerName: 'PC-0042',
    osVersion: '10.0.22631',
    elevated: true,
    getTpm: {
      tpmPresent: true,
      tpmReady: true,
      tpmEnabled: true,
      tpmActivated: true,
      tpmOwned: true,
      restartPending: false,
      manufacturerId: 1229870147,
      manufacturerIdTxt: 'INTC',
      manufacturerVersion: '600.18.0.0',
      manufacturerVersionFull20: '600.18.0.0',
      managedAuthLevel: 'Full',
      ownerClearDisabled: false,
      autoProvisioning: 'Enabled',
      lockedOut: false,
      lockoutHealTime: '10 minutes',
      lockoutCount: 0,
      lockoutMax: 31,
      ownerAuthPresent: true,
    },
    win32Tpm: {
      specVersion: '2.0, 0, 1.59',
      manufacturerId: 1229870147,
      manufacturerIdTxt: 'INTC',
      manufacturerVersion: '600.18.0.0',
      manufacturerVersionInfo: 'Intel',
      physicalPresenceVersionInfo: '1.3',
      isActivated: true,
      isEnabled: true,
      isOwned: true,
    },
    isReady: { isReady: true, information: 0, flags: [] },
    ekInfo: {
      isPresent: true,
      manufacturerCertificates: 1,
      additionalCertificates: 0,
      publicKeyHash: 'ab'.repeat(32),
    },
    tpmtool: {
      tpmPresent: true,
      tpmVersion: '2.0',
      manufacturerId: 'INTC',
      manufacturerVersion: '600.18.0.0',
      isInitialized: true,
      readyForStorage: true,
      readyForAttestation: true,
      isCapableForAttestation: true,
      clearNeededToRecover: false,
      clearPossible: true,
      hasVulnerableFirmware: false,
      maintenanceTaskComplete: true,
      pcr7BindingState: 'Bound',
      lockout: {
        isLockedOut: false,
        counter: 0,
        maxAuthFail: 32,
        intervalSeconds: 7200,
        recoverySeconds: 86400,
      },
    },
    dsregcmd: {
      azureAdJoined: true,
      domainJoined: true,
      enterpriseJoined: false,
      deviceId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      tpmProtected: true,
      keyProvider: 'Microsoft Platform Crypto Provider',
      deviceAuthStatus: 'SUCCESS',
      ngcSet: true,
      azureAdPrt: true,
      keySignTest: 'PASSED',
      aadRecoveryEnabled: false,
      errorCodes: [],
      raw: {
        AzureAdJoined: 'YES',
        DomainJoined: 'YES',
        KeyProvider: 'Microsoft Platform Crypto Provider',
        TpmProtected: 'YES',
        DeviceAuthStatus: 'SUCCESS',
        MdmUrl: 'https://enrollment.manage.microsoft.com/enrollmentserver/discovery.svc',
        NgcSet: 'YES',
        AzureAdPrt: 'YES',
        AadRecoveryEnabled: 'NO',
        KeySignTest: 'PASSED',
      },
    },
    bitlocker: [
      {
        mountPoint: 'C:',
        volumeType: 'OperatingSystem',
        volumeStatus: 'FullyEncrypted',
        protectionStatus: 'On',
        suspendedRebootCount: null,
        keyProtectors: [
          { id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' },
          { id: 'dfa26333-1111-402c-2222-a8c40af33333', type: 'RecoveryPassword' },
        ],
      },
    ],
    enrollments: [
      {
        enrollmentId: '1f3b2c4d-0000-4a5b-8c9d-0e1f2a3b4c5d',
        providerId: 'MS DM Server',
        upn: 'user@contoso.com',
        enrollmentState: 1,
        enrollmentType: 6,
      },
    ],
    mdmSync: { lastSuccessfulSync: hoursAgo(2), lastAttemptedSync: hoursAgo(2), lastErrorCode: '0x00000000' },
    events: [
      event({
        log: DMEDP_ADMIN,
        provider: DMEDP,
        id: 209,
        timeCreated: hoursAgo(2),
        message: 'MDM Session: OMA-DM session ended with status: (The operation completed successfully.).',
      }),
      event({
        provider: TPM_WMI,
        id: 1808,
        timeCreated: hoursAgo(300),
        message:
          'This device has updated Secure Boot CA/keys. This device signature information is included here.',
      }),
    ],
    problems: [],
  };
}

export function snapshotOf(windows: WindowsEvidence | null, tpm: Snapshot['tpm'] = null): Snapshot {
  return { schema: 'tpm-doctor/snapshot/v1', takenAt: '2025-06-02T09:05:00.000Z', tpm, windows };
}

/** A snapshot of the healthy PC with `change` applied to a fresh copy of its evidence. */
export function device(change: (w: WindowsEvidence) => void = () => {}): Snapshot {
  const w = healthyWindows();
  change(w);
  return snapshotOf(w);
}

export function run(rule: Rule, snapshot: Snapshot): Finding[] {
  return rule.evaluate(snapshot);
}

/** The evidence of a finding as `source|field=value` strings, for exact comparisons. */
export function evidenceLines(f: Finding): string[] {
  return f.evidence.map((e) => `${e.source}|${e.field}=${String(e.value)}`);
}
