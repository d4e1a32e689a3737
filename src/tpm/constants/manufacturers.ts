/**
 * TPM manufacturers as reported in TPM_PT_MANUFACTURER (Part 2 §6.13): a four-character vendor id from the
 * TCG "TPM Vendor ID Registry" packed big-endian into a UINT32, padded with NUL (or, for STM, a space).
 *
 * The registry PDF could not be read from here. The table was assembled from implementations that quote it:
 * - tpm2-software/tpm2-tools tools/tpm2_getekcertificate.c ("Sourced from TCG Vendor ID Registry v1.06"):
 *   AMD, ATML, BRCM, CSCO, FLYS, ROCC, GOOG, HPE, HISI, IBM, IFX, INTC, LEN, MSFT, NSM, NTZ, NTC, QCOM, SMSN,
 *   SNS, SMSC, STM, TXN, WEC;
 * - WebAuthn.Net and Shark.Fido2 (FIDO TPM attestation verifiers, citing registry v1.06 rev 0.94 and
 *   v1.07 rev 0.02), which add ANT (Ant Group), HPI (HP Inc.), NSG (NSING), SECE (SecEdge), SEAL (Wisekey) and
 *   the conformance-test vendor id 0xFFFFF1D0.
 * Vendor names are given in their common short form.
 */
import { hex32 } from './lookup.js';

interface VendorEntry {
  /** The id as registered, trailing NUL/space removed ('IFX'). */
  readonly id: string;
  /** The TPM_PT_MANUFACTURER value. */
  readonly value: number;
  /** The vendor's name. */
  readonly name: string;
}

/** TCG TPM Vendor ID Registry entries, keyed by vendor id (see the file header for sources). */
export const TPM_VENDORS = {
  AMD: { id: 'AMD', value: 0x414d4400, name: 'AMD' },
  ANT: { id: 'ANT', value: 0x414e5400, name: 'Ant Group' },
  ATML: { id: 'ATML', value: 0x41544d4c, name: 'Atmel' },
  BRCM: { id: 'BRCM', value: 0x4252434d, name: 'Broadcom' },
  CSCO: { id: 'CSCO', value: 0x4353434f, name: 'Cisco' },
  FLYS: { id: 'FLYS', value: 0x464c5953, name: 'Flyslice Technologies' },
  ROCC: { id: 'ROCC', value: 0x524f4343, name: 'Fuzhou Rockchip' },
  GOOG: { id: 'GOOG', value: 0x474f4f47, name: 'Google' },
  HPI: { id: 'HPI', value: 0x48504900, name: 'HP Inc.' },
  HPE: { id: 'HPE', value: 0x48504500, name: 'Hewlett Packard Enterprise' },
  HISI: { id: 'HISI', value: 0x48495349, name: 'Huawei' },
  IBM: { id: 'IBM', value: 0x49424d00, name: 'IBM' },
  IFX: { id: 'IFX', value: 0x49465800, name: 'Infineon' },
  INTC: { id: 'INTC', value: 0x494e5443, name: 'Intel' },
  LEN: { id: 'LEN', value: 0x4c454e00, name: 'Lenovo' },
  MSFT: { id: 'MSFT', value: 0x4d534654, name: 'Microsoft' },
  NSM: { id: 'NSM', value: 0x4e534d20, name: 'National Semiconductor' },
  NTZ: { id: 'NTZ', value: 0x4e545a00, name: 'Nationz' },
  NSG: { id: 'NSG', value: 0x4e534700, name: 'NSING' },
  NTC: { id: 'NTC', value: 0x4e544300, name: 'Nuvoton Technology' },
  QCOM: { id: 'QCOM', value: 0x51434f4d, name: 'Qualcomm' },
  SMSN: { id: 'SMSN', value: 0x534d534e, name: 'Samsung' },
  SECE: { id: 'SECE', value: 0x53454345, name: 'SecEdge' },
  SNS: { id: 'SNS', value: 0x534e5300, name: 'Sinosun' },
  SMSC: { id: 'SMSC', value: 0x534d5343, name: 'SMSC' },
  STM: { id: 'STM', value: 0x53544d20, name: 'STMicroelectronics' },
  TXN: { id: 'TXN', value: 0x54584e00, name: 'Texas Instruments' },
  WEC: { id: 'WEC', value: 0x57454300, name: 'Winbond' },
  SEAL: { id: 'SEAL', value: 0x5345414c, name: 'Wisekey' },
} as const satisfies Record<string, VendorEntry>;

/** The vendor id used by TCG conformance tools (registry v1.07). */
const TPM_VENDOR_CONFORMANCE_TEST = 0xfffff1d0;

/**
 * 'IBM ' (0x49424D20) is what the IBM / Microsoft reference simulator (ibmswtpm2, mssim) reports; tpm2-tools
 * lists it as VENDOR_IBMSIM. It is not a registry entry; it is recognised here because test rigs use it.
 */
const TPM_VENDOR_IBM_SIMULATOR = 0x49424d20;

/** A TPM_PT_MANUFACTURER value decoded. */
export interface ManufacturerInfo {
  /** The vendor id ('IFX'), or the decoded four characters when the id is not in the registry. */
  id: string;
  /** The vendor's name, or the decoded id again when unknown. */
  name: string;
  /** True when the value is a registry entry (or the IBM simulator / conformance-test ids). */
  known: boolean;
}

const byValue = new Map<number, VendorEntry>(Object.values(TPM_VENDORS).map((v) => [v.value, v]));

function isPrintable(b: number): boolean {
  return b >= 0x20 && b <= 0x7e;
}

/**
 * A UINT32 holding four big-endian characters as text, as TPM_PT_MANUFACTURER and TPM_PT_VENDOR_STRING_1..4 are.
 * Trailing NULs and spaces are removed (tpm2_getcap trims them too); a non-printable byte that remains is shown
 * as '\xNN'. 0x49465800 -> 'IFX', 0x53544D20 -> 'STM', 0x534C4239 -> 'SLB9'.
 */
export function decodeFourCC(u32: number): string {
  const v = u32 >>> 0;
  const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  while (bytes.length > 0) {
    const last = bytes[bytes.length - 1];
    if (last !== 0x00 && last !== 0x20) break;
    bytes.pop();
  }
  return bytes
    .map((b) =>
      isPrintable(b) ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Decodes several TPM_PT_VENDOR_STRING_n values into one string ('SLB9672' from two words, for example). */
export function decodeVendorString(words: readonly number[]): string {
  return words.map(decodeFourCC).join('');
}

/** The manufacturer of a TPM_PT_MANUFACTURER value: { id: 'IFX', name: 'Infineon', known: true }. */
export function manufacturerInfo(id: number): ManufacturerInfo {
  const v = id >>> 0;
  const entry = byValue.get(v);
  if (entry !== undefined) return { id: entry.id, name: entry.name, known: true };
  if (v === TPM_VENDOR_IBM_SIMULATOR) return { id: 'IBM', name: 'IBM (reference simulator)', known: true };
  if (v === TPM_VENDOR_CONFORMANCE_TEST) {
    return { id: hex32(v), name: 'TCG conformance tools test vendor', known: true };
  }
  const text = decodeFourCC(v);
  return { id: text, name: text, known: false };
}
