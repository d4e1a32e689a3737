import { redact } from '../../snapshot/redact-secrets.js';
import type {
  BitLockerVolume,
  EkInfo,
  GetTpmInfo,
  IsReadyInfo,
  MdmEnrollment,
  TpmtoolInfo,
  Win32TpmInfo,
  WindowsEvent,
  WindowsEvidence,
} from '../../snapshot/windows-evidence.js';
import { parseBitLockerVolumes } from './bitlocker.js';
import { DSREGCMD_KEYS, fromKeyValues } from './dsregcmd.js';
import { EVENT_LOGS, parseEvents } from './events.js';
import { EvidenceError } from './evidence-error.js';
import { decodeIsReadyInformation } from './is-ready-information.js';
import { asArray, field, isRecord, type JsonRecord, toBool, toInt, toIsoTime, toStr } from './json-values.js';
import { normaliseErrorCode } from './mdm-enrollments.js';
import { TPMTOOL_FIELDS, type TpmtoolEntry, type TpmtoolKey, tpmtoolFromEntries } from './tpmtool.js';

/**
 * The compact evidence form: one line of JSON that scripts/collect-evidence.ps1 prints as an
 * Intune Remediations detection script, within Intune's 2,048-character output limit
 * (https://learn.microsoft.com/intune/intune-service/fundamentals/remediations#script-requirements).
 * docs/evidence.md documents every key; the script writes them, this module reads them.
 *
 *   {"tpmdoctor":"evidence/compact/v1","at":...,"cn":...,"os":...,"el":1,"exit":1,"why":[...],
 *    "tpm":{...},"w32":{...},"rdy":{"r":0,"i":2304},"ek":{...},"tt":[["pr","True"],...],
 *    "ds":{"AzureAdJoined":"YES",...},"de":["0x80090016"],"bl":[...],"mdm":[...],"sy":{...},
 *    "ev":[...],"err":{"get-tpm":"..."},"cut":["ev.m"]}
 *
 * Booleans are 1/0, absent values are left out, non-ASCII is \u-escaped by the script.
 */
export const COMPACT_MARKER = 'evidence/compact/v1';

/** Intune's limit on a detection script's output, in characters. */
export const INTUNE_DETECTION_OUTPUT_LIMIT = 2048;

/** Log codes in the compact form's events ("g"). */
const COMPACT_EVENT_LOGS: Readonly<Record<string, string>> = {
  S: EVENT_LOGS.system,
  U: EVENT_LOGS.userDeviceRegistration,
  D: EVENT_LOGS.deviceManagement,
  A: EVENT_LOGS.autopilot,
};

/** What each "cut" entry means, for the problem the reader records. */
const COMPACT_CUTS: Readonly<Record<string, string>> = {
  'ev.m': 'event messages',
  'err.m': 'collection error messages',
  'ek.h': 'the EK public key hash',
  'mdm.u': 'enrollment UPNs',
  ev5: 'all but the 5 newest events',
  detail:
    'secondary TPM details (ManufacturerVersionFull20, lockout heal time, auth level, auto-provisioning, Win32_Tpm but its spec version, tpmtool values the rules do not read)',
  ev: 'all events',
  mdm: 'MDM enrollments and sync times',
  all: 'everything but the detection result',
};

export function isCompactEvidence(value: unknown): value is JsonRecord {
  return isRecord(value) && field(value, 'tpmdoctor') === COMPACT_MARKER;
}

