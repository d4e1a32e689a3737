/**
 * The preflight gate, check by check, over typed snapshots (docs/clear.md, checks 1-6). Pure: no TPM.
 */
import { describe, expect, it } from 'vitest';
import { lockoutRemainingSeconds } from '../../../src/remedy/preflight/blockers.js';
import type { GateOptions } from '../../../src/remedy/preflight/gate.js';
import { gatePasses, runPreflight } from '../../../src/remedy/preflight/run-preflight.js';
import type { TpmStatus } from '../../../src/snapshot/tpm-status.js';
import type { WindowsEvidence } from '../../../src/snapshot/windows-evidence.js';
import {
  byId,
  clearDiagnosis,
  diagnosis,
  expectActionable,
  expectNoRecoveryPassword,
  findingOf,
  healthyStatus,
  healthyWindows,
  INTUNE,
  osVolume,
  pcStatus,
  RECOVERY_ID,
  snapshot,
  verdict,
} from './support.js';

const LAB: GateOptions = { method: 'platform', purpose: 'repair' };

function withFlags(status: TpmStatus, flags: Partial<Record<string, boolean>>): TpmStatus {
  const permanent = status.permanent!;
  const merged = { ...permanent.flags, ...flags } as Record<string, boolean>;
  return {
    ...status,
    permanent: { ...permanent, flags: merged, set: Object.keys(merged).filter((k) => merged[k]) },
    dictionaryAttack: {
      ...status.dictionaryAttack!,
      inLockout: merged.inLockout ?? false,
      lockoutAuthSet: merged.lockoutAuthSet ?? false,
    },
  };
}

/** A Windows PC (TBS TPM) with BitLocker C:, Intune-enrolled, everything ready for a clear. */
function readyPc(windows: Partial<WindowsEvidence> = {}) {
  return snapshot(
    pcStatus({}, healthyStatus()),
    healthyWindows({
      bitlocker: [osVolume({ protectionStatus: 'Off', suspendedRebootCount: 2 })],
      enrollments: [INTUNE],
      ...windows,
    }),
  );
}
const PC_OPTIONS: GateOptions = {
  method: 'lockout',
  purpose: 'repair',
  approvedBy: 'Alice Admin',
  ticket: 'CHG-1234',
  escrowedProtectorIds: [RECOVERY_ID],
};

describe('the whole gate', () => {
  it('a lab TPM, repair with a clear recommended, platform auth: every check passes', () => {
    const r = runPreflight(snapshot(healthyStatus()), clearDiagnosis(), LAB);
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['reason', 'pass'],
      ['backup.recovery-password', 'pass'],
      ['backup.escrow', 'pass'],
      ['backup.bitlocker-suspended', 'pass'],
      ['rights.elevated', 'pass'],
      ['rights.clear-authorization', 'pass'],
      ['approval', 'pass'],
      ['blocker.disable-clear', 'pass'],
      ['blocker.lockout', 'pass'],
      ['blocker.firmware', 'pass'],
      ['inventory', 'pass'],
    ]);
    expect(r.passed).toBe(true);
    expect(byId(r, 'backup.escrow').message).toContain('No Windows volumes (not a Windows device)');
  });

  it('a Windows PC ready for a lockout-authorised clear passes', () => {
    const r = runPreflight(readyPc(), clearDiagnosis(), PC_OPTIONS);
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('an unknown blocks until that exact check is acknowledged; a fail blocks whatever is acknowledged', () => {
    // An unmanaged PC, a PPI clear with no approval recorded: the firmware prompt is unknown.
    const s = readyPc({ enrollments: [] });
    const { approvedBy: _by, ticket: _ticket, ...unapproved } = PC_OPTIONS;
    const options: GateOptions = { ...unapproved, method: 'ppi' };
    const r = runPreflight(s, clearDiagnosis(), options);
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status])).toEqual([
      ['rights.clear-authorization', 'unknown'],
    ]);
    expect(r.passed).toBe(false);
    expect(runPreflight(s, clearDiagnosis(), { ...options, acknowledged: ['approval'] }).passed).toBe(false);
    expect(
      runPreflight(s, clearDiagnosis(), { ...options, acknowledged: ['rights.clear-authorization'] }).passed,
    ).toBe(true);
    const failing = runPreflight(s, diagnosis(), {
      ...options,
      acknowledged: ['reason', 'rights.clear-authorization'],
    });
    expect(byId(failing, 'reason').status).toBe('fail');
    expect(failing.passed).toBe(false);
    expect(gatePasses([{ id: 'reason', status: 'fail', message: '', evidence: [] }], ['reason'])).toBe(false);
  });
});

