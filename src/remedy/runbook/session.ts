import type { RunbookSession } from './post-clear.js';

/**
 * Whether this process is the boot task's SYSTEM (LocalSystem, S-1-5-18) or a person's session.
 * SYSTEM's environment names the machine account (USERNAME is the computer name with a trailing
 * `$`) and the LocalSystem profile under %SystemRoot%\System32\config\systemprofile. Anything else,
 * or a process that cannot tell, is 'interactive': the steps that need the user stay in its
 * runbook and fail with what to do, never pass unseen.
 */
export function runbookSession(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): RunbookSession {
  if (platform !== 'win32') return 'interactive';
  const profile = (env.USERPROFILE ?? '').replace(/\\+$/, '').toLowerCase();
  const machineAccount =
    env.COMPUTERNAME !== undefined &&
    env.COMPUTERNAME !== '' &&
    (env.USERNAME ?? '').toLowerCase() === `${env.COMPUTERNAME.toLowerCase()}$`;
  return profile.endsWith('\\system32\\config\\systemprofile') || machineAccount ? 'system' : 'interactive';
}
