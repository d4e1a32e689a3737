import { describe, expect, it } from 'vitest';
import { bitlockerNoRecoveryPassword } from '../../../src/diagnose/rules/windows/bitlocker-no-recovery-password.js';
import { bitlockerSuspended } from '../../../src/diagnose/rules/windows/bitlocker-suspended.js';
import { bitlockerTpmProtectorMissing } from '../../../src/diagnose/rules/windows/bitlocker-tpm-protector-missing.js';
import type { BitLockerVolume } from '../../../src/snapshot/windows-evidence.js';
import { device, evidenceLines } from './support.js';

const TPM = { id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' } as const;
const RECOVERY = { id: 'dfa26333-1111-402c-2222-a8c40af33333', type: 'RecoveryPassword' } as const;

function withVolume(change: (v: BitLockerVolume) => void) {
  return device((w) => change(w.bitlocker![0]!));
}

describe('bitlocker.no-recovery-password', () => {
  it('is silent on a healthy device (TPM + recovery password)', () => {
    expect(bitlockerNoRecoveryPassword.evaluate(device())).toEqual([]);
  });

  it('is silent on a decrypted volume and on a data volume', () => {
    expect(
      bitlockerNoRecoveryPassword.evaluate(
        withVolume((v) => {
          v.volumeStatus = 'FullyDecrypted';
          v.keyProtectors = [];
        }),
      ),
    ).toEqual([]);
    expect(
      bitlockerNoRecoveryPassword.evaluate(
        withVolume((v) => {
          v.volumeType = 'Data';
          v.mountPoint = 'D:';
          v.keyProtectors = [{ ...TPM }];
        }),
      ),
    ).toEqual([]);
  });

  it('is silent on an OS volume with no TPM protector (a clear does not lock it)', () => {
    expect(
      bitlockerNoRecoveryPassword.evaluate(
        withVolume((v) => {
          v.keyProtectors = [{ id: 'aaaa0000-0000-0000-0000-000000000001', type: 'Password' }];
        }),
      ),
    ).toEqual([]);
  });

  it('fires on TPM-only C:, blocks a clear, and cites protector IDs only', () => {
    const s = withVolume((v) => {
      v.keyProtectors = [{ ...TPM }];
    });
    const [f, ...rest] = bitlockerNoRecoveryPassword.evaluate(s);
    expect(rest).toEqual([]);
    expect(f!.id).toBe('bitlocker.no-recovery-password');
    expect(f!.severity).toBe('error');
    expect(f!.blocksClear).toBe('no recovery password to unlock the volume C: after the clear');
    expect(f!.remedy.step).toBe('reconfigure');
    expect(f!.remedy.destroysKeys).toBe(false);
    expect(f!.remedy.action).toContain('manage-bde -protectors -add C: -RecoveryPassword');
    expect(f!.remedy.action).toContain('BackupToAAD-BitLockerKeyProtector -MountPoint C:');
    expect(evidenceLines(f!)).toEqual([
      'Get-BitLockerVolume|MountPoint=C:',
      'Get-BitLockerVolume|VolumeType=OperatingSystem',
      'Get-BitLockerVolume|VolumeStatus=FullyEncrypted',
      'Get-BitLockerVolume|ProtectionStatus=On',
      'Get-BitLockerVolume|KeyProtector=Tpm {8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8}',
    ]);
  });

  it('fires for TPM+PIN too', () => {
    const s = withVolume((v) => {
      v.keyProtectors = [{ id: TPM.id, type: 'TpmPin' }];
    });
    expect(bitlockerNoRecoveryPassword.evaluate(s)).toHaveLength(1);
  });
});

describe('bitlocker.tpm-protector-missing', () => {
  it('is silent on a healthy device', () => {
    expect(bitlockerTpmProtectorMissing.evaluate(device())).toEqual([]);
  });

  it('is silent on a decrypted OS volume', () => {
    const s = withVolume((v) => {
      v.volumeStatus = 'FullyDecrypted';
      v.protectionStatus = 'Off';
      v.keyProtectors = [];
    });
    expect(bitlockerTpmProtectorMissing.evaluate(s)).toEqual([]);
  });

  it('is an error when protection is on (boots ask for recovery)', () => {
    const s = withVolume((v) => {
      v.keyProtectors = [{ ...RECOVERY }];
    });
    const [f] = bitlockerTpmProtectorMissing.evaluate(s);
    expect(f!.severity).toBe('error');
    expect(f!.remedy.step).toBe('reconfigure');
    expect(f!.remedy.action).toContain('manage-bde -protectors -add C: -TPM');
    expect(evidenceLines(f!)).toContain(
      'Get-BitLockerVolume|KeyProtector=RecoveryPassword {dfa26333-1111-402c-2222-a8c40af33333}',
    );
    expect(f!.blocksClear).toBeUndefined();
  });

  it('is a warning when protection is already off, and says to resume', () => {
    const s = withVolume((v) => {
      v.protectionStatus = 'Off';
      v.keyProtectors = [{ ...RECOVERY }];
    });
    const [f] = bitlockerTpmProtectorMissing.evaluate(s);
    expect(f!.severity).toBe('warning');
    expect(f!.remedy.action).toContain('Resume-BitLocker -MountPoint C:');
  });
});

describe('bitlocker.suspended', () => {
  it('is silent on a healthy device and on a decrypted volume', () => {
    expect(bitlockerSuspended.evaluate(device())).toEqual([]);
    const s = withVolume((v) => {
      v.volumeStatus = 'FullyDecrypted';
      v.protectionStatus = 'Off';
      v.keyProtectors = [];
    });
    expect(bitlockerSuspended.evaluate(s)).toEqual([]);
  });

  it('is info with a wait when the suspend is planned (reboot count left)', () => {
    const s = withVolume((v) => {
      v.protectionStatus = 'Off';
      v.suspendedRebootCount = 2;
    });
    const [f] = bitlockerSuspended.evaluate(s);
    expect(f!.severity).toBe('info');
    expect(f!.remedy.step).toBe('wait');
    expect(f!.title).toBe('BitLocker on C: is suspended for 2 more restart(s)');
    expect(evidenceLines(f!)).toContain('Get-BitLockerVolume|SuspendedRebootCount=2');
  });

  it('is a warning when suspended until resumed (RebootCount 0) or for an unknown count', () => {
    for (const count of [0, null]) {
      const s = withVolume((v) => {
        v.protectionStatus = 'Off';
        v.suspendedRebootCount = count;
      });
      const [f] = bitlockerSuspended.evaluate(s);
      expect(f!.severity).toBe('warning');
      expect(f!.remedy.step).toBe('reconfigure');
      expect(f!.remedy.action).toContain('Resume-BitLocker -MountPoint C:');
    }
  });

  it('is silent when protection is Unknown (a locked data volume, say)', () => {
    const s = withVolume((v) => {
      v.protectionStatus = 'Unknown';
    });
    expect(bitlockerSuspended.evaluate(s)).toEqual([]);
  });
});