describe('1. reason', () => {
  it('repair passes only when the diagnosis recommends a clear', () => {
    expect(byId(runPreflight(readyPc(), clearDiagnosis(), PC_OPTIONS), 'reason').status).toBe('pass');
  });

  it('repair fails with the safer step when the verdict is to wait out a lockout', () => {
    const d = diagnosis(
      verdict({
        status: 'errors',
        nextStep: 'wait',
        action: 'Wait about 2 h with the device switched on.',
        because: ['tpm.lockout'],
        clearBlockedBy: [{ finding: 'tpm.lockout', reason: 'lockout' }],
      }),
    );
    const c = byId(runPreflight(readyPc(), d, PC_OPTIONS), 'reason');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('the safer next step is "wait"');
    expect(c.message).toContain('Wait about 2 h with the device switched on.');
    expect(c.evidence).toContainEqual({
      source: 'diagnosis',
      field: 'verdict.clearBlockedBy',
      value: 'tpm.lockout',
    });
  });

  it('repair of a healthy device fails: nothing needs repairing', () => {
    const c = byId(runPreflight(readyPc(), diagnosis(), PC_OPTIONS), 'reason');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('Nothing needs repairing.');
  });

  it('decommission skips the diagnosis, but the blockers still apply', () => {
    const s = snapshot(withFlags(healthyStatus(), { disableClear: true }));
    const r = runPreflight(s, diagnosis(), { ...LAB, purpose: 'decommission' });
    expect(byId(r, 'reason').status).toBe('pass');
    expect(byId(r, 'blocker.disable-clear').status).toBe('fail');
    expect(r.passed).toBe(false);
  });
});

