/**
 * Shared by the test/diagnose/tpm/*.test.ts files: typed snapshots for the pure tests, and a live
 * probe of a swtpm for the scenario tests.
 *
 * The scenario tests build every broken state with tpm2-tools, never with tpm-doctor's own code;
 * only the READ (probeTpmStatus) is ours. swtpm serves one data connection at a time and tpm2-tools
 * opens a new one per command, so {@link probeSnapshot} always closes its connection before
 * returning.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Diagnosis, diagnose } from '../../../src/diagnose/diagnose.js';
import { TPM_RULES } from '../../../src/diagnose/rules/tpm/index.js';
import type { SwtpmInstance } from '../../../src/lab/swtpm-process.js';
import { probeTpmStatus } from '../../../src/probe/tpm-status.js';
import type { Snapshot } from '../../../src/snapshot/snapshot.js';
import type { TpmStatus } from '../../../src/snapshot/tpm-status.js';
import type {
  EkInfo,
  GetTpmInfo,
  IsReadyInfo,
  TpmtoolInfo,
  Win32TpmInfo,
  WindowsEvidence,
} from '../../../src/snapshot/windows-evidence.js';
import { Tpm } from '../../../src/tpm/tpm.js';
import { swtpmTransport } from '../../../src/tpm/transport/swtpm.js';
import { SwtpmControl } from '../../../src/tpm/transport/swtpm-control.js';
import { tpm2 } from '../../support/tpm2-tools.js';

const TAKEN_AT = '2026-11-24T12:00:00.000Z';

/** Reads the swtpm with tpm-doctor's probe and wraps it in a snapshot (windows: null). */
export async function probeSnapshot(instance: SwtpmInstance): Promise<Snapshot> {
  const tpm = new Tpm(swtpmTransport(instance.host, instance.port, { timeoutMs: 30_000 }));
  try {
    const status = await probeTpmStatus(tpm, { uri: instance.uri });
    return { schema: 'tpm-doctor/snapshot/v1', takenAt: status.collectedAt, tpm: status, windows: null };
  } finally {
    await tpm.close();
  }
}

/** diagnose() with the tpm.* rules only (the Windows rules are another suite's subject). */
export function diagnoseTpm(snapshot: Snapshot): Diagnosis {
  return diagnose(snapshot, TPM_RULES);
}

/** The finding IDs, sorted: scenario tests assert the exact set. */
export function ids(d: Diagnosis): string[] {
  return d.findings.map((f) => f.id).sort();
}

/** Probe + diagnose in one step. */
export async function diagnoseLive(instance: SwtpmInstance): Promise<Diagnosis> {
  return diagnoseTpm(await probeSnapshot(instance));
}

/** A power cycle: _TPM_Init over swtpm's control channel, then tpm2_startup -c (as firmware would). */
export async function powerCycle(
  instance: SwtpmInstance,
  options: { startup?: boolean; orderly?: boolean } = {},
) {
  // Shutdown(CLEAR), as at a reboot: Shutdown(STATE) is refused while a PCR allocation is pending.
  if (options.orderly ?? true) await tpm2(instance, ['tpm2_shutdown', '-c']);
  const control = new SwtpmControl(instance.host, instance.controlPort);
  try {
    await control.init();
  } finally {
    await control.close();
  }
  if (options.startup ?? true) await tpm2(instance, ['tpm2_startup', '-c']);
}

/** A temporary directory for context files, removed after the file's tests. */
export function useTempDir(prefix = 'tpm-doctor-diagnose-'): { file(name: string): string } {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    file(name: string): string {
      if (!dir) throw new Error('useTempDir(): call file() inside a test');
      return path.join(dir, name);
    },
  };
}

// ---------------------------------------------------------------------------
// Typed evidence for the pure tests

