// Source: Get-Tpm, https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm
import type { GetTpmInfo } from '../../snapshot/windows-evidence.js';
import { describeText, EvidenceError } from './evidence-error.js';
import {
  field,
  hasAnyField,
  isRecord,
  type JsonRecord,
  singleRecord,
  toBool,
  toInt,
  toStr,
} from './json-values.js';
import { parseFormatList } from './powershell-text.js';

const EXPECTED = 'Get-Tpm output (ConvertTo-Json, or Format-List text with "TpmPresent : True" lines)';

/** The TpmObject properties we read; OwnerAuth is only tested for presence, never kept. */
const PROPERTIES = [
  'TpmPresent',
  'TpmReady',
  'TpmEnabled',
  'TpmActivated',
  'TpmOwned',
  'RestartPending',
  'ManufacturerId',
  'ManufacturerIdTxt',
  'ManufacturerVersion',
  'ManufacturerVersionFull20',
  'ManagedAuthLevel',
  'OwnerAuth',
  'OwnerAuthPresent',
  'OwnerClearDisabled',
  'AutoProvisioning',
  'LockedOut',
  'LockoutHealTime',
  'LockoutCount',
  'LockoutMax',
] as const;

/**
 * Get-Tpm as ConvertTo-Json (an object, or its JSON text) or as Format-List text. Property names
 * are never localised; values are PowerShell's True/False (1/0 accepted). ManagedAuthLevel and
 * AutoProvisioning are enums: tpm-doctor's collector writes their names; a plain
 * `Get-Tpm | ConvertTo-Json` writes numbers, kept as their decimal text.
 */
export function parseGetTpm(input: unknown, note: (message: string) => void = () => {}): GetTpmInfo {
  if (typeof input === 'string') {
    const text = input.replace(/^\uFEFF/, '').trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new EvidenceError(
          `expected ${EXPECTED}, found text that starts like JSON but is not valid JSON`,
        );
      }
      return fromRecord(singleRecord(parsed, EXPECTED));
    }
    return fromRecord(parseListing(text, note));
  }
  return fromRecord(singleRecord(input, EXPECTED));
}

/** Labels Get-Tpm's TpmObject prints that tpm-doctor does not need (they are known, not unknown). */
const IGNORED = ['SelfTest', 'PSComputerName', 'RunspaceId', 'PSShowComputerName'];

/**
 * Format-List text (Get-Tpm's default view, also what Clear-Tpm and Enable-TpmAutoProvisioning
 * return). A listing without a TpmPresent line is not Get-Tpm (Initialize-Tpm's result, a few
 * lockout lines, a listing collapsed onto one line): the source is unreadable, not "no TPM".
 */
function parseListing(text: string, note: (message: string) => void): JsonRecord {
  const view = parseFormatList(text);
  const record = view.records.find((r) => hasAnyField(r, ['TpmPresent']));
  if (record === undefined) {
    throw new EvidenceError(
      `expected ${EXPECTED}: a Get-Tpm listing must have a "TpmPresent : True|False" line; found ${describeText(text)}`,
    );
  }
  const known = new Set([...PROPERTIES, ...IGNORED].map((p) => p.toLowerCase()));
  const unknown = Object.keys(record).filter((k) => !known.has(k.toLowerCase()));
  if (unknown.length > 0) note(`labels not known to be Get-Tpm's, ignored: ${unknown.join(', ')}`);
  return record;
}

function fromRecord(r: JsonRecord): GetTpmInfo {
  if (!hasAnyField(r, ['TpmPresent', 'TpmReady', 'TpmOwned', 'LockedOut'])) {
    const keys = Object.keys(r).slice(0, 5).join(', ') || 'none';
    throw new EvidenceError(
      `expected ${EXPECTED}, found an object without TpmPresent or TpmReady (keys: ${keys})`,
    );
  }
  const ownerAuthPresent = ownerAuth(r);
  return {
    tpmPresent: toBool(field(r, 'TpmPresent')),
    tpmReady: toBool(field(r, 'TpmReady')),
    tpmEnabled: toBool(field(r, 'TpmEnabled')),
    tpmActivated: toBool(field(r, 'TpmActivated')),
    tpmOwned: toBool(field(r, 'TpmOwned')),
    restartPending: toBool(field(r, 'RestartPending')),
    manufacturerId: toInt(field(r, 'ManufacturerId')),
    manufacturerIdTxt: toStr(field(r, 'ManufacturerIdTxt')),
    manufacturerVersion: toStr(field(r, 'ManufacturerVersion')),
    manufacturerVersionFull20: toStr(field(r, 'ManufacturerVersionFull20')),
    managedAuthLevel: toStr(field(r, 'ManagedAuthLevel')),
    ownerClearDisabled: toBool(field(r, 'OwnerClearDisabled')),
    autoProvisioning: toStr(field(r, 'AutoProvisioning')),
    lockedOut: toBool(field(r, 'LockedOut')),
    lockoutHealTime: toStr(field(r, 'LockoutHealTime')),
    lockoutCount: toInt(field(r, 'LockoutCount')),
    lockoutMax: toInt(field(r, 'LockoutMax')),
    ownerAuthPresent,
  };
}

/** Whether an owner authorization value is held (the value itself is never read into the result). */
function ownerAuth(r: JsonRecord): boolean | null {
  const flag = toBool(field(r, 'OwnerAuthPresent'));
  if (flag !== null) return flag;
  const value = field(r, 'OwnerAuth');
  if (value === undefined) return null;
  if (value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  return isRecord(value) || Array.isArray(value) ? true : null;
}