describe('2. backup', () => {
  it('no Windows evidence on a Windows TPM (tbs:) is unknown, not a pass', () => {
    const r = runPreflight(snapshot(pcStatus({}, healthyStatus())), clearDiagnosis(), PC_OPTIONS);
    for (const id of ['backup.recovery-password', 'backup.escrow', 'backup.bitlocker-suspended'] as const) {
      expect(byId(r, id).status).toBe('unknown');
      expect(byId(r, id).message).toContain(`--acknowledge ${id}`);
    }
  });

  it('a Linux TPM device without Windows evidence passes: not a Windows device', () => {
    const s = snapshot({ ...healthyStatus(), tpm: { uri: 'device:/dev/tpmrm0', lab: false } });
    expect(byId(runPreflight(s, clearDiagnosis(), PC_OPTIONS), 'backup.escrow')).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('not a Windows device'),
    });
  });

  it('BitLocker not read on a Windows device is unknown, asking for an elevated collection', () => {
    const c = byId(
      runPreflight(readyPc({ bitlocker: null }), clearDiagnosis(), PC_OPTIONS),
      'backup.recovery-password',
    );
    expect(c.status).toBe('unknown');
    expect(c.message).toContain('collect again as administrator');
  });

  it('a TPM-protected volume without a recovery password fails, naming the volume and the commands', () => {
    const vol = osVolume({ keyProtectors: [{ id: '1d3f5b7a-9c2e-4f61-8a3c-5e7b9d1f3a60', type: 'TpmPin' }] });
    const r = runPreflight(readyPc({ bitlocker: [vol] }), clearDiagnosis(), PC_OPTIONS);
    const c = byId(r, 'backup.recovery-password');
    expect(c.status).toBe('fail');
    expect(c.message).toMatch(/^C: has a TPM protector but no recovery password/);
    expect(c.message).toContain('manage-bde -protectors -add C: -RecoveryPassword');
    expect(byId(r, 'backup.escrow').status).toBe('fail');
  });

  it('a volume with no TPM protector (a data volume) needs nothing, once the OS volume is known', () => {
    const data = osVolume({
      mountPoint: 'D:',
      volumeType: 'Data',
      keyProtectors: [{ id: 'ab', type: 'ExternalKey' }],
    });
    const decryptedOs = osVolume({
      volumeStatus: 'FullyDecrypted',
      protectionStatus: 'Off',
      keyProtectors: [],
    });
    const r = runPreflight(readyPc({ bitlocker: [decryptedOs, data] }), clearDiagnosis(), PC_OPTIONS);
    expect(byId(r, 'backup.recovery-password').status).toBe('pass');
    expect(byId(r, 'backup.bitlocker-suspended').status).toBe('pass');
  });

  it('a data volume says nothing about the OS volume: without C: in the list, the backup is unknown', () => {
    const data = osVolume({
      mountPoint: 'D:',
      volumeType: 'Data',
      keyProtectors: [{ id: 'ab', type: 'ExternalKey' }],
    });
    const r = runPreflight(readyPc({ bitlocker: [data] }), clearDiagnosis(), PC_OPTIONS);
    expect(byId(r, 'backup.recovery-password').status).toBe('unknown');
    expect(byId(r, 'backup.escrow').status).toBe('unknown');
    expect(r.passed).toBe(false);
  });

  it('an OS volume whose protectors were listed without IDs (or cut off) is unknown, and blocks', () => {
    const noIds = osVolume({
      keyProtectors: [],
      protectorsUnknown: 'the text view prints key protector types without their IDs',
    });
    const r = runPreflight(readyPc({ bitlocker: [noIds] }), clearDiagnosis(), PC_OPTIONS);
    expect(byId(r, 'backup.recovery-password').status).toBe('unknown');
    expect(r.passed).toBe(false);
  });

  it('escrow: matched by protector ID (braces and case ignored), or confirmed by the user, else unknown', () => {
    const s = readyPc();
    const braced = [`{${RECOVERY_ID.toUpperCase()}}`];
    expect(
      byId(
        runPreflight(s, clearDiagnosis(), { ...PC_OPTIONS, escrowedProtectorIds: braced }),
        'backup.escrow',
      ).status,
    ).toBe('pass');
    const none = byId(
      runPreflight(s, clearDiagnosis(), { ...PC_OPTIONS, escrowedProtectorIds: undefined }),
      'backup.escrow',
    );
    expect(none.status).toBe('unknown');
    expect(none.message).toContain(`{${RECOVERY_ID}}`);
    expect(none.message).toContain(
      `BackupToAAD-BitLockerKeyProtector -MountPoint C: -KeyProtectorId "{${RECOVERY_ID}}"`,
    );
    const other = byId(
      runPreflight(s, clearDiagnosis(), { ...PC_OPTIONS, escrowedProtectorIds: ['0000'] }),
      'backup.escrow',
    );
    expect(other.message).toContain('the escrowed keys given do not include it');
    const confirmed = byId(
      runPreflight(s, clearDiagnosis(), {
        ...PC_OPTIONS,
        escrowedProtectorIds: undefined,
        backupConfirmedBy: 'Entra ID, checked by hand',
      }),
      'backup.escrow',
    );
    expect(confirmed).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('Entra ID, checked by hand'),
    });
  });

  it.each([
    ['On', 0, 'fail'],
    ['Off', 1, 'fail'],
    ['Off', 2, 'pass'],
    ['Off', 15, 'pass'],
    ['Off', 0, 'pass'],
    ['Off', null, 'unknown'],
    ['Unknown', null, 'unknown'],
  ] as const)(
    'suspension: ProtectionStatus %s, SuspendedRebootCount %s -> %s',
    (protection, count, expected) => {
      const vol = osVolume({ protectionStatus: protection, suspendedRebootCount: count });
      const c = byId(
        runPreflight(readyPc({ bitlocker: [vol] }), clearDiagnosis(), PC_OPTIONS),
        'backup.bitlocker-suspended',
      );
      expect(c.status).toBe(expected);
      if (expected !== 'pass') expect(c.message).toContain('Suspend-BitLocker -MountPoint C: -RebootCount 2');
    },
  );
});

