import { type ClearReport, clearReportObject } from '../../fleet/campaign/clear-report.js';
import { COMPACT_MARKER } from '../../probe/windows/compact.js';
import type { DeviceKeyIds, DeviceProfile } from './device-profile.js';
import type { LabCondition } from './fleet-mix.js';

/**
 * What a device's TPM looks like at one moment, for its evidence. `tpmState` is the TPM as the
 * device sees it: a TPM that needed a clear and was cleared reads `cleared` until the restart,
 * then `healthy`.
 */
export interface EvidenceView {
  profile: DeviceProfile;
  keyIds: DeviceKeyIds;
  condition: LabCondition;
  /** The condition no longer shows (fixed by a sync, a reboot or a clear). */
  fixed: boolean;
  /** A clear ran and the device has not restarted since. */
  clearedAwaitingRestart: boolean;
  at: number;
  lastSyncAt: number;
  /** The Entra ID device ID (dsregcmd's DeviceId, Graph's azureADDeviceId). */
  aadDeviceId: string;
  /** False when the device has no RecoveryPassword protector (BitLocker off). */
  hasRecoveryProtector: boolean;
  /**
   * The report of the device's latest clear receipt, which the evidence script prints under
   * `clr` (src/fleet/campaign/receipt-report.ts); absent when the device has none.
   */
  clearReport?: Omit<ClearReport, 'tpmdoctor'> | null;
}

/** IsReadyInformation bits (Win32_Tpm::IsReadyInformation, is-ready-information.ts). */
const INFORMATION_REBOOT = 0x4;
const INFORMATION_TPM_OWNERAUTH = 0x100;
const INFORMATION_TPM_SRKPUB = 0x800;

/**
 * The one line of compact evidence JSON scripts/collect-evidence.ps1 prints as a Remediations
 * detection script (docs/evidence.md, "The compact form"), consistent with the device's state:
 * a TPM that needs a clear reports IsReadyInformation 0x900 and "Clear Needed To Recover", a
 * locked-out one Get-Tpm LockedOut and NTE_AUTHENTICATION_IGNORED from dsregcmd, vulnerable
 * firmware tpmtool's "TPM Has Vulnerable Firmware". Never a recovery password: only protector IDs.
 */
export function compactEvidence(view: EvidenceView): string {
  const p = view.profile;
  const showing = view.fixed ? 'healthy' : view.condition;
  const needsClear =
    !view.clearedAwaitingRestart &&
    (showing === 'tpm-needs-clear' || showing === 'tpm-needs-clear-no-escrow');
  const lockedOut = showing === 'tpm-lockout';
  const vulnerable = showing === 'tpm-vulnerable-firmware';
  const bitlockerOn = view.condition !== 'bitlocker-off' || view.fixed;
  const ready = !needsClear && !view.clearedAwaitingRestart;
  const information = needsClear
    ? INFORMATION_TPM_SRKPUB | INFORMATION_TPM_OWNERAUTH
    : view.clearedAwaitingRestart
      ? INFORMATION_REBOOT
      : 0;

  const why: string[] = [];
  if (!ready) why.push('TpmReady=0');
  if (information !== 0) why.push(`IsReady=0x${information.toString(16)}`);
  if (needsClear) why.push('ClearNeededToRecover=1');
  if (lockedOut) why.push('LockedOut=1');
  if (vulnerable) why.push('VulnerableFirmware=1');

  const lockoutCount = lockedOut ? 32 : 0;
  const bool = (b: boolean) => (b ? 1 : 0);
  const tf = (b: boolean) => (b ? 'True' : 'False');
  const evidence = {
    tpmdoctor: COMPACT_MARKER,
    at: new Date(view.at).toISOString(),
    cn: p.deviceName,
    os: p.osVersion,
    el: 1,
    exit: why.length > 0 ? 1 : 0,
    why,
    tpm: {
      pr: 1,
      rd: bool(ready),
      en: 1,
      ac: 1,
      ow: bool(!view.clearedAwaitingRestart),
      rp: bool(view.clearedAwaitingRestart),
      mi: p.tpm.manufacturerId,
      mt: p.tpm.id,
      mv: p.tpmFirmware,
      cd: 0,
      lo: bool(lockedOut),
      lc: lockoutCount,
      lm: 32,
      oa: 0,
    },
    w32: { sv: p.tpmSpecVersion },
    rdy: { r: bool(ready), i: information },
    ek: { p: 1, mc: 1, ac: 0 },
    tt: [
      ['pr', 'True'],
      ['vr', '2.0'],
      ['mi', p.tpm.id],
      ['mn', p.tpm.fullName],
      ['mv', p.tpmFirmware],
      ['pp', '1.3'],
      ['in', tf(ready)],
      ['rs', tf(ready)],
      ['ra', tf(ready && !lockedOut)],
      ['ca', 'True'],
      ['cn', tf(needsClear)],
      ['cp', 'True'],
      ['vf', tf(vulnerable)],
      ['mt', tf(ready)],
      ['p7', 'Bound'],
      ['sv', p.tpmSpecVersion.split(', ').at(-1) ?? '1.59'],
      ['lo', ''],
      ['lk', tf(lockedOut), 1],
      ['lc', String(lockoutCount), 1],
      ['lm', '32', 1],
      ['li', '7200s', 1],
      ['lr', '86400s', 1],
    ],
    ds: {
      AzureAdJoined: 'YES',
      EnterpriseJoined: 'NO',
      DomainJoined: 'NO',
      DeviceId: view.aadDeviceId,
      TpmProtected: 'YES',
      KeyProvider: 'Microsoft Platform Crypto Provider',
      DeviceAuthStatus: 'SUCCESS',
      NgcSet: 'YES',
      AzureAdPrt: lockedOut ? 'NO' : 'YES',
      KeySignTest: 'PASSED',
      AadRecoveryEnabled: 'NO',
    },
    ...(lockedOut ? { de: ['0x80090031'] } : {}),
    bl: [
      bitlockerOn
        ? {
            m: 'C:',
            t: 'OperatingSystem',
            s: 'FullyEncrypted',
            p: 'On',
            sc: 0,
            k: [
              ['Tpm', view.keyIds.tpmProtectorId],
              ...(view.hasRecoveryProtector ? [['RecoveryPassword', view.keyIds.recoveryProtectorId]] : []),
            ],
          }
        : { m: 'C:', t: 'OperatingSystem', s: 'FullyDecrypted', p: 'Off', sc: 0, k: [] },
    ],
    mdm: [{ id: view.keyIds.enrollmentId, pv: 'MS DM Server', st: 1, ty: 6 }],
    sy: { ok: mdmTime(view.lastSyncAt), at: mdmTime(view.lastSyncAt) },
    ...(lockedOut
      ? { ev: [{ g: 'S', p: '~TPM-WMI', i: 1026, v: 2, t: isoSeconds(view.at - 600_000) }] }
      : {}),
    cut: ['ev.m', 'detail'],
    ...(view.clearReport ? { clr: clearReportObject(view.clearReport) } : {}),
  };
  return JSON.stringify(evidence);
}

/** The OMA-DM ConnInfo form ("20240514T015512Z") the script copies from the registry. */
function mdmTime(ms: number): string {
  return isoSeconds(ms).replace(/[-:]/g, '');
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
