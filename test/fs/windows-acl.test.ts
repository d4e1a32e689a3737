/**
 * The machine state folder's ACL rule (src/fs/windows-acl.ts) over real icacls and Get-Acl outputs
 * (test/fs/real-outputs/, each with its source in sources.json) and synthetic security descriptors,
 * each labelled synthetic; and the live check (src/remedy/machine-state-dir.ts) through recorded
 * PowerShell answers. Wine's icacls.exe, cacls.exe and powershell.exe are stubs that print nothing
 * and exit 0 (Wine 8: "This is dummy icacls, not performing ACL manipulations"), so there is no
 * Windows ACL to read under Wine: the empty answer is tested here, and must be refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorReport } from '../../src/errors.js';
import { parseIcaclsOutput } from '../../src/fs/icacls-output.js';
import { parseSddl, SddlError } from '../../src/fs/sddl.js';
import { UnsafePathError } from '../../src/fs/unsafe-path-error.js';
import {
  MACHINE_FOLDER_SDDL,
  machineFolderAclProblems,
  SID,
  type WindowsAclFacts,
} from '../../src/fs/windows-acl.js';
import {
  guardMachineStateDir,
  machineStateDirScript,
  secureMachineStateDir,
} from '../../src/remedy/machine-state-dir.js';
import { replayScripts } from '../remedy/platform/recording-runner.js';

const real = (name: string) => readFileSync(new URL(`real-outputs/${name}`, import.meta.url), 'utf8');
const withOwner = (facts: WindowsAclFacts, owner: string): WindowsAclFacts => ({ ...facts, owner });

/** The Sddl field of `Get-Acl | Format-List`, its wrapped lines joined back. */
function sddlOfFormatList(text: string): string {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => l.startsWith('Sddl'));
  let sddl = lines[at]!.replace(/^Sddl\s*:\s*/, '');
  for (const next of lines.slice(at + 1)) {
    if (!/^\s{2,}\S/.test(next)) break;
    sddl += next.trim();
  }
  return sddl;
}

describe('icacls output (real)', () => {
  it('reads c:\\users\\Default: SYSTEM and Administrators write, Users and Everyone only read', () => {
    const facts = parseIcaclsOutput(real('icacls-users-default.txt'), 'c:\\users\\Default');
    expect(facts.entries).toHaveLength(6);
    expect(facts.entries[3]).toEqual({
      principal: SID.users,
      allow: true,
      mask: 0xa0000000, // GR | GE
      inheritOnly: true,
      inherited: false,
    });
    // icacls prints no owner: unknown, so refused until the owner is known.
    expect(machineFolderAclProblems(facts)).toEqual(['has an owner that could not be read']);
    expect(machineFolderAclProblems(withOwner(facts, SID.administrators))).toEqual([]);
  });

  it('refuses a user profile: the user has full control', () => {
    const facts = withOwner(
      parseIcaclsOutput(real('icacls-user-profile.txt'), 'C:\\Users\\JW0914'),
      SID.system,
    );
    expect(machineFolderAclProblems(facts)).toEqual(['lets ALIENWARE\\JW0914 write in it']);
  });

  it('reads inherited entries (I) of the hosts file', () => {
    const facts = parseIcaclsOutput(real('icacls-hosts.txt'), 'c:\\windows\\system32\\drivers\\etc\\hosts');
    expect(facts.entries.map((e) => [e.principal, e.inherited])).toEqual([
      [SID.system, true],
      [SID.administrators, true],
      [SID.users, true],
      [SID.allApplicationPackages, true],
      [SID.allRestrictedApplicationPackages, true],
    ]);
    expect(machineFolderAclProblems(withOwner(facts, SID.system))).toEqual([]);
  });

  it('reads the older form and a deny (synthetic lines in the format of the icacls page)', () => {
    const text = [
      'C:\\ProgramData\\tpm-doctor NT AUTHORITY\\SYSTEM:(OI)(CI)(ID)F',
      '                           NT AUTHORITY\\Authenticated Users:(OI)(CI)(IO)(ID)C',
      '                           Everyone:(DENY)(W)',
      '                           *S-1-5-21-1-2-3-1001:(WD,AD)',
      '',
      'Successfully processed 1 files; Failed processing 0 files',
    ].join('\r\n');
    const facts = withOwner(parseIcaclsOutput(text, 'C:\\ProgramData\\tpm-doctor'), SID.administrators);
    expect(facts.entries[2]).toMatchObject({ principal: SID.everyone, allow: false });
    expect(machineFolderAclProblems(facts)).toEqual([
      `lets Authenticated Users (${SID.authenticatedUsers}) write in it`,
      'lets S-1-5-21-1-2-3-1001 write in it',
    ]);
    expect(() => parseIcaclsOutput('C:\\x BUILTIN\\Users:(special access:)', 'C:\\x')).toThrow();
    expect(() => parseIcaclsOutput('', 'C:\\x')).toThrow('no output');
  });
});