describe('3. rights', () => {
  it("not elevated: fails with Windows' own message and how to get the rights", () => {
    const c = byId(
      runPreflight(readyPc({ elevated: false }), clearDiagnosis(), PC_OPTIONS),
      'rights.elevated',
    );
    expect(c.status).toBe('fail');
    expect(c.message).toContain('"You must be an administrator to perform this task"');
    expect(c.message).toContain('elevated PowerShell');
    expect(c.message).toContain('Intune Remediation, which runs as SYSTEM');
    expect(
      byId(runPreflight(readyPc({ elevated: null }), clearDiagnosis(), PC_OPTIONS), 'rights.elevated').status,
    ).toBe('unknown');
  });

  describe('Linux device TPM (device:): the clear needs root', () => {
    const linux = () => snapshot({ ...healthyStatus(), tpm: { uri: 'device:/dev/tpmrm0', lab: false } });
    const elevatedCheck = (s = linux(), elevated?: boolean) =>
      byId(
        runPreflight(s, clearDiagnosis(), {
          ...PC_OPTIONS,
          ...(elevated === undefined ? {} : { elevated }),
        }),
        'rights.elevated',
      );

    it('not root fails with the administrator message, sudo, and what needs root', () => {
      const c = elevatedCheck(linux(), false);
      expect(c.status).toBe('fail');
      expect(c.message).toMatch(/^You must be an administrator to perform this task\./);
      expect(c.message).toContain('with sudo');
      expect(c.message).toContain('/sys/class/tpm/tpm0/ppi/request');
      expect(c.message).toContain('/var/lib/tpm-doctor');
      expect(c.evidence).toContainEqual({ source: 'options', field: 'elevated', value: false });
    });

    it('root passes; not told is unknown (blocks unless acknowledged), never a pass', () => {
      expect(elevatedCheck(linux(), true).status).toBe('pass');
      const unknown = elevatedCheck(linux());
      expect(unknown.status).toBe('unknown');
      expect(unknown.message).toContain('sudo');
      expect(unknown.message).toContain('--acknowledge rights.elevated');
      const r = runPreflight(linux(), clearDiagnosis(), { ...PC_OPTIONS, method: 'ppi' });
      expect(r.passed).toBe(false);
    });

    it('Windows evidence next to a device: TPM does not make a non-root Linux process pass', () => {
      const s = snapshot({ ...healthyStatus(), tpm: { uri: 'device:', lab: false } }, healthyWindows());
      expect(elevatedCheck(s, false).status).toBe('fail');
    });

    it('lab and simulator TPMs are exempt, whatever the user', () => {
      const labDevice = snapshot({ ...healthyStatus(), tpm: { uri: 'device:/dev/tpmrm0', lab: true } });
      expect(elevatedCheck(labDevice, false).status).toBe('pass');
      expect(elevatedCheck(snapshot(healthyStatus()), false).status).toBe('pass');
      expect(elevatedCheck(snapshot(healthyStatus())).status).toBe('pass');
    });
  });

  it('live Windows evidence: the elevated option (this process) decides; a bundle keeps its own field', () => {
    const live = readyPc({ origin: 'live' });
    const c = byId(
      runPreflight(live, clearDiagnosis(), { ...PC_OPTIONS, elevated: false }),
      'rights.elevated',
    );
    expect(c.status).toBe('fail');
    expect(c.message).toContain('You must be an administrator to perform this task.');
    expect(c.message).toContain('Run as administrator');
    expect(
      byId(runPreflight(live, clearDiagnosis(), { ...PC_OPTIONS, elevated: true }), 'rights.elevated').status,
    ).toBe('pass');
    expect(byId(runPreflight(live, clearDiagnosis(), PC_OPTIONS), 'rights.elevated').status).toBe('pass');
    // A bundle was collected elsewhere: the helpdesk's own token says nothing about the device.
    expect(
      byId(runPreflight(readyPc(), clearDiagnosis(), { ...PC_OPTIONS, elevated: false }), 'rights.elevated')
        .status,
    ).toBe('pass');
  });

  it('lockout method: empty lockoutAuth passes; set is unknown; set during a lockout fails', () => {
    const run = (status: TpmStatus) =>
      byId(
        runPreflight(snapshot(status), clearDiagnosis(), { ...LAB, method: 'lockout' }),
        'rights.clear-authorization',
      );
    expect(run(healthyStatus()).status).toBe('pass');
    const set = run(withFlags(healthyStatus(), { lockoutAuthSet: true }));
    expect(set.status).toBe('unknown');
    expect(set.message).toContain('Never guess it');
    const locked = run(withFlags(healthyStatus(), { lockoutAuthSet: true, inLockout: true }));
    expect(locked.status).toBe('fail');
    expect(locked.message).toContain('--method ppi');
    const blocked = run({
      ...withFlags(healthyStatus(), { lockoutAuthSet: true }),
      errors: [{ section: 'lockout', code: 'TPM_RC_LOCKOUT', message: 'refused' }],
    });
    expect(blocked.status).toBe('fail');
  });

  it('lockout method on Windows without the auth in the registry (0x100) fails towards PPI', () => {
    const s = readyPc({ isReady: { isReady: false, information: 0x900, flags: [] } });
    const c = byId(runPreflight(s, clearDiagnosis(), PC_OPTIONS), 'rights.clear-authorization');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('--method ppi');
    expect(c.evidence).toEqual([
      { source: 'Win32_Tpm.IsReadyInformation', field: 'Information', value: '0x00000900' },
    ]);
  });

  it('platform: only on a lab TPM with phEnable set; a PC is told to use PPI', () => {
    expect(
      byId(runPreflight(snapshot(healthyStatus()), clearDiagnosis(), LAB), 'rights.clear-authorization')
        .status,
    ).toBe('pass');
    const status = healthyStatus();
    const noPh = {
      ...status,
      startupClear: { ...status.startupClear!, flags: { ...status.startupClear!.flags, phEnable: false } },
    };
    expect(
      byId(runPreflight(snapshot(noPh), clearDiagnosis(), LAB), 'rights.clear-authorization').status,
    ).toBe('fail');
    const pc = byId(
      runPreflight(readyPc(), clearDiagnosis(), { ...PC_OPTIONS, method: 'platform' }),
      'rights.clear-authorization',
    );
    expect(pc.status).toBe('fail');
    expect(pc.message).toContain('random platformAuth');
    expect(pc.message).toContain('--method ppi');
    // A Linux device TPM whose firmware disabled the platform hierarchy says so.
    const device = { ...noPh, tpm: { uri: 'device:/dev/tpmrm0', lab: false } };
    const disabled = byId(
      runPreflight(snapshot(device), clearDiagnosis(), { ...PC_OPTIONS, method: 'platform' }),
      'rights.clear-authorization',
    );
    expect(disabled.status).toBe('fail');
    expect(disabled.message).toMatch(/firmware disabled the platform hierarchy .*phEnable clear/);
    expect(disabled.message).toContain('--method ppi');
    expect(disabled.evidence).toContainEqual({
      source: 'tpm',
      field: 'TPMA_STARTUP_CLEAR.phEnable',
      value: false,
    });
  });

  it('ppi: unknown until a user at the firmware prompt is acknowledged; impossible on a lab TPM', () => {
    const { approvedBy: _by, ticket: _ticket, ...unapproved } = PC_OPTIONS;
    const c = byId(
      runPreflight(readyPc({ enrollments: [] }), clearDiagnosis(), { ...unapproved, method: 'ppi' }),
      'rights.clear-authorization',
    );
    expect(c.status).toBe('unknown');
    expect(c.message).toContain('a user must be present for the firmware prompt');
    expect(c.message).toContain('PPI version 1.3');
    // With a recorded approval the PPI request is authorised: the firmware clears, no owner auth needed.
    const approved = byId(
      runPreflight(readyPc(), clearDiagnosis(), { ...PC_OPTIONS, method: 'ppi' }),
      'rights.clear-authorization',
    );
    expect(approved.status).toBe('pass');
    expect(approved.message).toContain('needs no owner or lockout authorisation');
    expect(approved.message).toContain('approved by Alice Admin (ticket CHG-1234)');
    expect(
      byId(
        runPreflight(snapshot(healthyStatus()), clearDiagnosis(), {
          ...LAB,
          method: 'ppi',
          approvedBy: 'A',
          ticket: 'T',
        }),
        'rights.clear-authorization',
      ).status,
    ).toBe('fail');
    expect(
      byId(
        runPreflight(snapshot(healthyStatus()), clearDiagnosis(), { ...LAB, method: 'ppi' }),
        'rights.clear-authorization',
      ).status,
    ).toBe('fail');
  });
});

