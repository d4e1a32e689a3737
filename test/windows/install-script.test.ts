/**
 * packaging/windows/install.ps1 makes the machine state folder before any user can: with the
 * security descriptor tpm-doctor itself gives it (MACHINE_FOLDER_SDDL, src/fs/windows-acl.ts), in
 * the same call that creates it, and says so when a folder someone else owns was already there.
 * uninstall.ps1 keeps it (the journals are the record of what was done to the TPM). The scripts'
 * grammar is checked in powershell-grammar.test.ts.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseSddl } from '../../src/fs/sddl.js';
import { MACHINE_FOLDER_SDDL, machineFolderAclProblems } from '../../src/fs/windows-acl.js';

const read = (name: string) =>
  readFileSync(new URL(`../../packaging/windows/${name}`, import.meta.url), 'utf8');

it('install.ps1 makes %ProgramData%\\tpm-doctor SYSTEM and Administrators only, in one call', () => {
  const text = read('install.ps1');
  expect(text).toContain("$state = Join-Path $programData 'tpm-doctor'");
  expect(text).toContain(`$security.SetSecurityDescriptorSddlForm('${MACHINE_FOLDER_SDDL}')`);
  expect(text).toContain('[void][System.IO.Directory]::CreateDirectory($state, $security)');
  // The descriptor it sets passes tpm-doctor's own rule.
  expect(machineFolderAclProblems(parseSddl(MACHINE_FOLDER_SDDL))).toEqual([]);
  expect(parseSddl(MACHINE_FOLDER_SDDL)).toMatchObject({ owner: 'S-1-5-32-544', protectedDacl: true });
  // A folder that was there first (a user's) is reported, not re-secured.
  expect(text).toContain('.GetOwner([System.Security.Principal.SecurityIdentifier]).Value');
  expect(text).toContain("if (@('S-1-5-18', 'S-1-5-32-544') -notcontains $stateOwner)");
  expect(text).not.toMatch(/icacls[^\n]*\$state/);
});

it('uninstall.ps1 leaves %ProgramData%\\tpm-doctor (the journals) in place', () => {
  const text = read('uninstall.ps1');
  expect(text).not.toMatch(/ProgramData[^\n]*Remove-Item|Remove-Item[^\n]*\$state/);
  expect(text).toContain('Run journals in %ProgramData%\\tpm-doctor are kept');
});
