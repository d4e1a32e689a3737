/**
 * Binding an evidence bundle to the TPM being cleared (`clear --evidence PATH`). The gate judges
 * the device's BitLocker, enrollment and the reason for the clear from the bundle, so a bundle
 * collected on another device would make this TPM's clear pass on that device's facts. What the
 * bundle says about its TPM is compared with what this TPM answers itself:
 * - the manufacturer: Get-Tpm and Win32_Tpm ManufacturerId / ManufacturerIdTxt, tpmtool's
 *   "TPM Manufacturer ID", against TPM_PT_MANUFACTURER (Part 2 §6.13; src/tpm/constants/manufacturers.ts);
 * - the firmware version: Get-Tpm ManufacturerVersionFull20 / ManufacturerVersion, Win32_Tpm
 *   ManufacturerVersion, tpmtool's "TPM Manufacturer Version", which Windows prints as the four
 *   16-bit halves of TPM_PT_FIRMWARE_VERSION_1 and _2 (a shorter form is compared on its parts);
 * - the EK: Get-TpmEndorsementKeyInfo's PublicKeyHash against the same hash of each RSA EK this
 *   TPM holds (src/tpm/ek/windows-ek-hash.ts): the one fact that tells one TPM from another of
 *   the same model.
 * Any difference fails (no acknowledgement passes a fail). A bundle that names none of these, or
 * a TPM that could not be read, leaves the binding unknown. Pure: no I/O.
 */
import type { TpmIdentity, TpmStatus } from '../../snapshot/tpm-status.js';
import type { WindowsEvidence } from '../../snapshot/windows-evidence.js';
import { check, type Evidence, FLAGS, type PreflightInput } from './facts.js';
import type { GateCheck } from './gate.js';

export type EvidenceBinding =
  | { status: 'same'; compared: string[]; evidence: Evidence[] }
  | { status: 'different'; differences: string[]; evidence: Evidence[] }
  | { status: 'unknown'; problem: string; evidence: Evidence[] };

/** What the bundle says about its TPM, one fact per source that gave it. */
interface BundleFact {
  kind: 'manufacturer' | 'firmware' | 'ek';
  source: string;
  field: string;
  value: string;
}

/**
 * The binding rule. `tpmEkHashes`: the Windows-style public key hash of every RSA EK this TPM
 * holds (null when they could not be read).
 */
export function bindEvidenceToTpm(
  windows: WindowsEvidence,
  tpm: TpmStatus | null,
  tpmEkHashes: readonly string[] | null,
): EvidenceBinding {
  const facts = bundleFacts(windows);
  const evidence: Evidence[] = facts.map((f) => ({ source: f.source, field: f.field, value: f.value }));
  if (facts.length === 0) {
    return {
      status: 'unknown',
      problem:
        'the evidence bundle names nothing about its TPM (no manufacturer, firmware version or EK public key hash)',
      evidence,
    };
  }
  const identity = tpm?.identity ?? null;
  if (identity) {
    evidence.push(
      {
        source: 'tpm',
        field: 'TPM_PT_MANUFACTURER',
        value: `${identity.manufacturer.id} (${identity.manufacturer.code})`,
      },
      { source: 'tpm', field: 'TPM_PT_FIRMWARE_VERSION_1/2', value: identity.firmwareVersion },
    );
  }
  if (tpmEkHashes !== null && tpmEkHashes.length > 0) {
    evidence.push({ source: 'tpm', field: 'RSA EK public key SHA-256', value: tpmEkHashes.join(', ') });
  }
  const differing: BundleFact[] = [];
  const compared = new Set<BundleFact['kind']>();
  for (const fact of facts) {
    if (fact.kind === 'manufacturer' && identity) {
      compared.add(fact.kind);
      if (!sameManufacturer(fact.value, identity.manufacturer)) differing.push(fact);
    } else if (fact.kind === 'firmware' && identity) {
      compared.add(fact.kind);
      if (!sameFirmware(fact.value, identity.firmwareVersion)) differing.push(fact);
    } else if (fact.kind === 'ek' && tpmEkHashes !== null && tpmEkHashes.length > 0) {
      compared.add(fact.kind);
      if (!tpmEkHashes.includes(fact.value)) differing.push(fact);
    }
  }
  const ours: Record<BundleFact['kind'], string> = {
    manufacturer: identity ? `${identity.manufacturer.id} (${identity.manufacturer.code})` : '',
    firmware: identity?.firmwareVersion ?? '',
    ek: (tpmEkHashes ?? []).join(', '),
  };
  const differences = (['manufacturer', 'firmware', 'ek'] as const).flatMap((kind) => {
    const theirs = differing.filter((f) => f.kind === kind);
    if (theirs.length === 0) return [];
    const values = unique(theirs.map((f) => (kind === 'manufacturer' ? manufacturerText(f.value) : f.value)));
    const sources = unique(theirs.map((f) => f.source));
    return [`${KIND_LABEL[kind]} ${values.join(', ')} (${sources.join(', ')}), this TPM ${ours[kind]}`];
  });
  if (differences.length > 0) return { status: 'different', differences, evidence };
  if (compared.size === 0) {
    return {
      status: 'unknown',
      problem: `this TPM's ${identity ? 'EK' : 'manufacturer, firmware version and EK'} could not be read to compare with the bundle's`,
      evidence,
    };
  }
  return { status: 'same', compared: [...compared].map((k) => KIND_LABEL[k]), evidence };
}