describe('4. approval', () => {
  it('an Intune-managed device needs --approved-by and --ticket', () => {
    const s = readyPc();
    const none = byId(
      runPreflight(s, clearDiagnosis(), { ...PC_OPTIONS, approvedBy: undefined, ticket: undefined }),
      'approval',
    );
    expect(none.status).toBe('fail');
    expect(none.message).toContain('--approved-by NAME --ticket ID');
    expect(none.message).toContain('who approved it and the ticket are missing');
    const half = byId(runPreflight(s, clearDiagnosis(), { ...PC_OPTIONS, ticket: '  ' }), 'approval');
    expect(half.status).toBe('fail');
    expect(half.message).toContain('the ticket is missing');
    const ok = byId(runPreflight(s, clearDiagnosis(), PC_OPTIONS), 'approval');
    expect(ok.status).toBe('pass');
    expect(ok.evidence).toContainEqual({ source: 'options', field: 'approvedBy', value: 'Alice Admin' });
    expect(ok.evidence).toContainEqual({ source: 'options', field: 'ticket', value: 'CHG-1234' });
  });

  it('an unmanaged device passes; enrollments not read on Windows is unknown', () => {
    const opts = { ...PC_OPTIONS, approvedBy: undefined, ticket: undefined };
    const other = { ...INTUNE, providerId: 'Some Other MDM' };
    expect(
      byId(runPreflight(readyPc({ enrollments: [other] }), clearDiagnosis(), opts), 'approval').status,
    ).toBe('pass');
    expect(
      byId(runPreflight(readyPc({ enrollments: null }), clearDiagnosis(), opts), 'approval').status,
    ).toBe('unknown');
  });
});

