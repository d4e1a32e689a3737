// Source: Get-TpmEndorsementKeyInfo, https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpmendorsementkeyinfo
import type { EkInfo } from '../../snapshot/windows-evidence.js';
import { describeText, EvidenceError } from './evidence-error.js';
import { asArray, field, hasAnyField, singleRecord, toBool, toStr } from './json-values.js';
import { parseFormatList } from './powershell-text.js';

const EXPECTED = 'Get-TpmEndorsementKeyInfo | ConvertTo-Json output (an object with IsPresent)';

/**
 * Whether the EK is present, how many certificates Windows found for it, and its public key hash.
 * The certificates may arrive as objects, thumbprint strings (tpm-doctor's collector), or the
 * type name PowerShell writes past its -Depth: each entry counts as one certificate.
 */
export function parseEkInfo(input: unknown, note: (message: string) => void = () => {}): EkInfo {
  const r = typeof input === 'string' ? fromListing(input, note) : singleRecord(input, EXPECTED);
  if (!hasAnyField(r, ['IsPresent', 'ManufacturerCertificates', 'PublicKeyHash'])) {
    throw new EvidenceError(`expected ${EXPECTED}, found an object without IsPresent`);
  }
  const hash = toStr(field(r, 'PublicKeyHash'));
  return {
    isPresent: toBool(field(r, 'IsPresent')),
    manufacturerCertificates: countCertificates(field(r, 'ManufacturerCertificates')),
    additionalCertificates: countCertificates(field(r, 'AdditionalCertificates')),
    publicKeyHash: hash === null ? null : hash.toLowerCase(),
  };
}

function countCertificates(value: unknown): number {
  return asArray(value).filter((c) => c !== null && c !== '').length;
}

/**
 * Get-TpmEndorsementKeyInfo's default Format-List view. Each certificate prints as a block that
 * starts "[Subject]" inside the braces of ManufacturerCertificates / AdditionalCertificates;
 * "{}" is none.
 */
function fromListing(text: string, note: (message: string) => void): Record<string, unknown> {
  const record = parseFormatList(text).records.find((r) => hasAnyField(r, ['IsPresent']));
  if (record === undefined) {
    throw new EvidenceError(
      `a Get-TpmEndorsementKeyInfo listing must have an "IsPresent : True|False" line; found ${describeText(text)}`,
    );
  }
  const known = new Set(
    ['IsPresent', 'PublicKey', 'PublicKeyHash', 'ManufacturerCertificates', 'AdditionalCertificates'].map(
      (l) => l.toLowerCase(),
    ),
  );
  const unknown = Object.keys(record).filter((k) => !known.has(k.toLowerCase()));
  if (unknown.length > 0)
    note(`labels not known to be Get-TpmEndorsementKeyInfo's, ignored: ${unknown.join(', ')}`);
  const certificates = (value: string | undefined) =>
    Array.from({ length: (value ?? '').match(/\[Subject\]/g)?.length ?? 0 }, () => 'certificate');
  return {
    ...record,
    ManufacturerCertificates: certificates(record.ManufacturerCertificates),
    AdditionalCertificates: certificates(record.AdditionalCertificates),
  };
}