/** Reads the compact form back into WindowsEvidence. */
export function parseCompactEvidence(value: unknown, origin: string): WindowsEvidence {
  if (!isCompactEvidence(value)) {
    throw new EvidenceError(
      `expected compact evidence from scripts/collect-evidence.ps1 (a JSON object with "tpmdoctor": "${COMPACT_MARKER}")`,
    );
  }
  const v = value;
  const problems: WindowsEvidence['problems'] = [];
  const errors = field(v, 'err');
  if (isRecord(errors)) {
    for (const [source, message] of Object.entries(errors)) {
      const text = toStr(message);
      problems.push({
        source,
        file: origin,
        message: redact(
          `${origin}: ${source} was not collected on the device${text === null ? '' : `: ${text}`}`,
        ),
      });
    }
  }
  for (const cut of asArray(field(v, 'cut'))) {
    const key = toStr(cut);
    if (key === null) continue;
    const what = Object.hasOwn(COMPACT_CUTS, key) ? COMPACT_CUTS[key] : key;
    problems.push({
      source: 'compact',
      file: origin,
      message: redact(
        `${origin}: dropped on the device to fit Intune's ${INTUNE_DETECTION_OUTPUT_LIMIT}-character output limit: ${what}`,
      ),
    });
  }
  const tt = field(v, 'tt');
  const ds = field(v, 'ds');
  const ev = field(v, 'ev');
  return {
    origin,
    collectedAt: toIsoTime(field(v, 'at')),
    computerName: toStr(field(v, 'cn')),
    osVersion: toStr(field(v, 'os')),
    elevated: toBool(field(v, 'el')),
    getTpm: section(field(v, 'tpm'), getTpm),
    win32Tpm: section(field(v, 'w32'), win32Tpm),
    isReady: section(field(v, 'rdy'), isReady),
    ekInfo: section(field(v, 'ek'), ekInfo),
    tpmtool: Array.isArray(tt) ? tpmtool(tt) : null,
    dsregcmd: isRecord(ds) ? dsregcmd(ds, field(v, 'de')) : null,
    bitlocker: Array.isArray(field(v, 'bl')) ? bitlocker(asArray(field(v, 'bl'))) : null,
    enrollments: Array.isArray(field(v, 'mdm')) ? enrollments(asArray(field(v, 'mdm'))) : null,
    mdmSync: section(field(v, 'sy'), (r) => ({
      lastSuccessfulSync: toIsoTime(field(r, 'ok')),
      lastAttemptedSync: toIsoTime(field(r, 'at')),
      lastErrorCode: ((c) => (c === null ? null : normaliseErrorCode(c)))(toStr(field(r, 'e'))),
    })),
    events: Array.isArray(ev) ? events(ev) : null,
    problems,
  };
}

function section<T>(value: unknown, read: (r: JsonRecord) => T): T | null {
  return isRecord(value) ? read(value) : null;
}

function getTpm(r: JsonRecord): GetTpmInfo {
  return {
    tpmPresent: toBool(field(r, 'pr')),
    tpmReady: toBool(field(r, 'rd')),
    tpmEnabled: toBool(field(r, 'en')),
    tpmActivated: toBool(field(r, 'ac')),
    tpmOwned: toBool(field(r, 'ow')),
    restartPending: toBool(field(r, 'rp')),
    manufacturerId: toInt(field(r, 'mi')),
    manufacturerIdTxt: toStr(field(r, 'mt')),
    manufacturerVersion: toStr(field(r, 'mv')),
    manufacturerVersionFull20: toStr(field(r, 'm2')),
    managedAuthLevel: toStr(field(r, 'al')),
    ownerClearDisabled: toBool(field(r, 'cd')),
    autoProvisioning: toStr(field(r, 'ap')),
    lockedOut: toBool(field(r, 'lo')),
    lockoutHealTime: toStr(field(r, 'lh')),
    lockoutCount: toInt(field(r, 'lc')),
    lockoutMax: toInt(field(r, 'lm')),
    ownerAuthPresent: toBool(field(r, 'oa')),
  };
}

function win32Tpm(r: JsonRecord): Win32TpmInfo {
  return {
    specVersion: toStr(field(r, 'sv')),
    manufacturerId: toInt(field(r, 'mi')),
    manufacturerIdTxt: toStr(field(r, 'mt')),
    manufacturerVersion: toStr(field(r, 'mv')),
    manufacturerVersionInfo: toStr(field(r, 'vi')),
    physicalPresenceVersionInfo: toStr(field(r, 'pp')),
    isActivated: toBool(field(r, 'ac')),
    isEnabled: toBool(field(r, 'en')),
    isOwned: toBool(field(r, 'ow')),
  };
}

function isReady(r: JsonRecord): IsReadyInfo | null {
  const ready = toBool(field(r, 'r'));
  const info = toInt(field(r, 'i'));
  if (ready === null || info === null || info < 0 || info > 0xffffffff) return null;
  return { isReady: ready, information: info, flags: decodeIsReadyInformation(info) };
}

