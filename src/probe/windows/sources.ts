import { POWERSHELL_PRELUDE } from '../../system/powershell-prelude.js';
import { DSREGCMD_KEYS } from './dsregcmd.js';
import { normaliseTpmtoolLabel, TPMTOOL_FIELDS } from './tpmtool.js';

/**
 * Every Windows evidence source, defined once: its bundle file, whether it needs an elevated
 * prompt, and the PowerShell that produces it. `tpm-doctor collect` (collect.ts) runs these
 * commands one PowerShell process each, with a timeout each; scripts/collect-evidence.ps1 embeds
 * the same text, rendered by `renderPowerShellSources()`, between its "tpm-doctor sources"
 * markers, and test/windows/collect-script.test.ts fails when the two differ. A fix to a command
 * is made here; `UPDATE_COLLECT_SCRIPT=1 npx vitest run test/windows/collect-script.test.ts`
 * then rewrites the block in the script.
 *
 * Commands write JSON-able objects (ConvertTo-Json happens in the runner) or, for the text-only
 * tools, one string. They never select OwnerAuth or a RecoveryPassword, and manage-bde's
 * recovery password lines are filtered out before they leave PowerShell.
 */

export type Elevation = 'required' | 'partial' | 'none';

export interface EvidenceSource {
  /** Stable name, used in problems and meta.json. */
  name: string;
  /** The file in a bundle directory. */
  file: string;
  kind: 'json' | 'text';
  /** JSON sources whose result is a list (kept a list even with 0 or 1 item). */
  list: boolean;
  elevation: Elevation;
  /** What elevation changes, for the docs and for problems. */
  elevationNote: string;
  timeoutSeconds: number;
  /** The PowerShell: a script block body whose output is the source. */
  command: string;
}

/**
 * PowerShell text, written as is: backslashes (registry paths, regexes) stay literal. PowerShell's
 * own escape character, the backtick, cannot appear in it; the commands use [Environment]::NewLine.
 */
const ps = String.raw;

function source(s: EvidenceSource): EvidenceSource {
  return s;
}

