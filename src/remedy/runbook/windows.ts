/**
 * The runbook's two ways of talking to Windows, both through the one PowerShellRunner
 * (src/system/powershell.ts) so that the live path (runPowerShell) and the recorded path (tests)
 * are one interface:
 * - reading: the evidence sources of src/probe/windows/sources.ts, run and parsed exactly as
 *   `tpm-doctor collect` does (collectWindowsEvidence with a subset of sources);
 * - acting: the few actions below, each one PowerShell script in the one envelope
 *   (src/system/powershell-envelope.ts) with a first line naming the action, for logs and for tests.
 */
import { collectWindowsEvidence } from '../../probe/windows/collect.js';
import { isRecord } from '../../probe/windows/json-values.js';
import { psString } from '../../probe/windows/sources.js';
import { isSecretField, redact } from '../../snapshot/redact-secrets.js';
import type { BitLockerVolume, KeyProtectorType, WindowsEvidence } from '../../snapshot/windows-evidence.js';
import type { PowerShellRunner } from '../../system/powershell.js';
import { envelopeScript, noResultMessage, readEnvelope } from '../../system/powershell-envelope.js';
import type { JsonObject } from '../journal.js';
import type { StepContext } from './step.js';

/** Evidence source names (sources.ts) the runbook reads. */
export type RunbookSource =
  | 'get-tpm'
  | 'events'
  | 'bitlocker'
  | 'manage-bde'
  | 'dsregcmd'
  | 'enrollments'
  | 'mdm-sync';

/** Reads these sources from the device (plus meta, which the collector always runs). */
export function readWindows(ctx: StepContext, sources: readonly RunbookSource[]): Promise<WindowsEvidence> {
  // platform: the runbook's Windows steps only ever run on (or for) a Windows device.
  return collectWindowsEvidence({ runner: ctx.runner, platform: 'win32', sources, concurrency: 3 });
}

/** "dsregcmd.txt: not collected on the device: ...", for a source that could not be read. */
export function problemWith(evidence: WindowsEvidence, source: RunbookSource): string {
  const found = evidence.problems.filter((p) => p.source === source).map((p) => p.message);
  return found.length > 0 ? found.join('; ') : `${source}: no output`;
}

// ---------------------------------------------------------------------------------------------
// BitLocker helpers shared by the BitLocker steps

/**
 * Protector types that unseal with the TPM (KeyProtectorType:
 * https://learn.microsoft.com/windows/win32/secprov/getkeyprotectortype-win32-encryptablevolume).
 */
export const TPM_PROTECTOR_TYPES: ReadonlySet<KeyProtectorType> = new Set([
  'Tpm',
  'TpmPin',
  'TpmStartupKey',
  'TpmPinStartupKey',
  'TpmNetworkKey',
]);

/** The OS volume: the mount point the run names, else the OperatingSystem volume, else C:. */
export function osVolume(volumes: readonly BitLockerVolume[], mountPoint?: string): BitLockerVolume | null {
  const named = mountPoint?.toUpperCase();
  return (
    volumes.find((v) => named !== undefined && v.mountPoint.toUpperCase() === named) ??
    (named === undefined ? volumes.find((v) => v.volumeType === 'OperatingSystem') : undefined) ??
    (named === undefined ? volumes.find((v) => v.mountPoint.toUpperCase() === 'C:') : undefined) ??
    null
  );
}

/** True when the volume is (being) encrypted, i.e. BitLocker matters for it. */
export function isEncrypted(volume: BitLockerVolume): boolean {
  return volume.keyProtectors.length > 0 || (volume.volumeStatus ?? 'FullyDecrypted') !== 'FullyDecrypted';
}

// ---------------------------------------------------------------------------------------------
// Actions

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const MOUNT_POINT = /^[A-Za-z]:$/;

/** A protector or enrollment ID as `{GUID}`/`GUID`, checked: nothing else reaches a script. */
function guid(value: string, what: string): string {
  const m = GUID.exec(value);
  if (!m) throw new Error(`expected ${what} as a GUID, found ${JSON.stringify(value)}`);
  return m[1]!.toUpperCase();
}

function mountPoint(value: string): string {
  if (!MOUNT_POINT.test(value))
    throw new Error(`expected a mount point like C:, found ${JSON.stringify(value)}`);
  return value.toUpperCase();
}

export interface RunbookAction {
  /** Stable name, written on the script's first line: `# tpm-doctor runbook action: <name>`. */
  readonly name: string;
  readonly timeoutSeconds: number;
  /** The PowerShell whose output (a string or a small object) is the action's result. */
  readonly command: string;
}

export const ACTION_MARKER = '# tpm-doctor runbook action: ';