/** The status a freshly provisioned swtpm reports (as read by probeTpmStatus on swtpm 0.7.1). */
export function healthyStatus(): TpmStatus {
  const pcrs = Array.from({ length: 24 }, (_, i) => i);
  return {
    schema: 'tpm-doctor/status/v1',
    tpm: { uri: 'swtpm://127.0.0.1:2321', lab: true },
    collectedAt: TAKEN_AT,
    present: true,
    started: true,
    identity: {
      family: '2.0',
      level: 0,
      revision: '1.64',
      specDate: '2021-03-16',
      manufacturer: { id: 'IBM', name: 'IBM', code: '0x49424d00' },
      vendorString: 'SW TPM',
      vendorTpmType: 1,
      firmwareVersion: '8217.4131.22.13878',
      firmwareVersionRaw: ['0x20191023', '0x00163636'],
    },
    selfTest: {
      ok: true,
      code: '0x000',
      name: 'TPM_RC_SUCCESS',
      message: 'The command completed successfully.',
    },
    permanent: {
      value: '0x00000400',
      set: ['tpmGeneratedEPS'],
      flags: {
        ownerAuthSet: false,
        endorsementAuthSet: false,
        lockoutAuthSet: false,
        disableClear: false,
        inLockout: false,
        tpmGeneratedEPS: true,
      },
    },
    startupClear: {
      value: '0x8000000f',
      set: ['phEnable', 'shEnable', 'ehEnable', 'phEnableNV', 'orderly'],
      flags: { phEnable: true, shEnable: true, ehEnable: true, phEnableNV: true, orderly: true },
    },
    dictionaryAttack: {
      inLockout: false,
      failedTries: 0,
      maxTries: 3,
      recoveryTimeSeconds: 1000,
      lockoutRecoverySeconds: 1000,
      lockoutAuthSet: false,
    },
    pcrBanks: [{ hashAlg: 'sha256', algorithmId: '0x000b', pcrs, values: {} }],
    persistentObjects: [
      {
        handle: '0x81010001',
        hierarchy: 'endorsement',
        purpose: 'Endorsement Key (EK) (TCG TPM v2.0 Provisioning Guidance, Table 2)',
        type: 'rsa',
        nameAlg: 'sha256',
        attributes: 'fixedtpm|fixedparent|sensitivedataorigin|adminwithpolicy|restricted|decrypt',
        attributesValue: '0x000300b2',
        keyBits: 2048,
        curve: null,
        name: '000b443e9a13b1f5103b9cc398fe0197451d09f49a24d3fa6d37e412b140b490ce28',
      },
    ],
    transientHandles: [],
    nvIndices: [
      {
        index: '0x01c00002',
        hierarchy: 'platform',
        platformCreated: true,
        purpose: 'RSA 2048 EK certificate (EK Credential Profile, low range)',
        type: 'ordinary',
        nameAlg: 'sha256',
        attributes: 'ppwrite|writelocked|writedefine|ppread|ownerread|authread|no_da|written|platformcreate',
        attributesValue: '0x62072801',
        size: 1016,
        authPolicy: '',
        name: '000bb5d3a23a70e478f7e05c57e9157d9c0391150c5b99795828088f2c552060eb4f',
      },
    ],
    capacity: {
      persistentLoaded: 1,
      persistentAvailable: 62,
      transientAvailable: 3,
      loadedSessionsAvailable: 3,
      activeSessionsAvailable: 64,
      nvIndicesDefined: 1,
      nvCountersAvailable: 25,
    },
    algorithms: null,
    eccCurves: null,
    clock: { clockMs: 708, resetCount: 2, restartCount: 0, safe: true },
    endorsement: {
      certificates: [
        {
          nvIndex: '0x01c00002',
          template: 'L-1',
          label: 'RSA 2048 (low range)',
          subject: 'CN=unknown',
          issuer: 'CN=swtpm-localca',
          serialNumber: '02',
          notBefore: '2026-11-24T14:40:32.000Z',
          notAfter: '9999-12-31T23:59:59.000Z',
          validNow: true,
          key: 'rsa 2048',
          fingerprintSha256: 'b05505855ecae85926da31d65cb3217bc0ca438bc6b6350f4adec52ede73361f',
          ek: { source: 'persistent', handle: '0x81010001' },
          matches: true,
          reason: null,
          error: null,
        },
      ],
    },
    properties: null,
    errors: [],
  };
}