describe('5. blockers', () => {
  it('disableClear fails with the platform/PPI route; with --method ppi it is unknown (PPI clears regardless)', () => {
    const s = snapshot(withFlags(healthyStatus(), { disableClear: true }));
    const c = byId(runPreflight(s, clearDiagnosis(), LAB), 'blocker.disable-clear');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('TPM_RC_DISABLED (0x120)');
    expect(c.message).toContain('TPM2_ClearControl(NO)');
    expect(c.message).toContain('PPI operation 5 or 14 clears regardless');
    const fromFinding = runPreflight(readyPc(), clearDiagnosis([findingOf('tpm.clear-disabled')]), {
      ...PC_OPTIONS,
      method: 'ppi',
    });
    expect(byId(fromFinding, 'blocker.disable-clear').status).toBe('unknown');
  });

  it('an active lockout fails with the seconds remaining, and says not to clear', () => {
    const status = withFlags(healthyStatus(), { inLockout: true });
    status.dictionaryAttack = {
      ...status.dictionaryAttack!,
      failedTries: 4,
      maxTries: 3,
      recoveryTimeSeconds: 1000,
    };
    const c = byId(runPreflight(snapshot(status), clearDiagnosis(), LAB), 'blocker.lockout');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('about 33 min 20 s remain');
    expect(c.message).toContain('Never clear the TPM to escape a lockout');
    expect(c.evidence).toContainEqual({ source: 'preflight', field: 'lockoutRemainingSeconds', value: 2000 });
  });

  it('lockout seen by Windows only (tpmtool counts) also gives the time; a TPM that never heals says so', () => {
    const tool = healthyWindows().tpmtool!;
    const s = readyPc({
      tpmtool: {
        ...tool,
        lockout: {
          isLockedOut: true,
          counter: 32,
          maxAuthFail: 32,
          intervalSeconds: 7200,
          recoverySeconds: 86400,
        },
      },
    });
    expect(byId(runPreflight(s, clearDiagnosis(), PC_OPTIONS), 'blocker.lockout').message).toContain(
      'about 2 h remain with the device powered on (32 failures, 32 allowed, one forgiven every 2 h)',
    );
    const never = withFlags(healthyStatus(), { inLockout: true });
    never.dictionaryAttack = { ...never.dictionaryAttack!, recoveryTimeSeconds: 0 };
    expect(byId(runPreflight(snapshot(never), clearDiagnosis(), LAB), 'blocker.lockout').message).toContain(
      'never heals by waiting',
    );
    expect(lockoutRemainingSeconds(3, 3, 600)).toBe(600);
    expect(lockoutRemainingSeconds(3, 0, 600)).toBeNull();
  });

  it("vulnerable firmware not yet updated fails with the finding's update action", () => {
    const d = clearDiagnosis([
      findingOf('tpm.firmware-vulnerable', 'Update the TPM firmware to 7.62 or later.'),
    ]);
    const c = byId(runPreflight(snapshot(healthyStatus()), d, LAB), 'blocker.firmware');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('Update the TPM firmware to 7.62 or later.');
  });
});

