import type { BitLockerVolume, KeyProtectorType } from '../../../snapshot/windows-evidence.js';
import type { Evidence } from '../../finding.js';
import { ev } from './evidence.js';

/** Where BitLocker volume facts are cited from (Get-BitLockerVolume and manage-bde, merged per volume). */
export const BITLOCKER_SOURCE = 'Get-BitLockerVolume';

/** Protectors that unseal the volume key from the TPM: a clear or a PCR change invalidates them. */
const TPM_PROTECTORS: readonly KeyProtectorType[] = [
  'Tpm',
  'TpmPin',
  'TpmStartupKey',
  'TpmPinStartupKey',
  'TpmNetworkKey',
];

export function hasTpmProtector(v: BitLockerVolume): boolean {
  return v.keyProtectors.some((p) => TPM_PROTECTORS.includes(p.type));
}

export function hasRecoveryPassword(v: BitLockerVolume): boolean {
  return v.keyProtectors.some((p) => p.type === 'RecoveryPassword');
}

/**
 * True when BitLocker encrypts (part of) the volume: any VolumeStatus but FullyDecrypted
 * (FullyEncrypted, EncryptionInProgress, EncryptionPaused, DecryptionInProgress, ...), or, when
 * the status is unknown, any key protector at all.
 */
export function isEncrypted(v: BitLockerVolume): boolean {
  if (v.volumeStatus === null || v.volumeStatus.trim() === '') return v.keyProtectors.length > 0;
  return !/^\s*fullydecrypted\s*$/i.test(v.volumeStatus);
}

/**
 * The volumes to treat as the OS volume. manage-bde does not say a volume's type (it parses as
 * 'Unknown'), so an Unknown volume counts when it is the system drive or is unlocked by the TPM
 * (data volumes unlock through auto-unlock, not the TPM): erring this way can only block a
 * clear, never allow one.
 */
export function osVolumes(volumes: readonly BitLockerVolume[] | null | undefined): BitLockerVolume[] {
  return (volumes ?? []).filter(
    (v) =>
      v.volumeType === 'OperatingSystem' ||
      (v.volumeType === 'Unknown' && (/^c:/i.test(v.mountPoint.trim()) || hasTpmProtector(v))),
  );
}

/** The volume's state and protectors as evidence: protector types and IDs, never a password. */
export function volumeEvidence(v: BitLockerVolume): Evidence[] {
  const out: Evidence[] = [
    ev(BITLOCKER_SOURCE, 'MountPoint', v.mountPoint),
    ev(BITLOCKER_SOURCE, 'VolumeType', v.volumeType),
    ev(BITLOCKER_SOURCE, 'VolumeStatus', v.volumeStatus),
    ev(BITLOCKER_SOURCE, 'ProtectionStatus', v.protectionStatus),
  ];
  if (v.keyProtectors.length === 0) out.push(ev(BITLOCKER_SOURCE, 'KeyProtector', '(none)'));
  for (const p of v.keyProtectors) out.push(ev(BITLOCKER_SOURCE, 'KeyProtector', `${p.type} {${p.id}}`));
  return out;
}

/**
 * Why the OS volume's BitLocker protectors are not known, or null when they are: the volumes were
 * not read, the list holds no OS volume (only data or removable drives, whose protectors say
 * nothing about the OS volume), or an encrypted OS volume's protector list is incomplete
 * (`protectorsUnknown`: no IDs, cut off, masked). A decrypted OS volume needs no protector.
 */
export function osVolumeUnknown(volumes: readonly BitLockerVolume[] | null | undefined): string | null {
  if (volumes === null || volumes === undefined) return 'the BitLocker volumes were not read';
  const os = osVolumes(volumes);
  if (os.length === 0) {
    return volumes.length === 0
      ? 'the BitLocker listing names no volume'
      : `the BitLocker listing has no OS volume (only ${volumes.map((v) => v.mountPoint || 'an unnamed volume').join(', ')})`;
  }
  for (const v of os) {
    if (v.protectorsUnknown !== undefined && (v.volumeStatus === null || isEncrypted(v))) {
      return `the protectors of ${v.mountPoint} are not known in full: ${v.protectorsUnknown}`;
    }
  }
  return null;
}
