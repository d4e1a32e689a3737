// Source: Get-TpmEndorsementKeyInfo, https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpmendorsementkeyinfo
import type { EkInfo } from '../../snapshot/windows-evidence.js';
import { EvidenceError } from './evidence-error.js';
import { asArray, field, hasAnyField, singleRecord, toBool, toStr } from './json-values.js';

const EXPECTED = 'Get-TpmEndorsementKeyInfo | ConvertTo-Json output (an object with IsPresent)';

/**
 * Whether the EK is present, how many certificates Windows found for it, and its public key hash.
 * The certificates may arrive as objects, thumbprint strings (tpm-doctor's collector), or the
 * type name PowerShell writes past its -Depth: each entry counts as one certificate.
 */
export function parseEkInfo(input: unknown): EkInfo {
  const r = singleRecord(input, EXPECTED);
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
