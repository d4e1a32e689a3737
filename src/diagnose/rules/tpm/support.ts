/**
 * Small helpers the tpm.* rules share: evidence source names, hex and duration formatting, and the
 * facts several rules read from more than one source (vendor, firmware version, "a clear is
 * needed"). Pure, like the rules.
 */

import type { Snapshot } from '../../../snapshot/snapshot.js';
import type { SectionError } from '../../../snapshot/tpm-status.js';
import { manufacturerInfo } from '../../../tpm/constants/manufacturers.js';
import { parseVersion } from '../../data/firmware-vulnerabilities.js';
import type { Evidence } from '../../finding.js';
import { CLEAR_BITS, decodeIsReady } from './is-ready-bits.js';

/** Evidence sources, as admins know them. */
export const SOURCE = {
  tpm: 'tpm',
  getTpm: 'Get-Tpm',
  win32Tpm: 'Win32_Tpm',
  isReady: 'Win32_Tpm.IsReadyInformation',
  ekInfo: 'Get-TpmEndorsementKeyInfo',
  tpmtool: 'tpmtool getdeviceinformation',
  systemLog: 'System event log',
} as const;

/** 0x00000900 (lower-case, fixed width), as status --json prints codes. */
export function hex8(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** The sections of the TPM status that failed with this response-code name (e.g. 'TPM_RC_FAILURE'). */
export function tpmErrorsWithCode(snapshot: Snapshot, code: string): SectionError[] {
  return snapshot.tpm?.errors.filter((e) => e.code === code) ?? [];
}

export interface Fact<T> {
  value: T;
  evidence: Evidence;
}

/** The TCG vendor id ('IFX', 'INTC', ...), from the TPM itself first, then Windows. */
export function tpmVendor(snapshot: Snapshot): Fact<string> | null {
  const identity = snapshot.tpm?.identity;
  if (identity) {
    return {
      value: identity.manufacturer.id,
      evidence: { source: SOURCE.tpm, field: 'TPM_PT_MANUFACTURER', value: identity.manufacturer.id },
    };
  }
  const w = snapshot.windows;
  const text = (s: string | null | undefined) => s?.replace(/\0/g, '').trim() || null;
  const fromText = text(w?.getTpm?.manufacturerIdTxt) ?? text(w?.win32Tpm?.manufacturerIdTxt);
  if (fromText && w?.getTpm?.manufacturerIdTxt) {
    return {
      value: fromText,
      evidence: { source: SOURCE.getTpm, field: 'ManufacturerIdTxt', value: fromText },
    };
  }
  if (fromText) {
    return {
      value: fromText,
      evidence: { source: SOURCE.win32Tpm, field: 'ManufacturerIdTxt', value: fromText },
    };
  }
  const id = w?.getTpm?.manufacturerId ?? w?.win32Tpm?.manufacturerId;
  if (typeof id === 'number') {
    const source = w?.getTpm?.manufacturerId != null ? SOURCE.getTpm : SOURCE.win32Tpm;
    return { value: manufacturerInfo(id).id, evidence: { source, field: 'ManufacturerId', value: id } };
  }
  const tool = text(w?.tpmtool?.manufacturerId);
  if (tool)
    return { value: tool, evidence: { source: SOURCE.tpmtool, field: 'TPM Manufacturer ID', value: tool } };
  return null;
}

/** The firmware version in the a.b.c.d form, from the TPM first, then Windows. */
export function firmwareVersion(snapshot: Snapshot): Fact<string> | null {
  const identity = snapshot.tpm?.identity;
  if (identity) {
    return {
      value: identity.firmwareVersion,
      evidence: {
        source: SOURCE.tpm,
        field: 'TPM_PT_FIRMWARE_VERSION_1/2',
        value: `${identity.firmwareVersion} (${identity.firmwareVersionRaw.join(' ')})`,
      },
    };
  }
  const w = snapshot.windows;
  const candidates: [string | null | undefined, string, string][] = [
    [w?.getTpm?.manufacturerVersionFull20, SOURCE.getTpm, 'ManufacturerVersionFull20'],
    [w?.getTpm?.manufacturerVersion, SOURCE.getTpm, 'ManufacturerVersion'],
    [w?.win32Tpm?.manufacturerVersion, SOURCE.win32Tpm, 'ManufacturerVersion'],
    [w?.tpmtool?.manufacturerVersion, SOURCE.tpmtool, 'TPM Manufacturer Version'],
  ];
  for (const [value, source, field] of candidates) {
    const v = value?.trim();
    if (v && parseVersion(v)) return { value: v, evidence: { source, field, value: v } };
  }
  return null;
}

/**
 * The Windows signals that only a clear fixes (tpm.reduced-functionality): IsReadyInformation
 * bits 0x8/0x100/0x200/0x800 and tpmtool "Clear Needed To Recover: True". Empty when none.
 */
export function clearNeededEvidence(snapshot: Snapshot): Evidence[] {
  const w = snapshot.windows;
  const out: Evidence[] = [];
  const info = w?.isReady?.information;
  if (typeof info === 'number' && (info & CLEAR_BITS) !== 0) {
    out.push({ source: SOURCE.isReady, field: 'Information', value: hex8(info) });
    for (const bit of decodeIsReady(info).filter((b) => b.remedy === 'clear')) {
      out.push({ source: SOURCE.isReady, field: `Information bit ${hex8(bit.mask)}`, value: bit.name });
    }
  }
  if (w?.tpmtool?.clearNeededToRecover === true) {
    out.push({ source: SOURCE.tpmtool, field: 'Clear Needed To Recover', value: true });
  }
  return out;
}
