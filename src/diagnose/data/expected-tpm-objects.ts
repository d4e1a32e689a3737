/**
 * What a Windows or Linux owner is expected to keep in the TPM: `tpm.stale-objects` lists every
 * owner- or endorsement-hierarchy persistent object and every owner NV index NOT described here
 * (old keys a previous owner, OS or tool left behind). Platform-created NV indices and platform
 * persistent objects (0x81800000-0x81FFFFFF) always belong to the platform and are never stale.
 *
 * To add an entry: give the handle or range, who uses it, and the source. Keep it to what is
 * documented; an unknown object is only ever a warning with no remedy, never a reason to clear.
 */

export interface ExpectedHandle {
  first: number;
  last: number;
  /** Who keeps it there and why, with the source. */
  purpose: string;
  /** For the endorsement block: only objects that look like an EK (see isEkLike) are expected. */
  requireEkLike?: boolean;
}

/** Persistent objects an owner is expected to have. */
export const EXPECTED_PERSISTENT: readonly ExpectedHandle[] = [
  {
    first: 0x81000001,
    last: 0x81000001,
    purpose:
      'RSA Storage Root Key (TCG TPM v2.0 Provisioning Guidance, Table 2; persisted by Windows, systemd and tpm2-tss FAPI)',
  },
  {
    first: 0x81000002,
    last: 0x81000002,
    purpose: 'ECC P-256 Storage Root Key (TCG TPM v2.0 Provisioning Guidance)',
  },
  {
    first: 0x81010000,
    last: 0x8101ffff,
    purpose:
      'Endorsement Keys (TCG Registry of Reserved TPM 2.0 Handles §2.3; EK Credential Profile: 0x81010001 RSA, 0x81010002 ECC, ...)',
    requireEkLike: true,
  },
];

/** Owner-created (not platform-created) NV indices an owner is expected to have. */
export const EXPECTED_OWNER_NV: readonly ExpectedHandle[] = [
  {
    first: 0x01d10200,
    last: 0x01d105ff,
    purpose: 'Linux community block (UAPI Linux TPM NV Index Registry; systemd NvPCRs and pcrlock)',
  },
];

/** First handle of the platform persistent range (Part 3 §28.5 TPM2_EvictControl). */
export const PLATFORM_PERSISTENT_FIRST = 0x81800000;

/**
 * Object attributes every EK template has (TCG EK Credential Profile templates L-1..H-7):
 * fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt, named as
 * tpm2_readpublic prints them (the form in status persistentObjects[].attributes).
 */
const EK_ATTRIBUTES = [
  'fixedtpm',
  'fixedparent',
  'sensitivedataorigin',
  'adminwithpolicy',
  'restricted',
  'decrypt',
] as const;

/** True when the '|'-joined attribute names contain every EK attribute. */
export function isEkLike(attributes: string): boolean {
  const set = new Set(attributes.split('|'));
  return EK_ATTRIBUTES.every((a) => set.has(a));
}

export function findExpected(list: readonly ExpectedHandle[], handle: number): ExpectedHandle | undefined {
  return list.find((e) => handle >= e.first && handle <= e.last);
}
