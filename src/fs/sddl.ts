/**
 * A security descriptor in SDDL, as `(Get-Acl PATH).Sddl` prints it, read into the facts of
 * windows-acl.ts ("Security Descriptor String Format",
 * https://learn.microsoft.com/windows/win32/secauthz/security-descriptor-string-format; "ACE
 * Strings", https://learn.microsoft.com/windows/win32/secauthz/ace-strings; "SID Strings",
 * https://learn.microsoft.com/windows/win32/secauthz/sid-strings). SDDL names principals by SID or
 * by a fixed two-letter alias in every language, which is why tpm-doctor reads it rather than
 * icacls' localised names. Anything it does not know is an error, never a guess.
 */
import { type AclEntry, SID, type WindowsAclFacts } from './windows-acl.js';

const ALIASES: Record<string, string> = {
  SY: SID.system,
  BA: SID.administrators,
  BU: SID.users,
  AU: SID.authenticatedUsers,
  WD: SID.everyone,
  CO: SID.creatorOwner,
  IU: SID.interactive,
  AC: SID.allApplicationPackages,
};

/** ACE rights strings and their masks; file rights FA/FR/FW/FX, generic, standard and the directory-object letters. */
const RIGHTS: Record<string, number> = {
  GA: 0x10000000,
  GR: 0x80000000,
  GW: 0x40000000,
  GX: 0x20000000,
  RC: 0x20000,
  SD: 0x10000,
  WD: 0x40000,
  WO: 0x80000,
  CC: 0x1,
  DC: 0x2,
  LC: 0x4,
  SW: 0x8,
  RP: 0x10,
  WP: 0x20,
  DT: 0x40,
  LO: 0x80,
  CR: 0x100,
  FA: 0x1f01ff,
  FR: 0x120089,
  FW: 0x120116,
  FX: 0x1200a0,
};

export class SddlError extends Error {}

function principalOf(text: string): string {
  if (/^S-1(-\d+)+$/.test(text)) return text;
  const sid = ALIASES[text];
  if (sid === undefined) throw new SddlError(`unknown SID alias ${JSON.stringify(text)}`);
  return sid;
}

function maskOf(text: string): number {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16) >>> 0;
  if (text.length % 2 !== 0) throw new SddlError(`unknown rights ${JSON.stringify(text)}`);
  let mask = 0;
  for (let i = 0; i < text.length; i += 2) {
    const right = RIGHTS[text.slice(i, i + 2)];
    if (right === undefined) throw new SddlError(`unknown right ${JSON.stringify(text.slice(i, i + 2))}`);
    mask = (mask | right) >>> 0;
  }
  return mask;
}

function aceOf(text: string): AclEntry {
  const fields = text.split(';');
  if (fields.length !== 6) throw new SddlError(`an ACE needs 6 fields: (${text})`);
  const [type, flags, rights, , , sid] = fields as [string, string, string, string, string, string];
  if (type !== 'A' && type !== 'D')
    throw new SddlError(`ACE type ${JSON.stringify(type)} is not allow or deny`);
  const flagList: string[] = flags.match(/.{2}/g) ?? [];
  return {
    principal: principalOf(sid),
    allow: type === 'A',
    mask: maskOf(rights),
    inheritOnly: flagList.includes('IO'),
    inherited: flagList.includes('ID'),
  };
}

/** The owner and DACL of an SDDL string. Throws SddlError on anything it cannot read exactly. */
export function parseSddl(sddl: string): WindowsAclFacts {
  const text = sddl.trim();
  const owner = /^O:([A-Z]{2}|S-1(?:-\d+)+)/.exec(text);
  const dacl = /D:([A-Z]*)((?:\([^()]*\))*)(?=S:|$)/.exec(text);
  if (dacl === null) throw new SddlError('no DACL (D:) in the security descriptor');
  const aces = dacl[2]!.match(/\(([^()]*)\)/g) ?? [];
  return {
    owner: owner === null ? null : principalOf(owner[1]!),
    entries: aces.map((a) => aceOf(a.slice(1, -1))),
    protectedDacl: /P/.test(dacl[1]!.replace(/AI|AR/g, '')),
  };
}