/**
 * The gate's check `evidence.same-tpm`, present only when the clear gates on a bundle file
 * (GateOptions.evidenceBundle, set by `clear --evidence`).
 */
export function checkEvidenceBinding(input: PreflightInput): GateCheck | null {
  const bundle = input.options.evidenceBundle;
  const windows = input.snapshot.windows;
  if (bundle === undefined || windows === null) return null;
  const binding = bindEvidenceToTpm(windows, input.snapshot.tpm, bundle.tpmEkPublicKeyHashes);
  const collect =
    'the evidence on this device (tpm-doctor collect, or collect-evidence.ps1 -Full elevated) and give that bundle';
  if (binding.status === 'different') {
    return check(
      'evidence.same-tpm',
      'fail',
      `The evidence bundle is of another TPM: ${binding.differences.join('; ')}. Its findings and backups are not this device's: collect ${collect}.`,
      binding.evidence,
    );
  }
  if (binding.status === 'unknown') {
    return check(
      'evidence.same-tpm',
      'unknown',
      `Whether the evidence bundle is of this TPM is unknown: ${binding.problem}. Collect ${collect}, or acknowledge with ${FLAGS.acknowledge('evidence.same-tpm')} if you know it was collected on this device.`,
      binding.evidence,
    );
  }
  const model = binding.compared.includes('EK public key hash')
    ? ''
    : ' (the bundle has no EK public key hash, so another TPM of the same model would match too)';
  return check(
    'evidence.same-tpm',
    'pass',
    `The evidence bundle is of this TPM: its ${binding.compared.join(', ')} match${model}.`,
    binding.evidence,
  );
}

function bundleFacts(w: WindowsEvidence): BundleFact[] {
  const facts: BundleFact[] = [];
  const add = (
    kind: BundleFact['kind'],
    source: string,
    field: string,
    value: string | number | null | undefined,
  ) => {
    const text = typeof value === 'number' ? String(value >>> 0) : value?.replace(/\0/g, '').trim();
    if (text) facts.push({ kind, source, field, value: text });
  };
  add('manufacturer', 'Get-Tpm', 'ManufacturerIdTxt', w.getTpm?.manufacturerIdTxt);
  add('manufacturer', 'Get-Tpm', 'ManufacturerId', w.getTpm?.manufacturerId);
  add('manufacturer', 'Win32_Tpm', 'ManufacturerIdTxt', w.win32Tpm?.manufacturerIdTxt);
  add('manufacturer', 'Win32_Tpm', 'ManufacturerId', w.win32Tpm?.manufacturerId);
  add('manufacturer', 'tpmtool getdeviceinformation', 'TPM Manufacturer ID', w.tpmtool?.manufacturerId);
  for (const [source, field, value] of [
    ['Get-Tpm', 'ManufacturerVersionFull20', w.getTpm?.manufacturerVersionFull20],
    ['Get-Tpm', 'ManufacturerVersion', w.getTpm?.manufacturerVersion],
    ['Win32_Tpm', 'ManufacturerVersion', w.win32Tpm?.manufacturerVersion],
    ['tpmtool getdeviceinformation', 'TPM Manufacturer Version', w.tpmtool?.manufacturerVersion],
  ] as const) {
    // "Not Supported for TPM 1.2" and other words are no version to compare.
    if (value && VERSION.test(value.trim())) add('firmware', source, field, value);
  }
  add('ek', 'Get-TpmEndorsementKeyInfo', 'PublicKeyHash', w.ekInfo?.publicKeyHash?.toLowerCase());
  return facts;
}

const VERSION = /^\d+(\.\d+){0,3}$/;

const KIND_LABEL: Record<BundleFact['kind'], string> = {
  manufacturer: 'manufacturer',
  firmware: 'firmware version',
  ek: 'EK public key hash',
};

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** A numeric ManufacturerId shown as TPM_PT_MANUFACTURER is (0x4e544300), a vendor ID as it is. */
function manufacturerText(value: string): string {
  return /^\d+$/.test(value) ? `0x${Number(value).toString(16).padStart(8, '0')}` : value;
}

/** A ManufacturerId is TPM_PT_MANUFACTURER as a number; the text forms are its vendor ID ('INTC'). */
function sameManufacturer(value: string, manufacturer: TpmIdentity['manufacturer']): boolean {
  if (/^\d+$/.test(value)) return Number(value) === Number.parseInt(manufacturer.code, 16);
  return value.toUpperCase() === manufacturer.id.toUpperCase();
}

/** Windows' a.b.c.d, or its first parts ("302.12"), against the TPM's four 16-bit halves. */
function sameFirmware(value: string, firmwareVersion: string): boolean {
  const theirs = value.split('.').map(Number);
  const ours = firmwareVersion.split('.').map(Number);
  return theirs.every((part, i) => part === ours[i]);
}