describe('6. inventory', () => {
  it('lists owner/endorsement persistent objects and non-platform NV indices, never platform ones', () => {
    const status = healthyStatus();
    status.persistentObjects = [
      ...status.persistentObjects!,
      {
        ...status.persistentObjects![0]!,
        handle: '0x81000001',
        hierarchy: 'owner',
        purpose: 'Storage Root Key (SRK)',
      },
      {
        ...status.persistentObjects![0]!,
        handle: '0x81800001',
        hierarchy: 'platform',
        purpose: 'platform key',
      },
    ];
    status.nvIndices = [
      ...status.nvIndices!,
      {
        ...status.nvIndices![0]!,
        index: '0x01500016',
        hierarchy: 'owner',
        platformCreated: false,
        purpose: 'owner data',
        size: 8,
      },
    ];
    const r = runPreflight(snapshot(status), clearDiagnosis(), LAB);
    expect(byId(r, 'inventory').status).toBe('pass');
    expect(r.inventory.persistentObjects).toEqual([
      expect.stringMatching(
        /^0x81010001 Endorsement Key .*\[endorsement hierarchy\] \(recreated identically/,
      ),
      '0x81000001 Storage Root Key (SRK) [owner hierarchy]',
    ]);
    expect(r.inventory.nonPlatformNvIndices).toEqual(['0x01500016 owner data (8 bytes)']);
    expect(r.inventory.windows).toEqual([]);
  });

  it('on Windows: Windows Hello, the TPM-protected device key, TPM protectors, and certificates as unknown', () => {
    const dsreg = {
      azureAdJoined: true,
      domainJoined: false,
      enterpriseJoined: false,
      deviceId: null,
      tpmProtected: true,
      keyProvider: 'Microsoft Platform Crypto Provider',
      deviceAuthStatus: 'SUCCESS',
      ngcSet: true,
      azureAdPrt: true,
      keySignTest: 'PASSED',
      aadRecoveryEnabled: false,
      errorCodes: [],
      raw: {},
    };
    const r = runPreflight(readyPc({ dsregcmd: dsreg }), clearDiagnosis(), PC_OPTIONS);
    expect(r.inventory.windows).toEqual([
      expect.stringContaining('Windows Hello PIN and keys'),
      expect.stringContaining('Entra ID device key'),
      expect.stringContaining('BitLocker Tpm protector {8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8} on C: ('),
      expect.stringContaining('unknown: check certmgr for the Microsoft Platform Crypto Provider'),
    ]);
    expect(
      runPreflight(snapshot(null, healthyWindows()), clearDiagnosis(), PC_OPTIONS).inventory
        .persistentObjects,
    ).toEqual([expect.stringContaining('unknown: the TPM was not read directly')]);
  });
});

describe('6. inventory not listed', () => {
  it('the TPM not read (evidence only): unknown, saying why, until acknowledged', () => {
    const s = snapshot(
      null,
      healthyWindows({ bitlocker: [osVolume({ protectionStatus: 'Off', suspendedRebootCount: 2 })] }),
    );
    const r = runPreflight(s, clearDiagnosis(), { ...PC_OPTIONS, method: 'ppi' });
    const c = byId(r, 'inventory');
    expect(c.status).toBe('unknown');
    expect(c.message).toMatch(
      /^What the clear will destroy could not be listed: the TPM was not read directly/,
    );
    expect(c.message).toContain('--acknowledge inventory');
    expect(r.passed).toBe(false);
    const acknowledged = runPreflight(s, clearDiagnosis(), {
      ...PC_OPTIONS,
      method: 'ppi',
      acknowledged: ['rights.clear-authorization', 'inventory'],
    });
    expect(byId(acknowledged, 'inventory').status).toBe('unknown');
    // rights.clear-authorization passes: a PPI clear with the approval recorded (PC_OPTIONS has it).
    expect(acknowledged.checks.filter((x) => x.status !== 'pass').map((x) => x.id)).toEqual(['inventory']);
  });

  it('a section that failed: unknown, naming the section and its error', () => {
    const objects: TpmStatus = {
      ...healthyStatus(),
      persistentObjects: null,
      errors: [{ section: 'persistentObjects', code: 'TPM_RC_FAILURE', message: 'GetCapability failed' }],
    };
    const c = byId(runPreflight(snapshot(objects), clearDiagnosis(), LAB), 'inventory');
    expect(c.status).toBe('unknown');
    expect(c.message).toContain(
      'could not be listed: the persistent objects could not be read (TPM_RC_FAILURE: GetCapability failed)',
    );
    expect(c.evidence).toContainEqual({
      source: 'tpm',
      field: 'errors.persistentObjects',
      value: 'TPM_RC_FAILURE: GetCapability failed',
    });
    const nv = byId(
      runPreflight(snapshot({ ...healthyStatus(), nvIndices: null }), clearDiagnosis(), LAB),
      'inventory',
    );
    expect(nv.status).toBe('unknown');
    expect(nv.message).toContain('the NV indices could not be read');
    expect(nv.message).not.toContain('persistent objects could not be read');
  });

  it('lists that were read stay a pass, also when empty', () => {
    const empty = { ...healthyStatus(), persistentObjects: [], nvIndices: [] };
    const r = runPreflight(snapshot(empty), clearDiagnosis(), LAB);
    expect(byId(r, 'inventory').status).toBe('pass');
    expect(r.inventory.persistentObjects).toEqual([]);
    expect(r.inventory.nonPlatformNvIndices).toEqual([]);
    expect(r.passed).toBe(true);
  });
});

describe('evidence freshness', () => {
  const bundle = (collectedAt: string | null, windows: Partial<WindowsEvidence> = {}) =>
    readyPc({ origin: 'bundle/PC-0001', collectedAt, ...windows });
  const BACKUP = ['backup.recovery-password', 'backup.escrow', 'backup.bitlocker-suspended'] as const;

  it('a bundle collected more than 24 h before the snapshot cannot pass backup; an approval given still passes', () => {
    const r = runPreflight(bundle('2026-11-23T11:00:00.000Z'), clearDiagnosis(), PC_OPTIONS);
    for (const id of BACKUP) {
      expect(byId(r, id).status, id).toBe('unknown');
      expect(byId(r, id).message).toContain(
        'the evidence was collected at 2026-11-23T11:00:00.000Z, 25 h ago (the limit is 24 h): collect again on the device',
      );
    }
    expect(byId(r, 'approval').status).toBe('pass');
    expect(r.passed).toBe(false);
    expect(
      runPreflight(bundle('2026-11-23T11:00:00.000Z'), clearDiagnosis(), {
        ...PC_OPTIONS,
        acknowledged: [...BACKUP],
      }).passed,
    ).toBe(true);
    expectActionable(r);
  });

  it('approval that passed only because the stale evidence showed no MDM enrollment becomes unknown', () => {
    const s = bundle('2026-11-20T12:00:00.000Z', { enrollments: [] });
    const c = byId(
      runPreflight(s, clearDiagnosis(), { ...PC_OPTIONS, approvedBy: undefined, ticket: undefined }),
      'approval',
    );
    expect(c.status).toBe('unknown');
    expect(c.message).toContain('96 h ago');
    expect(c.message).toContain('On that evidence: Not MDM-managed');
  });

  it('exactly 24 h old is still fresh; live evidence is never aged', () => {
    expect(runPreflight(bundle('2026-11-23T12:00:00.000Z'), clearDiagnosis(), PC_OPTIONS).passed).toBe(true);
    const live = readyPc({ origin: 'live', collectedAt: '2020-01-01T00:00:00Z' });
    expect(runPreflight(live, clearDiagnosis(), PC_OPTIONS).passed).toBe(true);
  });

  it('no collection time, one that cannot be read, or one far after the snapshot: unknown', () => {
    const missing = byId(runPreflight(bundle(null), clearDiagnosis(), PC_OPTIONS), 'backup.escrow');
    expect(missing.status).toBe('unknown');
    expect(missing.message).toContain('the evidence does not say when it was collected');
    expect(missing.evidence).toContainEqual({ source: 'evidence', field: 'collectedAt', value: null });
    expect(
      byId(runPreflight(bundle('yesterday'), clearDiagnosis(), PC_OPTIONS), 'backup.escrow').status,
    ).toBe('unknown');
    const future = byId(
      runPreflight(bundle('2026-11-26T12:00:00.000Z'), clearDiagnosis(), PC_OPTIONS),
      'backup.escrow',
    );
    expect(future.status).toBe('unknown');
    expect(future.message).toContain('a clock is wrong');
  });

  it('a bundle dated 2099 never passes what it vouches for: its age is unknown, not zero', () => {
    const r = runPreflight(bundle('2099-01-01T00:00:00.000Z', { enrollments: [] }), clearDiagnosis(), {
      ...PC_OPTIONS,
      approvedBy: undefined,
      ticket: undefined,
    });
    for (const id of [...BACKUP, 'approval'] as const) {
      expect(byId(r, id).status, id).toBe('unknown');
      expect(byId(r, id).message, id).toContain('the evidence was collected at 2099-01-01T00:00:00.000Z');
      expect(byId(r, id).message, id).toContain('a clock is wrong and its age is unknown');
    }
    expect(r.passed).toBe(false);
    // Up to a day ahead is a clock off by a time zone, not a date to distrust.
    expect(runPreflight(bundle('2026-11-25T11:00:00.000Z'), clearDiagnosis(), PC_OPTIONS).passed).toBe(true);
  });
});

describe('messages', () => {
  it('every fail and unknown says what to do, and no output carries a recovery password', () => {
    const worst = runPreflight(
      snapshot(
        withFlags(pcStatus({}, healthyStatus()), {
          disableClear: true,
          inLockout: true,
          lockoutAuthSet: true,
        }),
        healthyWindows({
          elevated: false,
          bitlocker: [osVolume(), osVolume({ mountPoint: 'E:', keyProtectors: [{ id: 'aa', type: 'Tpm' }] })],
          enrollments: [INTUNE],
        }),
      ),
      diagnosis(verdict({ status: 'errors', nextStep: 'wait', action: 'Wait about 2 h.' }), [
        findingOf('tpm.firmware-vulnerable'),
      ]),
      { method: 'lockout', purpose: 'repair' },
    );
    expect(worst.passed).toBe(false);
    expect(worst.checks.filter((c) => c.status === 'pass').map((c) => c.id)).toEqual(['inventory']);
    expectActionable(worst);
    expectNoRecoveryPassword(worst);
  });
});
