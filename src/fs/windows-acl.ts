/**
 * Who can change a Windows folder, as facts read from its security descriptor, and the rule for
 * the machine's state folder (%ProgramData%\tpm-doctor): SYSTEM runs `resume` at boot and reads
 * the journals there, so a folder a standard user made first, or can write, lets that user plant
 * journals (or links) for SYSTEM. The folder must be owned by SYSTEM or Administrators and give
 * write access to nobody else (docs/security.md, "Files tpm-doctor writes").
 *
 * Rights are access masks ("File Security and Access Rights",
 * https://learn.microsoft.com/windows/win32/fileio/file-security-and-access-rights; "ACCESS_MASK",
 * https://learn.microsoft.com/windows/win32/secauthz/access-mask). A principal is a SID; a name
 * that could not be turned into one stays a name, and is trusted with nothing.
 */

/** Well-known SIDs ("Well-known SIDs", https://learn.microsoft.com/windows/win32/secauthz/well-known-sids). */
export const SID = {
  system: 'S-1-5-18',
  administrators: 'S-1-5-32-544',
  users: 'S-1-5-32-545',
  authenticatedUsers: 'S-1-5-11',
  everyone: 'S-1-1-0',
  creatorOwner: 'S-1-3-0',
  interactive: 'S-1-5-4',
  trustedInstaller: 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
  allApplicationPackages: 'S-1-15-2-1',
  allRestrictedApplicationPackages: 'S-1-15-2-2',
} as const;

export interface AclEntry {
  /** The SID, or the name as printed when it is not a well-known one (never trusted). */
  principal: string;
  allow: boolean;
  /** The access mask. */
  mask: number;
  /** Applies only to what is created inside (IO), not to the folder itself. */
  inheritOnly: boolean;
  /** Came from the parent folder (I / ID). */
  inherited: boolean;
}

export interface WindowsAclFacts {
  /** The owner's SID; null when not known (icacls does not print it). */
  owner: string | null;
  entries: readonly AclEntry[];
  /** The DACL is protected from the parent's inheritance (SDDL `P`); null when not known. */
  protectedDacl: boolean | null;
}

/**
 * Every right that changes the folder or what is in it: write data / add file, append data / add
 * subfolder, write extended attributes, delete child, write attributes, DELETE, WRITE_DAC,
 * WRITE_OWNER, GENERIC_WRITE and GENERIC_ALL.
 */
export const WRITE_RIGHTS =
  0x2 | 0x4 | 0x10 | 0x40 | 0x100 | 0x10000 | 0x40000 | 0x80000 | 0x40000000 | 0x10000000;

/** Who may own the machine's state folder. */
export const TRUSTED_OWNERS: ReadonlySet<string> = new Set([SID.system, SID.administrators]);

/**
 * Who may write in it: SYSTEM, Administrators, TrustedInstaller (which services Windows itself),
 * and CREATOR OWNER (the creator of an entry inside, who can only be one of those when nobody else
 * can create there).
 */
export const TRUSTED_WRITERS: ReadonlySet<string> = new Set([
  SID.system,
  SID.administrators,
  SID.trustedInstaller,
  SID.creatorOwner,
]);

const NAMES: Record<string, string> = {
  [SID.system]: 'SYSTEM',
  [SID.administrators]: 'Administrators',
  [SID.users]: 'Users',
  [SID.authenticatedUsers]: 'Authenticated Users',
  [SID.everyone]: 'Everyone',
  [SID.interactive]: 'INTERACTIVE',
};

function named(principal: string): string {
  const name = NAMES[principal];
  return name === undefined ? principal : `${name} (${principal})`;
}

/**
 * Why the machine's state folder with these facts must not be used, one line each; none when it
 * is SYSTEM's and Administrators' only. An unknown owner is a problem: unknown is never safe.
 */
export function machineFolderAclProblems(facts: WindowsAclFacts): string[] {
  const problems: string[] = [];
  if (facts.owner === null) problems.push('has an owner that could not be read');
  else if (!TRUSTED_OWNERS.has(facts.owner))
    problems.push(`is owned by ${named(facts.owner)}, not by SYSTEM or Administrators`);
  const writers = new Set<string>();
  for (const entry of facts.entries) {
    // A deny entry only takes rights away; an inherit-only entry gives them to every file made inside.
    if (entry.allow && (entry.mask & WRITE_RIGHTS) !== 0 && !TRUSTED_WRITERS.has(entry.principal))
      writers.add(entry.principal);
  }
  for (const writer of writers) problems.push(`lets ${named(writer)} write in it`);
  return problems;
}

/** The security descriptor tpm-doctor gives the folder it makes: owner Administrators, SYSTEM and Administrators full control, inheritance off. */
export const MACHINE_FOLDER_SDDL = 'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)';
