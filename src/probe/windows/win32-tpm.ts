// Source: Win32_Tpm class, https://learn.microsoft.com/windows/win32/secprov/win32-tpm
import type { Win32TpmInfo } from '../../snapshot/windows-evidence.js';
import { describeText, EvidenceError } from './evidence-error.js';
import { field, hasAnyField, singleRecord, toBool, toInt, toStr } from './json-values.js';
import { parseFormatList } from './powershell-text.js';

const EXPECTED =
  'a Win32_Tpm instance as JSON (Get-CimInstance -Namespace root/cimv2/Security/MicrosoftTpm -ClassName Win32_Tpm | ConvertTo-Json)';

/** The Win32_Tpm instance properties (needs elevation on the device). Extra CIM properties are ignored. */
/** Win32_Tpm properties a listing may print that tpm-doctor knowingly does not read. */
const KNOWN_LABELS = [
  'SpecVersion',
  'ManufacturerId',
  'ManufacturerIdTxt',
  'ManufacturerVersion',
  'ManufacturerVersionFull20',
  'ManufacturerVersionInfo',
  'PhysicalPresenceVersionInfo',
  'IsActivated_InitialValue',
  'IsEnabled_InitialValue',
  'IsOwned_InitialValue',
  'PSComputerName',
];

export function parseWin32Tpm(input: unknown, note: (message: string) => void = () => {}): Win32TpmInfo {
  let r: Record<string, unknown>;
  if (typeof input === 'string') {
    const listing = parseFormatList(input).records.find((x) =>
      hasAnyField(x, ['SpecVersion', 'ManufacturerId']),
    );
    if (listing === undefined) notAListing(input);
    const known = new Set(KNOWN_LABELS.map((l) => l.toLowerCase()));
    const unknown = Object.keys(listing).filter((k) => !known.has(k.toLowerCase()));
    if (unknown.length > 0) note(`labels not known to be Win32_Tpm's, ignored: ${unknown.join(', ')}`);
    r = listing;
  } else {
    r = singleRecord(input, EXPECTED);
  }
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
