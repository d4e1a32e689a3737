import { type ChildProcess, spawn } from 'node:child_process';
import { powershellArguments, powershellPath } from '../../system/powershell.js';

/**
 * Keeps a Windows PC from sleeping while the runbook waits for the Intune sync: a sleeping PC does
 * not sync, and a sync can take from minutes to a day (docs/clear.md, the Windows runbook).
 * A helper PowerShell holds SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED)
 * (https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setthreadexecutionstate) for as long as it lives; release() ends exactly that process. On other systems
 * there is no runbook to wait for, so it does nothing.
 */
export interface KeepAwake {
  readonly active: boolean;
  release(): void;
}

/** ES_CONTINUOUS (0x80000000) | ES_SYSTEM_REQUIRED (0x00000001). */
const ES_CONTINUOUS_SYSTEM_REQUIRED = '0x80000001';

/** The PowerShell the helper runs: set the state, then sleep until it is ended. */
export const KEEP_AWAKE_SCRIPT = [
  'Add-Type -Namespace TpmDoctor -Name Power -MemberDefinition \'[DllImport("kernel32.dll")] public static extern uint SetThreadExecutionState(uint esFlags);\'',
  `[void][TpmDoctor.Power]::SetThreadExecutionState([uint32]${ES_CONTINUOUS_SYSTEM_REQUIRED})`,
  'while ($true) { Start-Sleep -Seconds 60 }',
].join('; ');

type Spawner = (file: string, args: string[]) => ChildProcess;

export function keepAwake(options: { platform?: NodeJS.Platform; spawner?: Spawner } = {}): KeepAwake {
  if ((options.platform ?? process.platform) !== 'win32') return { active: false, release: () => {} };
  const spawner: Spawner =
    options.spawner ?? ((file, args) => spawn(file, args, { stdio: 'ignore', windowsHide: true }));
  let child: ChildProcess | undefined;
  try {
    // By full path and encoded, as every PowerShell tpm-doctor starts (src/system/powershell.ts).
    child = spawner(powershellPath(), powershellArguments(KEEP_AWAKE_SCRIPT));
    child.on('error', () => {
      child = undefined; // no PowerShell: the wait goes on, the PC may sleep (the message says so)
    });
  } catch {
    child = undefined;
  }
  return {
    get active() {
      return child !== undefined && child.exitCode === null;
    },
    release() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill();
      child = undefined;
    },
  };
}
