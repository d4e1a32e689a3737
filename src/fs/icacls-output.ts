/**
 * `icacls PATH` output read into the facts of windows-acl.ts: one entry per line, the first after
 * the path, `PRINCIPAL:(inheritance)...(rights)`, then "Successfully processed 1 files; ..."
 * ("icacls", https://learn.microsoft.com/windows-server/administration/windows-commands/icacls:
 * simple rights F M RX R W D N, specific rights in parentheses, inheritance OI CI IO NP I).
 * Older builds print `(ID)` for inherited and a simple right without parentheses (`(OI)(CI)(ID)F`),
 * and cacls' `C` (change); both are read. icacls prints no owner, and names principals in the
 * system's language: only the English well-known names and `*S-1-...` become SIDs; any other name
 * stays a name (trusted with nothing). Anything it does not know is an error, never a guess.
 */
import { type AclEntry, SID, type WindowsAclFacts } from './windows-acl.js';

const WELL_KNOWN: Record<string, string> = {
  'NT AUTHORITY\\SYSTEM': SID.system,
  'BUILTIN\\ADMINISTRATORS': SID.administrators,
  'BUILTIN\\USERS': SID.users,
  'NT AUTHORITY\\AUTHENTICATED USERS': SID.authenticatedUsers,
  EVERYONE: SID.everyone,
  'CREATOR OWNER': SID.creatorOwner,
  'NT AUTHORITY\\INTERACTIVE': SID.interactive,
  'NT SERVICE\\TRUSTEDINSTALLER': SID.trustedInstaller,
  'APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES': SID.allApplicationPackages,
  'APPLICATION PACKAGE AUTHORITY\\ALL RESTRICTED APPLICATION PACKAGES': SID.allRestrictedApplicationPackages,
};

const SIMPLE: Record<string, number> = {
  N: 0,
  F: 0x1f01ff,
  M: 0x1301bf,
  C: 0x1301bf,
  RX: 0x1200a9,
  R: 0x120089,
  W: 0x100116,
  D: 0x10000,
};

const SPECIFIC: Record<string, number> = {
  DE: 0x10000,
  D: 0x10000,
  RC: 0x20000,
  WDAC: 0x40000,
  WO: 0x80000,
  S: 0x100000,
  AS: 0x1000000,
  MA: 0x2000000,
  GR: 0x80000000,
  GW: 0x40000000,
  GE: 0x20000000,
  GA: 0x10000000,
  RD: 0x1,
  WD: 0x2,
  AD: 0x4,
  REA: 0x8,
  WEA: 0x10,
  X: 0x20,
  DC: 0x40,
  RA: 0x80,
  WA: 0x100,
};

const INHERITANCE = new Set(['OI', 'CI', 'IO', 'NP', 'I', 'ID']);

class IcaclsOutputError extends Error {}

/** `PRINCIPAL:(..)(..)RIGHTS` at the end of a line. */
const ENTRY = /^(.+?):((?:\([A-Z]+\))*)(\([A-Z,]+\)|[A-Z]+)$/;

function entryOf(text: string): AclEntry {
  const m = ENTRY.exec(text);
  if (m === null) throw new IcaclsOutputError(`not an icacls entry: ${JSON.stringify(text.slice(0, 80))}`);
  const name = m[1]!.trim();
  const flags = (m[2]!.match(/[A-Z]+/g) ?? []).filter((f) => f !== '');
  // The last group is the rights: "(F)" a simple right, "(WD,AD)" a list of specific ones.
  for (const f of flags)
    if (!INHERITANCE.has(f)) throw new IcaclsOutputError(`unknown inheritance ${f} in ${text}`);
  let mask = 0;
  const rightsText = m[3]!.replace(/^\(|\)$/g, '');
  const simple = SIMPLE[rightsText];
  if (simple !== undefined) mask = simple;
  else {
    for (const right of rightsText.split(',')) {
      const value = SPECIFIC[right];
      if (value === undefined) throw new IcaclsOutputError(`unknown right ${right} in ${text}`);
      mask = (mask | value) >>> 0;
    }
  }
  const sid = name.startsWith('*S-1-') ? name.slice(1) : WELL_KNOWN[name.toUpperCase()];
  return {
    principal: sid ?? name,
    allow: true,
    mask,
    inheritOnly: flags.includes('IO'),
    inherited: flags.includes('I') || flags.includes('ID'),
  };
}

/**
 * The entries icacls printed for `path` (as it was given to icacls). A `(DENY)` entry is read as a
 * deny. The owner is not in icacls' output: it is null.
 */
export function parseIcaclsOutput(text: string, path: string): WindowsAclFacts {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: AclEntry[] = [];
  let seenPath = false;
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    if (/^Successfully processed \d+ files/.test(line.trim())) break;
    let body = line.trim();
    if (!seenPath) {
      if (!line.toLowerCase().startsWith(path.toLowerCase()))
        throw new IcaclsOutputError(`expected the output to start with ${path}`);
      body = line.slice(path.length).trim();
      seenPath = true;
    }
    const deny = body.includes('(DENY)');
    entries.push({ ...entryOf(body.replace('(DENY)', '')), allow: !deny });
  }
  if (!seenPath) throw new IcaclsOutputError('no output for the path');
  return { owner: null, entries, protectedDacl: null };
}