export const EVIDENCE_SOURCES: readonly EvidenceSource[] = [
  source({
    name: 'meta',
    file: 'meta.json',
    kind: 'json',
    list: false,
    elevation: 'none',
    elevationNote: 'Reports whether the collector ran elevated.',
    timeoutSeconds: 30,
    command: ps`$id = [Security.Principal.WindowsIdentity]::GetCurrent()
$admin = ([Security.Principal.WindowsPrincipal]$id).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
$cv = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -ErrorAction SilentlyContinue
[pscustomobject]@{
  Collector = 'tpm-doctor'
  CollectedAt = [DateTime]::UtcNow.ToString('o')
  ComputerName = $env:COMPUTERNAME
  OsVersion = ('{0}.{1}' -f [Environment]::OSVersion.Version.ToString(3), $cv.UBR)
  Elevated = $admin
  Is64BitProcess = [Environment]::Is64BitProcess
  PSVersion = $PSVersionTable.PSVersion.ToString()
}`,
  }),
  source({
    name: 'get-tpm',
    file: 'get-tpm.json',
    kind: 'json',
    list: false,
    elevation: 'required',
    elevationNote: 'Get-Tpm needs an elevated prompt.',
    timeoutSeconds: 30,
    command: ps`Get-Tpm | Select-Object -Property @(
  'TpmPresent', 'TpmReady', 'TpmEnabled', 'TpmActivated', 'TpmOwned', 'RestartPending',
  'ManufacturerId', 'ManufacturerIdTxt', 'ManufacturerVersion', 'ManufacturerVersionFull20',
  @{ n = 'ManagedAuthLevel'; e = { [string]$_.ManagedAuthLevel } },
  @{ n = 'OwnerAuthPresent'; e = { -not [string]::IsNullOrEmpty($_.OwnerAuth) } },
  'OwnerClearDisabled', @{ n = 'AutoProvisioning'; e = { [string]$_.AutoProvisioning } },
  'LockedOut', 'LockoutHealTime', 'LockoutCount', 'LockoutMax'
)`,
  }),
  source({
    name: 'win32-tpm',
    file: 'win32-tpm.json',
    kind: 'json',
    list: false,
    elevation: 'required',
    elevationNote: 'Win32_Tpm is readable by local administrators only.',
    timeoutSeconds: 30,
    command: ps`$t = Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftTpm' -ClassName Win32_Tpm
if ($null -eq $t) { throw 'no Win32_Tpm instance (no TPM, or not elevated)' }
$t | Select-Object -Property @(
  'SpecVersion', 'ManufacturerId', 'ManufacturerIdTxt', 'ManufacturerVersion', 'ManufacturerVersionFull20',
  'ManufacturerVersionInfo', 'PhysicalPresenceVersionInfo', 'IsActivated_InitialValue', 'IsEnabled_InitialValue', 'IsOwned_InitialValue'
)`,
  }),
  source({
    name: 'is-ready',
    file: 'is-ready.json',
    kind: 'json',
    list: false,
    elevation: 'required',
    elevationNote: 'Win32_Tpm.IsReadyInformation is callable by local administrators only.',
    timeoutSeconds: 30,
    command: ps`$t = Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftTpm' -ClassName Win32_Tpm
if ($null -eq $t) { throw 'no Win32_Tpm instance (no TPM, or not elevated)' }
$r = Invoke-CimMethod -InputObject $t -MethodName IsReadyInformation
[pscustomobject]@{ IsReady = [bool]$r.IsReady; Information = [uint32]$r.Information; ReturnValue = [uint32]$r.ReturnValue }`,
  }),
  source({
    name: 'ek-info',
    file: 'ek-info.json',
    kind: 'json',
    list: false,
    elevation: 'required',
    elevationNote: 'Get-TpmEndorsementKeyInfo is run elevated (not verified without).',
    timeoutSeconds: 30,
    command: ps`Get-TpmEndorsementKeyInfo -HashAlgorithm 'Sha256' | Select-Object -Property @(
  'IsPresent', 'PublicKeyHash',
  @{ n = 'ManufacturerCertificates'; e = { @($_.ManufacturerCertificates | ForEach-Object { $_.Thumbprint }) } },
  @{ n = 'AdditionalCertificates'; e = { @($_.AdditionalCertificates | ForEach-Object { $_.Thumbprint }) } }
)`,
  }),
  source({
    name: 'tpmtool',
    file: 'tpmtool.txt',
    kind: 'text',
    list: false,
    elevation: 'none',
    elevationNote: 'tpmtool getdeviceinformation works without elevation.',
    timeoutSeconds: 30,
    command: ps`$exe = Join-Path (Get-TpmDoctorSystemDir) 'tpmtool.exe'
if (-not (Test-Path $exe)) { throw 'tpmtool.exe not found (it ships with Windows 10 1809 and later)' }
[string]::Join([Environment]::NewLine, @(& $exe getdeviceinformation))`,
  }),
  source({
    name: 'dsregcmd',
    file: 'dsregcmd.txt',
    kind: 'text',
    list: false,
    elevation: 'partial',
    elevationNote:
      'User State and SSO State need the signed-in user; KeySignTest needs an elevated prompt; run as SYSTEM for pre-join diagnostics.',
    timeoutSeconds: 60,
    command: ps`$exe = Join-Path (Get-TpmDoctorSystemDir) 'dsregcmd.exe'
[string]::Join([Environment]::NewLine, @(& $exe /status))`,
  }),
  source({
    name: 'bitlocker',
    file: 'bitlocker.json',
    kind: 'json',
    list: true,
    elevation: 'required',
    elevationNote: 'Get-BitLockerVolume needs an elevated prompt.',
    timeoutSeconds: 30,
    command: ps`Get-BitLockerVolume | ForEach-Object {
  $mp = $_.MountPoint
  $suspend = $null
  try {
    $ev = Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftVolumeEncryption' -ClassName Win32_EncryptableVolume -Filter ("DriveLetter='" + $mp + "'")
    if ($ev) { $suspend = (Invoke-CimMethod -InputObject $ev -MethodName GetSuspendCount).SuspendCount }
  } catch { $suspend = $null }
  [pscustomobject]@{
    MountPoint = $mp
    VolumeType = [string]$_.VolumeType
    VolumeStatus = [string]$_.VolumeStatus
    ProtectionStatus = [string]$_.ProtectionStatus
    LockStatus = [string]$_.LockStatus
    EncryptionPercentage = $_.EncryptionPercentage
    SuspendCount = $suspend
    KeyProtector = @($_.KeyProtector | ForEach-Object {
      [pscustomobject]@{ KeyProtectorId = $_.KeyProtectorId; KeyProtectorType = [string]$_.KeyProtectorType }
    })
  }
}`,
  }),
  source({
    name: 'manage-bde',
    file: 'manage-bde.txt',
    kind: 'text',
    list: false,
    elevation: 'required',
    elevationNote: 'manage-bde needs an elevated prompt.',
    timeoutSeconds: 30,
    command: ps`$exe = Join-Path (Get-TpmDoctorSystemDir) 'manage-bde.exe'
[string]::Join([Environment]::NewLine, (Remove-TpmDoctorSecrets @(& $exe -protectors -get $env:SystemDrive)))`,
  }),
  source({
    name: 'enrollments',
    file: 'enrollments.json',
    kind: 'json',
    list: true,
    elevation: 'none',
    elevationNote:
      'The Enrollments registry key is readable without elevation (not verified on every build).',
    timeoutSeconds: 30,
    command: ps`$base = 'HKLM:\SOFTWARE\Microsoft\Enrollments'
if (Test-Path $base) {
  Get-ChildItem -Path $base | Where-Object { $_.PSChildName -match '^\{?[0-9A-Fa-f]{8}-' } | ForEach-Object {
    $p = Get-ItemProperty -Path $_.PSPath
    [pscustomobject]@{
      EnrollmentId = $_.PSChildName
      ProviderID = $p.ProviderID
      UPN = $p.UPN
      EnrollmentState = $p.EnrollmentState
      EnrollmentType = $p.EnrollmentType
    }
  }
}`,
  }),
  source({
    name: 'mdm-sync',
    file: 'mdm-sync.json',
    kind: 'json',
    list: true,
    elevation: 'partial',
    elevationNote: 'The OMADM Accounts key may need elevation (not verified).',
    timeoutSeconds: 30,
    command: ps`$base = 'HKLM:\SOFTWARE\Microsoft\Provisioning\OMADM\Accounts'
if (Test-Path $base) {
  Get-ChildItem -Path $base | ForEach-Object {
    $c = Get-ItemProperty -Path (Join-Path $_.PSPath 'Protected\ConnInfo') -ErrorAction SilentlyContinue
    if ($c) {
      [pscustomobject]@{
        AccountId = $_.PSChildName
        ServerLastSuccessTime = $c.ServerLastSuccessTime
        ServerLastAccessTime = $c.ServerLastAccessTime
        ServerLastFailureTime = $c.ServerLastFailureTime
      }
    }
  }
}`,
  }),
  source({
    name: 'events',
    file: 'events.json',
    kind: 'json',
    list: true,
    elevation: 'none',
    elevationNote:
      'The System log and these Admin/Autopilot channels are readable without elevation (not verified on every build).',
    timeoutSeconds: 60,
    command: ps`$since = (Get-Date).AddDays(-30)
$queries = @(
  @{ LogName = 'System'; ProviderName = 'TPM'; StartTime = $since },
  @{ LogName = 'System'; ProviderName = 'Microsoft-Windows-TPM-WMI'; StartTime = $since },
  @{ LogName = 'Microsoft-Windows-User Device Registration/Admin'; StartTime = $since },
  @{ LogName = 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin'; StartTime = $since; Level = 1, 2, 3 },
  @{ LogName = 'Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot'; StartTime = $since }
)
@(foreach ($q in $queries) {
  # No matching event, or a log this build does not have, is an error here: skip that query only.
  try { Get-WinEvent -FilterHashtable $q -MaxEvents 50 -ErrorAction Stop } catch { }
}) | Select-Object -Property @(
  'LogName', 'ProviderName', 'Id', 'LevelDisplayName', 'Level',
  @{ n = 'TimeCreated'; e = { if ($_.TimeCreated) { $_.TimeCreated.ToUniversalTime().ToString('o') } } },
  @{ n = 'Message'; e = { $m = [string]$_.Message; if ($m.Length -gt 4000) { $m.Substring(0, 4000) } else { $m } } }
)`,
  }),
];

