/**
 * The machine's state folder on Windows, %ProgramData%\tpm-doctor, made and checked before a run
 * writes or reads a journal there. %ProgramData% lets every user create a folder in it, and what
 * is made there inherits a DACL that lets Users add files (CREATOR OWNER and Users entries of
 * %ProgramData%): a standard user could make tpm-doctor's folder first and plant journals that
 * SYSTEM's `resume` reads at the next boot. So tpm-doctor makes the folder itself with its own
 * security descriptor in the same call (Directory.CreateDirectory(path, DirectorySecurity),
 * https://learn.microsoft.com/dotnet/api/system.io.directory.createdirectory: no moment with the
 * inherited DACL), and refuses a folder that is owned by anyone but SYSTEM or Administrators,
 * gives anyone else write access, or is a link (src/fs/windows-acl.ts). The facts come from
 * `(Get-Acl).Sddl`, the same in every language.
 */
import { parseSddl, SddlError } from '../fs/sddl.js';
import { UnsafePathError } from '../fs/unsafe-path-error.js';
import { MACHINE_FOLDER_SDDL, machineFolderAclProblems } from '../fs/windows-acl.js';
import { isRecord } from '../probe/windows/json-values.js';
import { psString } from '../probe/windows/sources.js';
import { type PowerShellRunner, runPowerShell } from '../system/powershell.js';
import { envelopeScript, noResultMessage, readEnvelope } from '../system/powershell-envelope.js';
import { stateDir } from './state-dir.js';

/** How long making and reading the folder may take (a cold PowerShell start included). */
const TIMEOUT_MS = 120_000;

const REMEDY =
  'Run tpm-doctor as an administrator or SYSTEM; if the folder was made by someone else, an administrator removes it ' +
  '(Remove-Item -Recurse) so tpm-doctor makes it again with SYSTEM and Administrators only.';

/** The script: make the folder with its security descriptor when missing, then read what it is. */
export function machineStateDirScript(dir: string): string {
  return envelopeScript(
    [
      `$dir = ${psString(dir)}`,
      '$created = $false',
      'if (-not (Test-Path -LiteralPath $dir)) {',
      '  $security = New-Object System.Security.AccessControl.DirectorySecurity',
      `  $security.SetSecurityDescriptorSddlForm(${psString(MACHINE_FOLDER_SDDL)})`,
      '  [void][System.IO.Directory]::CreateDirectory($dir, $security)',
      '  $created = $true',
      '}',
      '$item = Get-Item -LiteralPath $dir -Force',
      '[pscustomobject]@{',
      '  created = $created',
      '  folder = [bool]$item.PSIsContainer',
      '  link = [bool]($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint)',
      '  sddl = [string](Get-Acl -LiteralPath $dir).Sddl',
      '}',
    ].join('\n'),
    { header: ['# tpm-doctor: the machine state folder, made SYSTEM and Administrators only'], depth: 2 },
  );
}

/**
 * Makes (when missing) and checks the machine's state folder; throws UnsafePathError, one line
 * naming the folder and each problem, when it must not be used. Returns whether it was made now.
 */
export async function secureMachineStateDir(
  dir: string,
  runner: PowerShellRunner,
): Promise<{ created: boolean }> {
  const result = await runner(machineStateDirScript(dir), TIMEOUT_MS);
  const refuse = (found: string) => new UnsafePathError(dir, found, REMEDY);
  if (result.timedOut) throw refuse('could not be checked (PowerShell did not answer in time)');
  const reading = readEnvelope(result.stdout);
  if (reading.kind !== 'envelope') throw refuse(`could not be checked (${noResultMessage(result)})`);
  const envelope = reading.envelope;
  if (!envelope.ok) throw refuse(`could not be made or read (${envelope.error ?? 'no reason given'})`);
  const data = envelope.data;
  if (!isRecord(data) || typeof data.sddl !== 'string' || typeof data.folder !== 'boolean')
    throw refuse('could not be checked (PowerShell returned something else)');
  if (!data.folder) throw refuse('is not a folder');
  if (data.link === true) throw refuse('is a link (reparse point) to another place');
  let problems: string[];
  try {
    problems = machineFolderAclProblems(parseSddl(data.sddl));
  } catch (e) {
    if (!(e instanceof SddlError)) throw e;
    throw refuse(`has a security descriptor tpm-doctor cannot read (${e.message})`);
  }
  if (problems.length > 0) throw refuse(problems.join(', and '));
  return { created: data.created === true };
}

/**
 * The guard the run verbs call: on Windows, when the runs live in the machine's state folder (no
 * --state-dir, no TPM_DOCTOR_STATE_DIR; a folder an admin chose is theirs to secure), make and
 * check it before any journal is written or read.
 */
export async function guardMachineStateDir(
  stateDirFlag: string | undefined,
  options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; runner?: PowerShellRunner } = {},
): Promise<void> {
  const env = options.env ?? process.env;
  if ((options.platform ?? process.platform) !== 'win32') return;
  if (stateDirFlag !== undefined || env.TPM_DOCTOR_STATE_DIR) return;
  await secureMachineStateDir(stateDir(), options.runner ?? runPowerShell);
}