describe('SDDL', () => {
  it('reads Get-Acl | Format-List of a profile two users were given (real): refused', () => {
    const sddl = sddlOfFormatList(real('get-acl-format-list-user-profile.txt'));
    const facts = parseSddl(sddl);
    expect(facts.owner).toBe(SID.system);
    expect(facts.protectedDacl).toBe(true);
    expect(facts.entries).toHaveLength(4);
    expect(machineFolderAclProblems(facts)).toEqual([
      'lets S-1-5-21-3557295818-2536705713-589665162-1001 write in it',
      'lets S-1-5-21-3557295818-2536705713-589665162-1004 write in it',
    ]);
  });

  it('accepts the folder tpm-doctor makes (its own descriptor)', () => {
    const facts = parseSddl(MACHINE_FOLDER_SDDL);
    expect(facts).toEqual({
      owner: SID.administrators,
      protectedDacl: true,
      entries: [
        { principal: SID.system, allow: true, mask: 0x1f01ff, inheritOnly: false, inherited: false },
        { principal: SID.administrators, allow: true, mask: 0x1f01ff, inheritOnly: false, inherited: false },
      ],
    });
    expect(machineFolderAclProblems(facts)).toEqual([]);
    // Owned by SYSTEM (made by a SYSTEM process), and read-only Users: accepted too.
    expect(
      machineFolderAclProblems(
        parseSddl('O:SYG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)'),
      ),
    ).toEqual([]);
  });

  it('refuses what a standard user made first in %ProgramData% (synthetic: its inherited entries)', () => {
    // Synthetic: owner a standard user; entries as inherited from %ProgramData%: CREATOR OWNER,
    // SYSTEM, Administrators full, Users read and, on folders, add file / add subfolder / write
    // attributes (DCLCRPCR on a file object: write data, append data, write EA, write attributes).
    const planted = parseSddl(
      'O:S-1-5-21-1004336348-1177238915-682003330-1001G:S-1-5-21-1004336348-1177238915-682003330-513' +
        'D:AI(A;OICIIOID;GA;;;CO)(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)(A;CIID;DCLCRPCR;;;BU)',
    );
    expect(planted.protectedDacl).toBe(false);
    expect(machineFolderAclProblems(planted)).toEqual([
      'is owned by S-1-5-21-1004336348-1177238915-682003330-1001, not by SYSTEM or Administrators',
      `lets Users (${SID.users}) write in it`,
    ]);
    // Synthetic: Everyone modify, Authenticated Users write DAC, a deny that takes nothing away from the rule.
    expect(
      machineFolderAclProblems(
        parseSddl(
          'O:BAD:P(D;OICI;FA;;;BG)(A;OICI;FA;;;SY)(A;;0x1301bf;;;WD)(A;;WD;;;AU)'.replace(
            ';BG)',
            ';S-1-5-32-546)',
          ),
        ),
      ),
    ).toEqual([
      `lets Everyone (${SID.everyone}) write in it`,
      `lets Authenticated Users (${SID.authenticatedUsers}) write in it`,
    ]);
  });

  it('refuses to guess: unknown aliases, rights or ACE types are errors', () => {
    expect(() => parseSddl('O:BAD:P(A;;FA;;;XX)')).toThrow(SddlError);
    expect(() => parseSddl('O:BAD:P(A;;ZZ;;;SY)')).toThrow(SddlError);
    expect(() => parseSddl('O:BAD:P(OA;;FA;;;SY)')).toThrow(SddlError);
    expect(() => parseSddl('O:BAG:SY')).toThrow('no DACL');
  });
});