/** The same TPM with another manufacturer and firmware version (e.g. an Infineon 7.61 for ROCA). */
export function withIdentity(status: TpmStatus, vendor: string, firmwareVersion: string): TpmStatus {
  const [a = 0, b = 0, c = 0, d = 0] = firmwareVersion.split('.').map(Number);
  const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
  return {
    ...status,
    identity: {
      ...status.identity!,
      manufacturer: { id: vendor, name: vendor, code: status.identity!.manufacturer.code },
      firmwareVersion,
      firmwareVersionRaw: [hex(((a << 16) | b) >>> 0), hex(((c << 16) | d) >>> 0)],
    },
  };
}

export function getTpm(overrides: Partial<GetTpmInfo> = {}): GetTpmInfo {
  return {
    tpmPresent: true,
    tpmReady: true,
    tpmEnabled: true,
    tpmActivated: true,
    tpmOwned: true,
    restartPending: false,
    manufacturerId: 0x494e5443,
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
    ownerAuthPresent: false,
    ...overrides,
  };
}

export function isReady(information: number, ready = information === 0): IsReadyInfo {
  return { isReady: ready, information, flags: [] };
}

export function tpmtool(overrides: Partial<TpmtoolInfo> = {}): TpmtoolInfo {
  return {
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
    pcr7BindingState: 'Binding Possible',
    lockout: {
      isLockedOut: false,
      counter: 0,
      maxAuthFail: 32,
      intervalSeconds: 600,
      recoverySeconds: 86400,
    },
    ...overrides,
  };
}

export function win32Tpm(overrides: Partial<Win32TpmInfo> = {}): Win32TpmInfo {
  return {
    specVersion: '2.0, 0, 1.59',
    manufacturerId: 0x494e5443,
    manufacturerIdTxt: 'INTC',
    manufacturerVersion: '600.18.0.0',
    manufacturerVersionInfo: 'Intel',
    physicalPresenceVersionInfo: '1.3',
    isActivated: true,
    isEnabled: true,
    isOwned: true,
    ...overrides,
  };
}

export function ekInfo(overrides: Partial<EkInfo> = {}): EkInfo {
  return {
    isPresent: true,
    manufacturerCertificates: 1,
    additionalCertificates: 0,
    publicKeyHash: null,
    ...overrides,
  };
}

/** Windows evidence with every section empty except the ones given. */
export function windowsEvidence(sections: Partial<WindowsEvidence> = {}): WindowsEvidence {
  return {
    origin: 'test',
    collectedAt: TAKEN_AT,
    computerName: 'PC-0001',
    osVersion: '10.0.26100',
    elevated: true,
    getTpm: null,
    win32Tpm: null,
    isReady: null,
    ekInfo: null,
    tpmtool: null,
    dsregcmd: null,
    bitlocker: null,
    enrollments: null,
    mdmSync: null,
    events: null,
    problems: [],
    ...sections,
  };
}

/**
 * A healthy Windows device (Intel PTT) as the evidence collectors would report it, including its
 * OS volume: C: encrypted, unlocked by the TPM, with a recovery password (a verdict needs the OS
 * volume's protectors; without them it is "incomplete", see src/diagnose/unknowns.ts).
 */
export function healthyWindows(sections: Partial<WindowsEvidence> = {}): WindowsEvidence {
  return windowsEvidence({
    getTpm: getTpm(),
    win32Tpm: win32Tpm(),
    isReady: isReady(0, true),
    ekInfo: ekInfo(),
    tpmtool: tpmtool(),
    bitlocker: [
      {
        mountPoint: 'C:',
        volumeType: 'OperatingSystem',
        volumeStatus: 'FullyEncrypted',
        protectionStatus: 'On',
        suspendedRebootCount: null,
        keyProtectors: [
          { id: '3b3e091c-ecb9-4b46-9fdd-a9e699ec3c8c', type: 'Tpm' },
          { id: '8a696888-99a7-4fac-92c7-6cc497ea7bdf', type: 'RecoveryPassword' },
        ],
      },
    ],
    ...sections,
  });
}

export function snapshot(tpm: TpmStatus | null, windows: WindowsEvidence | null = null): Snapshot {
  return { schema: 'tpm-doctor/snapshot/v1', takenAt: TAKEN_AT, tpm, windows };
}