function ekInfo(r: JsonRecord): EkInfo {
  return {
    isPresent: toBool(field(r, 'p')),
    manufacturerCertificates: toInt(field(r, 'mc')) ?? 0,
    additionalCertificates: toInt(field(r, 'ac')) ?? 0,
    publicKeyHash: toStr(field(r, 'h'))?.toLowerCase() ?? null,
  };
}

const TPMTOOL_KEYS = new Set<string>(TPMTOOL_FIELDS.map((f) => f.key));

/** [[key, value], [key, value, 1], ...] in tpmtool's order; key '' when the device did not recognise the label. */
function tpmtool(rows: unknown[]): TpmtoolInfo | null {
  const entries: TpmtoolEntry[] = [];
  const counters = [0, 0];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const key = toStr(row[0]);
    const value = typeof row[1] === 'string' ? row[1].trim() : (toStr(row[1]) ?? '');
    const depth: 0 | 1 = toInt(row[2]) === 1 ? 1 : 0;
    entries.push({
      depth,
      index: counters[depth]!++,
      label: null,
      key: key !== null && TPMTOOL_KEYS.has(key) ? (key as TpmtoolKey) : null,
      value,
    });
  }
  return entries.length === 0 ? null : tpmtoolFromEntries(entries);
}

function dsregcmd(ds: JsonRecord, codes: unknown) {
  const raw: Record<string, string> = {};
  for (const key of DSREGCMD_KEYS) {
    const value = toStr(field(ds, key));
    if (value !== null) raw[key] = value;
  }
  for (const [key, value] of Object.entries(ds)) {
    const text = toStr(value);
    if (text !== null && !Object.hasOwn(raw, key)) raw[key] = text;
  }
  const codeText = asArray(codes)
    .map((c) => toStr(c) ?? '')
    .join(' ');
  return fromKeyValues(raw, codeText);
}

/** [{m, t, s, p, sc, k: [[type, id], ...]}] → volumes, through the Get-BitLockerVolume reader. */
function bitlocker(items: unknown[]): BitLockerVolume[] {
  const volumes = items.filter(isRecord).map((b) => ({
    MountPoint: field(b, 'm'),
    VolumeType: field(b, 't'),
    VolumeStatus: field(b, 's'),
    ProtectionStatus: field(b, 'p'),
    SuspendCount: field(b, 'sc'),
    KeyProtector: asArray(field(b, 'k'))
      .filter(Array.isArray)
      .map((k) => ({ KeyProtectorType: k[0], KeyProtectorId: k[1] })),
  }));
  if (volumes.length === 0) return [];
  try {
    return parseBitLockerVolumes(volumes);
  } catch {
    return [];
  }
}

function enrollments(items: unknown[]): MdmEnrollment[] {
  return items.filter(isRecord).flatMap((m) => {
    const id = toStr(field(m, 'id'));
    if (id === null) return [];
    return [
      {
        enrollmentId: id.replace(/[{}]/g, '').toUpperCase(),
        providerId: toStr(field(m, 'pv')),
        upn: toStr(field(m, 'u')),
        enrollmentState: toInt(field(m, 'st')),
        enrollmentType: toInt(field(m, 'ty')),
      },
    ];
  });
}

/** [{g, p, i, v, t, m}]: log code, provider ("~" stands for "Microsoft-Windows-"), id, level, time, message. */
function events(items: unknown[]): WindowsEvent[] {
  const rows = items.filter(isRecord).map((e) => {
    const g = toStr(field(e, 'g')) ?? '';
    const p = toStr(field(e, 'p')) ?? '';
    return {
      LogName: Object.hasOwn(COMPACT_EVENT_LOGS, g) ? COMPACT_EVENT_LOGS[g] : g,
      ProviderName: p.startsWith('~') ? `Microsoft-Windows-${p.slice(1)}` : p,
      Id: field(e, 'i'),
      Level: field(e, 'v'),
      TimeCreated: field(e, 't'),
      Message: field(e, 'm') ?? '',
    };
  });
  try {
    return parseEvents(rows);
  } catch {
    return [];
  }
}
