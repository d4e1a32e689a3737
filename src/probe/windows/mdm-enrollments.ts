// Source: HKLM\SOFTWARE\Microsoft\Enrollments (DMClient CSP), https://learn.microsoft.com/windows/client-management/mdm/dmclient-csp
import type { MdmEnrollment, MdmSyncState } from '../../snapshot/windows-evidence.js';
import { describeJson, EvidenceError } from './evidence-error.js';
import {
  asArray,
  field,
  hasAnyField,
  isRecord,
  type JsonRecord,
  toInt,
  toIsoTime,
  toStr,
} from './json-values.js';

/** The ProviderID of an Intune MDM enrollment (DMClient CSP). */
const INTUNE_PROVIDER_ID = 'MS DM Server';

export function isIntuneEnrollment(e: MdmEnrollment): boolean {
  return e.providerId?.toLowerCase() === INTUNE_PROVIDER_ID.toLowerCase();
}

const GUID = /\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

const EXPECTED =
  'the Enrollments registry subkeys as JSON (a list of objects with EnrollmentId or PSChildName, ProviderID, UPN, EnrollmentState, EnrollmentType; [] when not enrolled)';

/**
 * The MDM enrollments: tpm-doctor's collector writes one object per GUID subkey; a plain
 * `Get-ChildItem ... | Get-ItemProperty | ConvertTo-Json` (PSChildName, PSPath) and an object
 * keyed by GUID are read too. Non-GUID subkeys (Context, Ownership, Status...) are skipped. An
 * empty list is a device with no enrollment, not an error.
 */
export function parseEnrollments(input: unknown): MdmEnrollment[] {
  if (isRecord(input) && !looksLikeEnrollment(input) && Object.keys(input).some((k) => GUID.test(k))) {
    return Object.entries(input)
      .filter(([k, v]) => GUID.test(k) && isRecord(v))
      .map(([k, v]) => enrollment(k, v as JsonRecord));
  }
  const items = asArray(input);
  if (!Array.isArray(input) && !isRecord(input)) {
    throw new EvidenceError(`expected ${EXPECTED}, found ${describeJson(input)}`);
  }
  const records = items.filter(isRecord);
  if (records.length > 0 && !records.some(looksLikeEnrollment)) {
    throw new EvidenceError(`expected ${EXPECTED}, found ${describeJson(records[0])}`);
  }
  const out: MdmEnrollment[] = [];
  for (const r of records) {
    const id = idOf(r);
    if (id !== null) out.push(enrollment(id, r));
  }
  return out;
}

function looksLikeEnrollment(r: JsonRecord): boolean {
  return hasAnyField(r, ['EnrollmentId', 'PSChildName', 'ProviderID', 'EnrollmentState', 'EnrollmentType']);
}

function idOf(r: JsonRecord): string | null {
  for (const name of ['EnrollmentId', 'PSChildName', 'EnrollmentGUID', 'Name', 'PSPath']) {
    const v = toStr(field(r, name));
    const m = v === null ? null : GUID.exec(v);
    if (m) return m[1]!.toUpperCase();
  }
  return null;
}

function enrollment(id: string, r: JsonRecord): MdmEnrollment {
  const m = GUID.exec(id);
  return {
    enrollmentId: m ? m[1]!.toUpperCase() : id,
    providerId: toStr(field(r, 'ProviderID', 'ProviderId')),
    upn: toStr(field(r, 'UPN')),
    enrollmentState: toInt(field(r, 'EnrollmentState')),
    enrollmentType: toInt(field(r, 'EnrollmentType')),
  };
}

const EXPECTED_SYNC =
  'the OMADM ConnInfo registry values as JSON (objects with ServerLastSuccessTime and ServerLastAccessTime)';

/**
 * The device's own record of its last MDM sessions, from
 * HKLM\SOFTWARE\Microsoft\Provisioning\OMADM\Accounts\<id>\Protected\ConnInfo
 * (ServerLastSuccessTime, ServerLastAccessTime, e.g. "20231114T221320Z"; value names [U], seen in
 * community tooling, not in Microsoft's docs). With several accounts the newest times win.
 * `lastErrorCode` is read when the file has one (LastErrorCode), else left null here.
 */
export function parseMdmSync(input: unknown): MdmSyncState {
  const records = asArray(input).filter(isRecord);
  const relevant = records.filter((r) =>
    hasAnyField(r, ['ServerLastSuccessTime', 'ServerLastAccessTime', 'LastSuccessfulSync', 'LastErrorCode']),
  );
  if (relevant.length === 0) {
    if (Array.isArray(input) && input.length === 0) {
      return { lastSuccessfulSync: null, lastAttemptedSync: null, lastErrorCode: null };
    }
    throw new EvidenceError(`expected ${EXPECTED_SYNC}, found ${describeJson(input)}`);
  }
  const newest = (names: string[]) =>
    relevant
      .map((r) => toIsoTime(field(r, ...names)))
      .filter((t): t is string => t !== null)
      .sort()
      .at(-1) ?? null;
  const code = relevant.map((r) => toStr(field(r, 'LastErrorCode'))).find((c) => c !== null) ?? null;
  return {
    lastSuccessfulSync: newest(['ServerLastSuccessTime', 'LastSuccessfulSync']),
    lastAttemptedSync: newest(['ServerLastAccessTime', 'LastAttemptedSync']),
    lastErrorCode: code === null ? null : normaliseErrorCode(code),
  };
}

/** "0x80070005", "-2147024891" or "2147942405" → "0x80070005". */
export function normaliseErrorCode(code: string): string {
  const n = toInt(code);
  if (n === null) return code.toLowerCase();
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}
