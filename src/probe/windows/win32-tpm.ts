// Source: Win32_Tpm class, https://learn.microsoft.com/windows/win32/secprov/win32-tpm
import type { Win32TpmInfo } from '../../snapshot/windows-evidence.js';
import { describeText, EvidenceError } from './evidence-error.js';
import { field, hasAnyField, singleRecord, toBool, toInt, toStr } from './json-values.js';
import { parseFormatList } from './powershell-text.js';

const EXPECTED =
  'a Win32_Tpm instance as JSON (Get-CimInstance -Namespace root/cimv2/Security/MicrosoftTpm -ClassName Win32_Tpm | ConvertTo-Json)';

/** The Win32_Tpm instance properties (needs elevation on the device). Extra CIM properties are ignored. */
export function parseWin32Tpm(input: unknown): Win32TpmInfo {
  const r =
    typeof input === 'string'
      ? (parseFormatList(input).records.find((x) => hasAnyField(x, ['SpecVersion', 'ManufacturerId'])) ??
        notAListing(input))
      : singleRecord(input, EXPECTED);
  if (
    !hasAnyField(r, ['SpecVersion', 'ManufacturerId', 'IsActivated_InitialValue', 'IsEnabled_InitialValue'])
  ) {
    throw new EvidenceError(`expected ${EXPECTED}, found an object without SpecVersion or ManufacturerId`);
  }
  return {
    specVersion: toStr(field(r, 'SpecVersion')),
    manufacturerId: toInt(field(r, 'ManufacturerId')),
    manufacturerIdTxt: toStr(field(r, 'ManufacturerIdTxt')),
    manufacturerVersion: toStr(field(r, 'ManufacturerVersion')),
    manufacturerVersionInfo: toStr(field(r, 'ManufacturerVersionInfo')),
    physicalPresenceVersionInfo: toStr(field(r, 'PhysicalPresenceVersionInfo')),
    isActivated: toBool(field(r, 'IsActivated_InitialValue', 'IsActivated')),
    isEnabled: toBool(field(r, 'IsEnabled_InitialValue', 'IsEnabled')),
    isOwned: toBool(field(r, 'IsOwned_InitialValue', 'IsOwned')),
  };
}

/** Text that is not a Win32_Tpm Format-List (Get-CimInstance's default view of the instance). */
function notAListing(text: string): never {
  throw new EvidenceError(
    `a Win32_Tpm listing must have "SpecVersion : ..." or "ManufacturerId : ..." lines; found ${describeText(text)}`,
  );
}
