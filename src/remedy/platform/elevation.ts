/**
 * Is this process elevated? The preflight gate asks before anything is changed, because clearing a
 * TPM, writing the PPI request and installing a start-up task all need it: clearing the TPM needs a
 * local administrator (https://learn.microsoft.com/windows/security/hardware-security/tpm/initialize-and-configure-ownership-of-the-tpm)
 * and so do Win32_Tpm's methods (https://learn.microsoft.com/windows/win32/secprov/win32-tpm); on Linux
 * the PPI request file is writable by root only (tpm_ppi.c: S_IWUSR | S_IWGRP, owned by root) and
 * so are /etc/systemd/system and systemctl enable.
 */
import { TpmDoctorError } from '../../errors.js';
import type { PowerShellRunner } from '../../system/powershell.js';

export interface ElevationDeps {
  platform?: NodeJS.Platform;
  /** POSIX: the effective user; defaults to process.geteuid. */
  geteuid?: () => number;
  /** Windows: runs the principal check. */
  powershell?: PowerShellRunner;
}

/**
 * The token's membership of BUILTIN\Administrators as Windows evaluates it: with UAC a member
 * running unelevated has the group as deny-only, and IsInRole says False. `net session` would also
 * tell, but it depends on the Server (LanmanServer) service running, so it is not used.
 */
export const WINDOWS_ELEVATION_SCRIPT =
  '[Console]::Out.Write(([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator))';

/** How long the principal check may take (a cold PowerShell start included). */
const ELEVATION_TIMEOUT_MS = 120_000;

class ElevationCheckError extends TpmDoctorError {
  override readonly name = 'ElevationCheckError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('elevation-check', message, options);
  }
}

/** true when elevated; throws ElevationCheckError when Windows gives no clear answer. */
export async function isElevated(deps: ElevationDeps = {}): Promise<boolean> {
  const platform = deps.platform ?? process.platform;
  if (platform !== 'win32') {
    // The effective uid decides what the kernel lets us open (sudo sets it; setuid binaries too).
    const geteuid = deps.geteuid ?? process.geteuid;
    if (!geteuid) throw new ElevationCheckError(`cannot tell the user on ${platform}: no geteuid()`);
    return geteuid() === 0;
  }
  if (!deps.powershell)
    throw new ElevationCheckError('no PowerShell runner to ask Windows whether this process is elevated');
  const r = await deps.powershell(WINDOWS_ELEVATION_SCRIPT, ELEVATION_TIMEOUT_MS);
  const answer = r.stdout.trim();
  if (r.exitCode === 0 && answer === 'True') return true;
  if (r.exitCode === 0 && answer === 'False') return false;
  throw new ElevationCheckError(
    `expected True or False from the Windows principal check, got exit code ${r.exitCode} and "${answer.slice(0, 200)}"${r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 200)}` : ''}`,
  );
}

/** What to tell the person when the process is not elevated: the words Windows itself shows, then how to get the rights. */
export function notElevatedMessage(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    return [
      'You must be an administrator to perform this task.',
      'tpm-doctor is not running elevated. To get the rights: right-click Windows PowerShell or Terminal and choose "Run as administrator" (your account must be in the local Administrators group; if it is not, ask IT, who may use LAPS or an Intune Endpoint Privilege Management elevation), then run the command again.',
      'For a fleet, deploy tpm-doctor as an Intune Remediation or Win32 app, which runs as SYSTEM.',
    ].join(' ');
  }
  return [
    'You must be an administrator to perform this task.',
    'tpm-doctor is not running as root. Run the command again with sudo (your account must be allowed to use sudo, e.g. a member of the sudo or wheel group), or from a root shell.',
  ].join(' ');
}