/** A PowerShell answer: the envelope with this data. */
const answer = (data: unknown) => ({ stdout: JSON.stringify({ ok: true, data, error: null }) });

describe('the machine state folder on Windows', () => {
  const DIR = 'C:\\ProgramData\\tpm-doctor';

  it('makes it with its own descriptor in one call, and uses it', async () => {
    const replay = replayScripts(
      answer({ created: true, folder: true, link: false, sddl: MACHINE_FOLDER_SDDL }),
    );
    await expect(secureMachineStateDir(DIR, replay.run)).resolves.toEqual({ created: true });
    expect(replay.scripts[0]).toContain(
      "SetSecurityDescriptorSddlForm('O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)')",
    );
    expect(replay.scripts[0]).toContain('[System.IO.Directory]::CreateDirectory($dir, $security)');
    expect(replay.scripts[0]).toBe(machineStateDirScript(DIR));
  });

  const refusals: [string, Record<string, unknown>, string][] = [
    [
      'a folder a user made first',
      {
        stdout: answer({
          created: false,
          folder: true,
          link: false,
          sddl: 'O:S-1-5-21-1-2-3-1001G:S-1-5-21-1-2-3-513D:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;CIID;DCLCRPCR;;;BU)',
        }).stdout,
      },
      `${DIR} is owned by S-1-5-21-1-2-3-1001, not by SYSTEM or Administrators, and lets Users (S-1-5-32-545) write in it`,
    ],
    [
      'a junction',
      answer({ created: false, folder: true, link: true, sddl: MACHINE_FOLDER_SDDL }),
      `${DIR} is a link (reparse point) to another place`,
    ],
    [
      'a file',
      answer({ created: false, folder: false, link: false, sddl: MACHINE_FOLDER_SDDL }),
      `${DIR} is not a folder`,
    ],
    // Wine's powershell.exe stub, or a PowerShell that printed nothing.
    [
      'no answer',
      { stdout: '', exitCode: 0 },
      `${DIR} could not be checked (PowerShell exited with 0 and no result)`,
    ],
    [
      'a standard user (cannot set the owner, or read the ACL)',
      {
        stdout: JSON.stringify({
          ok: false,
          data: null,
          error: 'Attempted to perform an unauthorized operation.',
        }),
      },
      `${DIR} could not be made or read (Attempted to perform an unauthorized operation.)`,
    ],
    [
      'a descriptor it cannot read',
      answer({ created: false, folder: true, link: false, sddl: 'O:BAD:P(XA;;FA;;;SY)' }),
      `${DIR} has a security descriptor tpm-doctor cannot read`,
    ],
    [
      'a timeout',
      { stdout: '', timedOut: true },
      `${DIR} could not be checked (PowerShell did not answer in time)`,
    ],
  ];
  for (const [what, output, message] of refusals) {
    it(`refuses ${what}, in one line, exit 2`, async () => {
      const replay = replayScripts(output);
      const error = await secureMachineStateDir(DIR, replay.run).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnsafePathError);
      const e = error as UnsafePathError;
      expect(e.message.startsWith(message)).toBe(true);
      expect(e.message).not.toContain('\n');
      expect(e.code).toBe('unsafe-path');
      expect(errorReport(e).exit).toBe(2);
    });
  }

  it('is checked only for the machine folder on Windows', async () => {
    const replay = replayScripts(
      answer({ created: false, folder: true, link: false, sddl: MACHINE_FOLDER_SDDL }),
    );
    await guardMachineStateDir(undefined, { platform: 'linux', env: {}, runner: replay.run });
    await guardMachineStateDir('D:\\runs', { platform: 'win32', env: {}, runner: replay.run });
    await guardMachineStateDir(undefined, {
      platform: 'win32',
      env: { TPM_DOCTOR_STATE_DIR: 'D:\\x' },
      runner: replay.run,
    });
    expect(replay.scripts).toEqual([]);
    await guardMachineStateDir(undefined, { platform: 'win32', env: {}, runner: replay.run });
    expect(replay.scripts).toHaveLength(1);
  });
});