/** A PowerShell single-quoted string; non-ASCII as [char] codes so the script file stays ASCII. */
export function psString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `'${text.replace(/'/g, "''")}'`;
  const codes = [...text].flatMap((ch) => {
    const units: number[] = [];
    for (let i = 0; i < ch.length; i++) units.push(ch.charCodeAt(i));
    return units;
  });
  return `(-join [char[]](${codes.map((c) => `0x${c.toString(16)}`).join(', ')}))`;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');
}

export const SOURCES_BEGIN = '# >>> tpm-doctor sources';
export const SOURCES_END = '# <<< tpm-doctor sources';

/**
 * The block scripts/collect-evidence.ps1 embeds: the prelude, every source as a script block,
 * the tpmtool label tables (English labels and Japanese keywords, for the compact form) and the
 * dsregcmd keys the compact form keeps.
 */
export function renderPowerShellSources(): string {
  const sources = EVIDENCE_SOURCES.map(
    (s) =>
      `  ${psString(s.name)} = @{ File = ${psString(s.file)}; Kind = ${psString(s.kind)}; List = $${s.list}; ` +
      `Elevation = ${psString(s.elevation)}; TimeoutSeconds = ${s.timeoutSeconds}; Run = {\n` +
      `${indent(s.command, '    ')}\n  } }`,
  ).join('\n');
  const labels = TPMTOOL_FIELDS.map(
    (f) => `  ${psString(normaliseTpmtoolLabel(f.english))} = ${psString(f.key)}`,
  ).join('\n');
  const keywords = TPMTOOL_FIELDS.flatMap((f) =>
    f.japanese.map(
      (set) =>
        `  @{ Key = ${psString(f.key)}; Depth = ${f.depth}; Words = @(${set.map(psString).join(', ')}) }`,
    ),
  ).join(',\n');
  return [
    `${SOURCES_BEGIN}: generated from src/probe/windows/sources.ts (renderPowerShellSources); edit it there.`,
    '# test/windows/collect-script.test.ts fails when this block and the TypeScript differ.',
    POWERSHELL_PRELUDE,
    '$TpmDoctorSources = [ordered]@{',
    sources,
    '}',
    '$TpmDoctorTpmtoolLabels = @{',
    labels,
    '}',
    '$TpmDoctorTpmtoolKeywords = @(',
    keywords,
    ')',
    `$TpmDoctorDsregKeys = @(${DSREGCMD_KEYS.map(psString).join(', ')})`,
    SOURCES_END,
  ].join('\n');
}
