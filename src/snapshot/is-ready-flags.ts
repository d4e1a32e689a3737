// Source: Win32_Tpm::IsReadyInformation, https://learn.microsoft.com/windows/win32/secprov/win32-tpm-isreadyinformation
/**
 * The vocabulary of IsReadyInfo.flags in the snapshot: every Information bit Microsoft documents,
 * by the stable name the probe writes and the rules read.
 */

export interface IsReadyFlag {
  /** The stable camelCase name rules and evidence text use. */
  name: string;
  bit: number;
  /** Microsoft's constant name. */
  constant: string;
  /** What the bit means, in one plain sentence. */
  description: string;
}

/** Every Information bit Microsoft documents, in bit order. Names are a contract: never renamed. */
export const IS_READY_FLAGS: readonly IsReadyFlag[] = [
  flag(0x2, 'shutdownNeeded', 'INFORMATION_SHUTDOWN', 'The platform must be shut down and started again.'),
  flag(0x4, 'rebootNeeded', 'INFORMATION_REBOOT', 'The platform must be restarted.'),
  flag(
    0x8,
    'tpmForceClear',
    'INFORMATION_TPM_FORCE_CLEAR',
    'The TPM is already owned: it must be cleared, or its owner authorization imported.',
  ),
  flag(
    0x10,
    'physicalPresenceNeeded',
    'INFORMATION_PHYSICAL_PRESENCE',
    'Physical presence (a key press at the firmware prompt) is needed to provision the TPM.',
  ),
  flag(0x20, 'tpmDisabledOrDeactivated', 'INFORMATION_TPM_ACTIVATE', 'The TPM is disabled or deactivated.'),
  flag(0x40, 'ownershipTaken', 'INFORMATION_TPM_TAKE_OWNERSHIP', 'TPM ownership was taken.'),
  flag(0x80, 'ekExists', 'INFORMATION_TPM_CREATE_EK', 'An endorsement key (EK) exists in the TPM.'),
  flag(
    0x100,
    'ownerAuthNotInRegistry',
    'INFORMATION_TPM_OWNERAUTH',
    'The TPM owner authorization is not properly stored in the registry.',
  ),
  flag(
    0x200,
    'srkAuthNotZero',
    'INFORMATION_TPM_SRK_AUTH',
    'The storage root key (SRK) authorization value is not all zeros.',
  ),
  flag(
    0x400,
    'disableOwnerClearMismatch',
    'INFORMATION_TPM_DISABLE_OWNER_CLEAR',
    'Windows is set to forbid clearing the TPM with the owner authorization, but the TPM is not set that way yet.',
  ),
  flag(
    0x800,
    'srkPubMismatch',
    'INFORMATION_TPM_SRKPUB',
    "Windows' registry record of the storage root key does not match the TPM's storage root key.",
  ),
  flag(
    0x1000,
    'srkPubNotReadable',
    'INFORMATION_TPM_READ_SRKPUB',
    'The TPM flag that allows reading the storage root key public value is not set.',
  ),
  flag(
    0x2000,
    'bootCounterMissing',
    'INFORMATION_TPM_BOOT_COUNTER',
    'The monotonic counter incremented at each boot has not been created.',
  ),
  flag(
    0x4000,
    'ownerAuthNotBackedUpToAd',
    'INFORMATION_TPM_AD_BACKUP',
    'The TPM owner authorization has not been backed up to Active Directory.',
  ),
  flag(
    0x8000,
    'adBackupPhaseI',
    'INFORMATION_TPM_AD_BACKUP_PHASE_I',
    'The first part of backing up the owner authorization to Active Directory is in progress.',
  ),
  flag(
    0x10000,
    'adBackupPhaseII',
    'INFORMATION_TPM_AD_BACKUP_PHASE_II',
    'The second part of backing up the owner authorization to Active Directory is in progress.',
  ),
  flag(
    0x20000,
    'legacyConfiguration',
    'INFORMATION_LEGACY_CONFIGURATION',
    'Group Policy tells Windows to store no TPM owner authorization, so the TPM cannot be fully ready.',
  ),
  flag(
    0x40000,
    'ekCertificateNotRead',
    'INFORMATION_EK_CERTIFICATE',
    'The EK certificate was not read from the TPM NV RAM and stored in the registry (attestation may fail).',
  ),
  flag(
    0x80000,
    'tcgEventLogEmpty',
    'INFORMATION_TCG_EVENT_LOG',
    'The TCG event log (the measured boot log) is empty or cannot be read.',
  ),
  flag(0x100000, 'tpmNotOwned', 'INFORMATION_NOT_REDUCED', 'The TPM is not owned.'),
  flag(
    0x200000,
    'genericError',
    'INFORMATION_GENERIC_ERROR',
    'An error occurred that is not specific to one provisioning task.',
  ),
  flag(
    0x400000,
    'deviceLockCounterMissing',
    'INFORMATION_DEVICE_LOCK_COUNTER',
    'The device lock counter has not been created.',
  ),
  flag(0x800000, 'deviceIdMissing', 'INFORMATION_DEVICEID', 'The device identifier has not been created.'),
];

function flag(bit: number, name: string, constant: string, description: string): IsReadyFlag {
  return { bit, name, constant, description };
}

/** Flag name → its bit and sentence, for evidence text ("srkPubMismatch (0x800): ..."). */
export const IS_READY_FLAG_DESCRIPTIONS: Readonly<Record<string, IsReadyFlag>> = Object.fromEntries(
  IS_READY_FLAGS.map((f) => [f.name, f]),
);

/** The sentence for a decoded flag name, with its bit: "srkPubMismatch (0x800): ...". */
export function describeIsReadyFlag(name: string): string {
  const f = IS_READY_FLAG_DESCRIPTIONS[name];
  if (f) return `${f.name} (0x${f.bit.toString(16)}): ${f.description}`;
  return `${name}: an Information bit Microsoft does not document.`;
}