/**
 * Resume-BitLocker (BitLocker module): re-enables the protectors and reseals the TPM protector to
 * the current boot. The caller has checked that a TPM protector exists: without one, resuming would
 * leave a volume that asks for its recovery key at every boot.
 */
export function resumeBitLockerAction(volume: string): RunbookAction {
  const mp = psString(mountPoint(volume));
  return {
    name: 'resume-bitlocker',
    timeoutSeconds: 120,
    // Get-BitLockerVolume's objects carry the recovery passwords: only ProtectionStatus leaves.
    command: `Resume-BitLocker -MountPoint ${mp} | Out-Null
[string](Get-BitLockerVolume -MountPoint ${mp}).ProtectionStatus`,
  };
}

/**
 * BackupToAAD-BitLockerKeyProtector: sends one recovery password protector to Entra ID
 * (https://learn.microsoft.com/powershell/module/bitlocker/backuptoaad-bitlockerkeyprotector). Backing up the same protector again is harmless, so the action is idempotent.
 */
export function backupToAadAction(volume: string, protectorId: string): RunbookAction {
  const id = psString(`{${guid(protectorId, 'a key protector ID')}}`);
  return {
    name: 'backup-to-aad',
    timeoutSeconds: 120,
    // The cmdlet returns the volume, recovery passwords included: nothing of it is kept.
    command: `BackupToAAD-BitLockerKeyProtector -MountPoint ${psString(mountPoint(volume))} -KeyProtectorId ${id} | Out-Null
'sent'`,
  };
}

/**
 * Starts an MDM session with Intune (docs/clear.md, the Windows runbook): the enrollment's PushLaunch scheduled task, or,
 * where there is none (AVD multi-session hosts), `deviceenroller.exe /o <GUID> /c /b`
 * (undocumented flags; `/c /z` fails with event 4603 on current builds, per community reports).
 * Either only starts a session: the runbook checks the last sync time, not this result.
 */
export function triggerMdmSyncAction(enrollmentId: string): RunbookAction {
  const id = guid(enrollmentId, 'an enrollment ID');
  return {
    name: 'trigger-mdm-sync',
    timeoutSeconds: 120,
    command: `$guid = ${psString(id)}
$path = '\\Microsoft\\Windows\\EnterpriseMgmt\\' + $guid + '\\'
$task = Get-ScheduledTask -TaskPath $path -TaskName 'PushLaunch' -ErrorAction SilentlyContinue
if ($task) {
  Start-ScheduledTask -TaskPath $path -TaskName 'PushLaunch'
  [pscustomobject]@{ Method = 'PushLaunch'; ExitCode = 0 }
} else {
  $exe = Join-Path (Get-TpmDoctorSystemDir) 'deviceenroller.exe'
  & $exe /o $guid /c /b | Out-Null
  [pscustomobject]@{ Method = 'deviceenroller'; ExitCode = $LASTEXITCODE }
}`,
  };
}

/** The whole script an action runs: its name, then the command in the one envelope. */
export function actionScript(action: RunbookAction): string {
  return envelopeScript(action.command, { header: [`${ACTION_MARKER}${action.name}`], depth: 4 });
}

/** Runs an action; returns its result as journal-safe JSON, or throws saying what went wrong. */
export async function runAction(runner: PowerShellRunner, action: RunbookAction): Promise<JsonObject> {
  const result = await runner(actionScript(action), action.timeoutSeconds * 1000);
  if (result.timedOut) throw new Error(`${action.name} timed out after ${action.timeoutSeconds} s`);
  const reading = readEnvelope(result.stdout);
  if (reading.kind === 'no-json') throw new Error(redact(`${action.name}: ${noResultMessage(result)}`));
  if (reading.kind === 'not-an-envelope')
    throw new Error(`${action.name}: PowerShell returned something other than a result`);
  const envelope = reading.envelope;
  if (!envelope.ok) throw new Error(redact(`${action.name} failed: ${envelope.error ?? 'no reason given'}`));
  return { action: action.name, result: journalSafe(envelope.data) };
}

/** Small scalars and flat objects of scalars, redacted; anything bigger is summarised. */
function journalSafe(value: unknown): JsonObject['x'] {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') return redact(value).slice(0, 200);
  if (isRecord(value)) {
    const out: Record<string, string | number | boolean | null> = {};
    for (const [k, v] of Object.entries(value).slice(0, 10)) {
      if (isSecretField(k)) continue;
      if (v === null || typeof v === 'boolean' || typeof v === 'number') out[k] = v;
      else if (typeof v === 'string') out[k] = redact(v).slice(0, 200);
    }
    return out;
  }
  return null;
}
