// Source: dsregcmd /status, https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd
import type { DsregStatus } from '../../snapshot/windows-evidence.js';
import { describeText, EvidenceError } from './evidence-error.js';
import { toBool } from './json-values.js';

/**
 * `dsregcmd /status`: sections boxed by `+----+` lines with a `| Section Name |` header, then
 * `<right-aligned key> : <value>` lines. Keys are not localised. Every key line lands in `raw`
 * (a key seen again in a later section is stored as "Key (Section)"); the keys the rules read
 * are mapped; every error code anywhere in the text is collected.
 */

/** The keys mapped into DsregStatus (the compact form keeps exactly these). */
export const DSREGCMD_KEYS = [
  'AzureAdJoined',
  'EnterpriseJoined',
  'DomainJoined',
  'DeviceId',
  'TpmProtected',
  'KeyProvider',
  'DeviceAuthStatus',
  'NgcSet',
  'AzureAdPrt',
  'KeySignTest',
  'AadRecoveryEnabled',
] as const;

const EXPECTED = 'dsregcmd /status output (a "| Device State |" section and "AzureAdJoined : YES" lines)';

const SECTION = /^\|\s*(.+?)\s*\|$/;
const KEY_LINE = /^\s*([A-Za-z][A-Za-z0-9 ._-]*?)\s*:\s?(.*)$/;
/** HRESULT failures (0x8xxxxxxx) and NTSTATUS errors (0xCxxxxxxx), e.g. 0x80090016, 0xc000006d. */
const ERROR_CODE = /0x[8c][0-9a-f]{7}(?![0-9a-f])/gi;

export function parseDsregcmd(text: string): DsregStatus {
  if (typeof text !== 'string') throw new EvidenceError(`expected ${EXPECTED}, found no text`);
  const raw: Record<string, string> = {};
  let section: string | null = null;
  let sections = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || /^\+-+\+$/.test(trimmed)) continue;
    const header = SECTION.exec(trimmed);
    if (header) {
      section = header[1]!;
      sections++;
      continue;
    }
    const kv = KEY_LINE.exec(line);
    if (!kv) continue;
    const key = kv[1]!.trim();
    const value = kv[2]!.trim();
    if (!Object.hasOwn(raw, key)) raw[key] = value;
    else if (section !== null && !Object.hasOwn(raw, `${key} (${section})`))
      raw[`${key} (${section})`] = value;
  }
  const known = DSREGCMD_KEYS.filter((k) => Object.hasOwn(raw, k)).length;
  // A fragment pasted without its "| Section |" header is still dsregcmd when it keeps the box
  // lines and dsregcmd's right-aligned "Key : Value" layout (debug output has neither).
  const boxed = /^\s*\+-{10,}\+\s*$/m.test(text);
  const aligned = text.split(/\r\n|\r|\n/).filter((l) => /^\s+[A-Za-z][\w .-]*\s:\s/.test(l)).length;
  if (sections === 0 && known < 2 && !(boxed && aligned >= 3)) {
    throw new EvidenceError(`expected ${EXPECTED}, found ${describeText(text)}`);
  }
  return fromKeyValues(raw, text);
}

/** DsregStatus from key/value pairs (the text parser's `raw`, or the compact form's `ds`). */
export function fromKeyValues(raw: Record<string, string>, textForErrorCodes: string): DsregStatus {
  const get = (k: string) => (Object.hasOwn(raw, k) ? raw[k] : undefined);
  const yes = (k: string) => (get(k) === undefined ? null : toBool(get(k)));
  const str = (k: string) => {
    const v = get(k);
    return v === undefined || v === '' ? null : v;
  };
  return {
    azureAdJoined: yes('AzureAdJoined'),
    domainJoined: yes('DomainJoined'),
    enterpriseJoined: yes('EnterpriseJoined'),
    deviceId: str('DeviceId'),
    tpmProtected: yes('TpmProtected'),
    keyProvider: str('KeyProvider'),
    deviceAuthStatus: str('DeviceAuthStatus'),
    ngcSet: yes('NgcSet'),
    azureAdPrt: yes('AzureAdPrt'),
    keySignTest: str('KeySignTest'),
    aadRecoveryEnabled: yes('AadRecoveryEnabled'),
    errorCodes: extractErrorCodes(textForErrorCodes),
    raw,
  };
}

/** Every distinct error code in the text, lower-case, in order of first appearance. */
export function extractErrorCodes(text: string): string[] {
  const codes: string[] = [];
  for (const m of text.matchAll(ERROR_CODE)) {
    const code = m[0].toLowerCase();
    if (!codes.includes(code)) codes.push(code);
  }
  return codes;
}
