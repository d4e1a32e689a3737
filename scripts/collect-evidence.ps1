<#
.SYNOPSIS
    tpm-doctor evidence collector: the TPM, Entra ID, BitLocker and Intune facts of this PC.

.DESCRIPTION
    Reads only: it changes nothing on the device.

    Default (no switch): an Intune Remediations DETECTION script. It prints ONE line of compact
    JSON and exits 1 when it sees a TPM problem (so the paired remediation runs), else 0.
    The line stays within Intune's limit on detection output, 2,048 characters ("The maximum
    allowed output size limit is 2048 characters", Microsoft Learn, Remediations, Script
    requirements: https://learn.microsoft.com/intune/intune-service/fundamentals/remediations#script-requirements).
    When the facts do not fit, the least useful ones are dropped first (event messages, then
    hashes and UPNs, then older events, then secondary details) and the JSON says what was
    dropped ("cut"). `tpm-doctor diagnose --evidence FILE` reads the line back (saved to a file,
    or as copied from the Intune report).

    -Full: writes the full evidence bundle, one file per source, to -OutDir, for a helpdesk:
    `tpm-doctor diagnose --evidence DIR` reads it.

    Secrets: the TPM owner authorization (Get-Tpm's OwnerAuth) is never selected (only whether one
    is held), a BitLocker RecoveryPassword is never selected, and manage-bde's recovery password
    lines are dropped before they are written. Run elevated (or as SYSTEM, Intune's default):
    Get-Tpm, Win32_Tpm, Get-BitLockerVolume and manage-bde need it.

    docs/evidence.md in tpm-doctor describes every file and every key of the compact JSON.

.PARAMETER Full
    Write the full bundle directory instead of the one-line detection output.

.PARAMETER OutDir
    Where -Full writes the bundle (default: a new folder under %TEMP%).

.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\collect-evidence.ps1
    One line of JSON; exit code 1 when a TPM problem is detected.

.EXAMPLE
    powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\collect-evidence.ps1 -Full -OutDir C:\Temp\tpm-evidence
    The full bundle, for `tpm-doctor diagnose --evidence C:\Temp\tpm-evidence`.
#>
[CmdletBinding()]
param(
    [switch]$Full,
    [string]$OutDir = ''
)

$ProgressPreference = 'SilentlyContinue'

# Intune runs scripts in 32-bit PowerShell unless told otherwise; Get-BitLockerVolume, the
# registry and System32 tools differ there. Run again in 64-bit PowerShell and pass its result on.
if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
    $ps64 = Join-Path $env:SystemRoot 'Sysnative\WindowsPowerShell\v1.0\powershell.exe'
    if (Test-Path $ps64) {
        $relaunch = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $PSCommandPath)
        if ($Full) { $relaunch += '-Full' }
        if ($OutDir -ne '') { $relaunch += @('-OutDir', $OutDir) }
        & $ps64 @relaunch
        exit $LASTEXITCODE
    }
}

# >>> tpm-doctor sources: generated from src/probe/windows/sources.ts (renderPowerShellSources); edit it there.
# test/windows/collect-script.test.ts fails when this block and the TypeScript differ.
function Get-TpmDoctorSystemDir {
  # A 32-bit PowerShell on 64-bit Windows (Intune's default for scripts) sees SysWOW64 as System32.
  if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
    return (Join-Path $env:SystemRoot 'Sysnative')
  }
  return (Join-Path $env:SystemRoot 'System32')
}
function ConvertTo-TpmDoctorAscii([string]$Text) {
  # Non-ASCII characters (Japanese labels, messages) as \uXXXX: the JSON then survives any code page.
  $sb = New-Object System.Text.StringBuilder
  foreach ($ch in $Text.ToCharArray()) {
    if ([int]$ch -lt 128) { [void]$sb.Append($ch) } else { [void]$sb.AppendFormat('\u{0:x4}', [int]$ch) }
  }
  return $sb.ToString()
}
function Remove-TpmDoctorSecrets([string[]]$Lines) {
  # A BitLocker recovery password is 8 groups of 6 digits: no line that holds one is kept.
  return @($Lines | Where-Object { $_ -notmatch '\d{5,6}([-\s]\d{5,6}){7}' })
}
$TpmDoctorSources = [ordered]@{
  'meta' = @{ File = 'meta.json'; Kind = 'json'; List = $false; Elevation = 'none'; TimeoutSeconds = 30; Run = {
    $id = [Security.Principal.WindowsIdentity]::GetCurrent()
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
    }
  } }
  'get-tpm' = @{ File = 'get-tpm.json'; Kind = 'json'; List = $false; Elevation = 'required'; TimeoutSeconds = 30; Run = {
    Get-Tpm | Select-Object -Property @(
      'TpmPresent', 'TpmReady', 'TpmEnabled', 'TpmActivated', 'TpmOwned', 'RestartPending',
      'ManufacturerId', 'ManufacturerIdTxt', 'ManufacturerVersion', 'ManufacturerVersionFull20',
      @{ n = 'ManagedAuthLevel'; e = { [string]$_.ManagedAuthLevel } },
      @{ n = 'OwnerAuthPresent'; e = { -not [string]::IsNullOrEmpty($_.OwnerAuth) } },
      'OwnerClearDisabled', @{ n = 'AutoProvisioning'; e = { [string]$_.AutoProvisioning } },
      'LockedOut', 'LockoutHealTime', 'LockoutCount', 'LockoutMax'
    )
  } }
  'win32-tpm' = @{ File = 'win32-tpm.json'; Kind = 'json'; List = $false; Elevation = 'required'; TimeoutSeconds = 30; Run = {
    $t = Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftTpm' -ClassName Win32_Tpm
    if ($null -eq $t) { throw 'no Win32_Tpm instance (no TPM, or not elevated)' }
    $t | Select-Object -Property @(
      'SpecVersion', 'ManufacturerId', 'ManufacturerIdTxt', 'ManufacturerVersion', 'ManufacturerVersionFull20',
      'ManufacturerVersionInfo', 'PhysicalPresenceVersionInfo', 'IsActivated_InitialValue', 'IsEnabled_InitialValue', 'IsOwned_InitialValue'
    )
  } }
  'is-ready' = @{ File = 'is-ready.json'; Kind = 'json'; List = $false; Elevation = 'required'; TimeoutSeconds = 30; Run = {
    $t = Get-CimInstance -Namespace 'root/cimv2/Security/MicrosoftTpm' -ClassName Win32_Tpm
    if ($null -eq $t) { throw 'no Win32_Tpm instance (no TPM, or not elevated)' }
    $r = Invoke-CimMethod -InputObject $t -MethodName IsReadyInformation
    [pscustomobject]@{ IsReady = [bool]$r.IsReady; Information = [uint32]$r.Information; ReturnValue = [uint32]$r.ReturnValue }
  } }
  'ek-info' = @{ File = 'ek-info.json'; Kind = 'json'; List = $false; Elevation = 'required'; TimeoutSeconds = 30; Run = {
    Get-TpmEndorsementKeyInfo -HashAlgorithm 'Sha256' | Select-Object -Property @(
      'IsPresent', 'PublicKeyHash',
      @{ n = 'ManufacturerCertificates'; e = { @($_.ManufacturerCertificates | ForEach-Object { $_.Thumbprint }) } },
      @{ n = 'AdditionalCertificates'; e = { @($_.AdditionalCertificates | ForEach-Object { $_.Thumbprint }) } }
    )
  } }
  'tpmtool' = @{ File = 'tpmtool.txt'; Kind = 'text'; List = $false; Elevation = 'none'; TimeoutSeconds = 30; Run = {
    $exe = Join-Path (Get-TpmDoctorSystemDir) 'tpmtool.exe'
    if (-not (Test-Path $exe)) { throw 'tpmtool.exe not found (it ships with Windows 10 1809 and later)' }
    [string]::Join([Environment]::NewLine, @(& $exe getdeviceinformation))
  } }
  'dsregcmd' = @{ File = 'dsregcmd.txt'; Kind = 'text'; List = $false; Elevation = 'partial'; TimeoutSeconds = 60; Run = {
    $exe = Join-Path (Get-TpmDoctorSystemDir) 'dsregcmd.exe'
    [string]::Join([Environment]::NewLine, @(& $exe /status))
  } }
  'bitlocker' = @{ File = 'bitlocker.json'; Kind = 'json'; List = $true; Elevation = 'required'; TimeoutSeconds = 30; Run = {
    Get-BitLockerVolume | ForEach-Object {
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
    }
  } }
  'manage-bde' = @{ File = 'manage-bde.txt'; Kind = 'text'; List = $false; Elevation = 'required'; TimeoutSeconds = 30; Run = {
    $exe = Join-Path (Get-TpmDoctorSystemDir) 'manage-bde.exe'
    [string]::Join([Environment]::NewLine, (Remove-TpmDoctorSecrets @(& $exe -protectors -get $env:SystemDrive)))
  } }
  'enrollments' = @{ File = 'enrollments.json'; Kind = 'json'; List = $true; Elevation = 'none'; TimeoutSeconds = 30; Run = {
    $base = 'HKLM:\SOFTWARE\Microsoft\Enrollments'
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
    }
  } }
  'mdm-sync' = @{ File = 'mdm-sync.json'; Kind = 'json'; List = $true; Elevation = 'partial'; TimeoutSeconds = 30; Run = {
    $base = 'HKLM:\SOFTWARE\Microsoft\Provisioning\OMADM\Accounts'
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
    }
  } }
  'events' = @{ File = 'events.json'; Kind = 'json'; List = $true; Elevation = 'none'; TimeoutSeconds = 60; Run = {
    $since = (Get-Date).AddDays(-30)
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
    )
  } }
}
$TpmDoctorTpmtoolLabels = @{
  'tpmpresent' = 'pr'
  'tpmversion' = 'vr'
  'tpmmanufacturerid' = 'mi'
  'tpmmanufacturerfullname' = 'mn'
  'tpmmanufacturerversion' = 'mv'
  'ppiversion' = 'pp'
  'isinitialized' = 'in'
  'readyforstorage' = 'rs'
  'readyforattestation' = 'ra'
  'iscapableforattestation' = 'ca'
  'clearneededtorecover' = 'cn'
  'clearpossible' = 'cp'
  'tpmhasvulnerablefirmware' = 'vf'
  'maintenancetaskcomplete' = 'mt'
  'bitlockerpcr7bindingstate' = 'p7'
  'tpmspecversion' = 'sv'
  'tpmerratadate' = 'ed'
  'pcclientversion' = 'pc'
  'lockoutinformation' = 'lo'
  'islockedout' = 'lk'
  'lockoutcounter' = 'lc'
  'maxauthfail' = 'lm'
  'lockoutinterval' = 'li'
  'lockoutrecovery' = 'lr'
}
$TpmDoctorTpmtoolKeywords = @(
  @{ Key = 'pr'; Depth = 0; Words = @((-join [char[]](0x5b58, 0x5728))) },
  @{ Key = 'mi'; Depth = 0; Words = @((-join [char[]](0x88fd, 0x9020, 0x5143)), 'ID') },
  @{ Key = 'mn'; Depth = 0; Words = @((-join [char[]](0x88fd, 0x9020, 0x5143)), (-join [char[]](0x540d))) },
  @{ Key = 'mv'; Depth = 0; Words = @((-join [char[]](0x88fd, 0x9020, 0x5143)), (-join [char[]](0x30d0, 0x30fc, 0x30b8, 0x30e7, 0x30f3))) },
  @{ Key = 'pp'; Depth = 0; Words = @('PPI') },
  @{ Key = 'in'; Depth = 0; Words = @((-join [char[]](0x521d, 0x671f, 0x5316))) },
  @{ Key = 'rs'; Depth = 0; Words = @((-join [char[]](0x30b9, 0x30c8, 0x30ec, 0x30fc, 0x30b8))) },
  @{ Key = 'ra'; Depth = 0; Words = @((-join [char[]](0x69cb, 0x6210, 0x8a3c, 0x660e)), (-join [char[]](0x6e96, 0x5099))) },
  @{ Key = 'ca'; Depth = 0; Words = @((-join [char[]](0x69cb, 0x6210, 0x8a3c, 0x660e))) },
  @{ Key = 'cn'; Depth = 0; Words = @((-join [char[]](0x30af, 0x30ea, 0x30a2)), (-join [char[]](0x56de, 0x5fa9))) },
  @{ Key = 'cp'; Depth = 0; Words = @((-join [char[]](0x30af, 0x30ea, 0x30a2))) },
  @{ Key = 'vf'; Depth = 0; Words = @((-join [char[]](0x8106, 0x5f31))) },
  @{ Key = 'mt'; Depth = 0; Words = @((-join [char[]](0x30e1, 0x30f3, 0x30c6, 0x30ca, 0x30f3, 0x30b9))) },
  @{ Key = 'p7'; Depth = 0; Words = @('PCR7') },
  @{ Key = 'sv'; Depth = 0; Words = @((-join [char[]](0x4ed5, 0x69d8))) },
  @{ Key = 'ed'; Depth = 0; Words = @((-join [char[]](0x6b63, 0x8aa4, 0x8868))) },
  @{ Key = 'ed'; Depth = 0; Words = @((-join [char[]](0x30a8, 0x30e9, 0x30c3, 0x30bf))) },
  @{ Key = 'pc'; Depth = 0; Words = @((-join [char[]](0x30af, 0x30e9, 0x30a4, 0x30a2, 0x30f3, 0x30c8))) },
  @{ Key = 'lo'; Depth = 0; Words = @((-join [char[]](0x30ed, 0x30c3, 0x30af, 0x30a2, 0x30a6, 0x30c8))) },
  @{ Key = 'lk'; Depth = 1; Words = @((-join [char[]](0x30ed, 0x30c3, 0x30af, 0x30a2, 0x30a6, 0x30c8, 0x4e2d))) },
  @{ Key = 'lk'; Depth = 1; Words = @((-join [char[]](0x30ed, 0x30c3, 0x30af, 0x3055, 0x308c))) },
  @{ Key = 'lc'; Depth = 1; Words = @((-join [char[]](0x30ab, 0x30a6, 0x30f3, 0x30bf, 0x30fc))) },
  @{ Key = 'lc'; Depth = 1; Words = @((-join [char[]](0x30ab, 0x30a6, 0x30f3, 0x30bf))) },
  @{ Key = 'lm'; Depth = 1; Words = @((-join [char[]](0x6700, 0x5927))) },
  @{ Key = 'li'; Depth = 1; Words = @((-join [char[]](0x9593, 0x9694))) },
  @{ Key = 'lr'; Depth = 1; Words = @((-join [char[]](0x56de, 0x5fa9))) }
)
$TpmDoctorDsregKeys = @('AzureAdJoined', 'EnterpriseJoined', 'DomainJoined', 'DeviceId', 'TpmProtected', 'KeyProvider', 'DeviceAuthStatus', 'NgcSet', 'AzureAdPrt', 'KeySignTest', 'AadRecoveryEnabled')
# <<< tpm-doctor sources

# >>> tpm-doctor clear receipt: generated from src/fleet/campaign/receipt-report.ts (renderPowerShellReceiptReport); edit it there.
function Get-TpmDoctorFolderDistrust([string]$Path, [bool]$CheckOwner) {
  # Why SYSTEM must not believe what is in the folder (the rule of src/fs/windows-acl.ts), or $null.
  try {
    $item = Get-Item -LiteralPath $Path -Force
    if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) { return 'folder-link' }
    $acl = Get-Acl -LiteralPath $Path
    $sid = [System.Security.Principal.SecurityIdentifier]
    if ($CheckOwner) {
      $owner = $acl.GetOwner($sid)
      if ($null -eq $owner -or @('S-1-5-18', 'S-1-5-32-544') -notcontains $owner.Value) { return 'folder-owner' }
    }
    foreach ($rule in @($acl.GetAccessRules($true, $true, $sid))) {
      if ($rule.AccessControlType -ne [System.Security.AccessControl.AccessControlType]::Allow) { continue }
      if ((([int64][int]$rule.FileSystemRights) -band 1343029590) -eq 0) { continue }
      if (@('S-1-5-18', 'S-1-5-32-544', 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464', 'S-1-3-0') -notcontains $rule.IdentityReference.Value) { return 'folder-writer' }
    }
  } catch { return 'folder-acl' }
  return $null
}
function Get-TpmDoctorClearReport([string]$Dir) {
  # The newest receipt of a tpm-doctor clear run: its proof, SRK Names and time; never the approver, the ticket or the EK.
  $parent = Split-Path -Parent $Dir
  if (-not (Test-Path -LiteralPath $parent -PathType Container)) { return $null }
  $why = Get-TpmDoctorFolderDistrust $parent $true
  if ($null -ne $why) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = $why } }
  if (-not (Test-Path -LiteralPath $Dir -PathType Container)) { return $null }
  $why = Get-TpmDoctorFolderDistrust $Dir $false
  if ($null -ne $why) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = $why } }
  $notAfter = [DateTime]::UtcNow.AddMilliseconds(300000).ToString("yyyy-MM-dd'T'HH:mm:ss", [System.Globalization.CultureInfo]::InvariantCulture)
  $latest = $null
  $files = @(Get-ChildItem -LiteralPath $Dir -Filter '*.receipt.json' -Force -ErrorAction SilentlyContinue | Sort-Object -Property LastWriteTimeUtc -Descending)
  foreach ($f in $files) {
    if ($f.Attributes -band [System.IO.FileAttributes]::ReparsePoint) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = 'receipt-link' } }
  }
  $files = @($files | Where-Object { -not $_.PSIsContainer } | Select-Object -First 20)
  foreach ($f in $files) {
    if ($f.Length -gt 65536) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = 'receipt-size' } }
    $r = $null
    try { $r = Get-Content -LiteralPath $f.FullName -Raw | ConvertFrom-Json } catch { continue }
    if ($null -eq $r) { continue }
    if (-not ($r.runId -is [string]) -or -not ($r.runId -cmatch '\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z')) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = 'receipt-format' } }
    if (-not ($r.finishedAt -is [string]) -or -not ($r.finishedAt -cmatch '\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,7})?Z\z')) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = 'receipt-format' } }
    foreach ($side in @($r.before, $r.after)) {
      if ($null -ne $side -and $null -ne $side.srkName -and (-not ($side.srkName -is [string]) -or -not ($side.srkName -cmatch '\A(?:[0-9a-fA-F]{2}){1,80}\z'))) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = 'receipt-format' } }
    }
    if ([string]::CompareOrdinal($r.finishedAt.Substring(0, 19), $notAfter) -gt 0) { return [ordered]@{ tpmdoctor = 'clear-report/v1'; untrusted = 'receipt-future' } }
    if ($null -eq $latest -or [string]::CompareOrdinal($r.finishedAt, $latest.finishedAt) -gt 0) { $latest = $r }
  }
  if ($null -eq $latest) { return $null }
  # The JSON value true only: -eq $true would also take "true", 1 or [1].
  $proven = ($null -ne $latest.proof -and $latest.proof.proven -is [bool] -and $latest.proof.proven)
  $o = [ordered]@{ tpmdoctor = 'clear-report/v1' }
  if ($proven) { $o['result'] = 'cleared' } else { $o['result'] = 'failed' }
  $o['runId'] = $latest.runId
  if ($proven) { $o['reason'] = $null } else { $o['reason'] = 'not-proven' }
  if ($proven) { $o['message'] = 'TPM cleared and proven by the run receipt on the device (SRK Name changed, owner objects gone, EK unchanged).' } else { $o['message'] = 'The clear run ended without a proven clear: its receipt on the device says the proof did not hold.' }
  $o['blocking'] = @()
  $o['srkNameBefore'] = $null
  if ($null -ne $latest.before -and $latest.before.srkName -is [string]) { $o['srkNameBefore'] = $latest.before.srkName }
  $o['srkNameAfter'] = $null
  if ($null -ne $latest.after -and $latest.after.srkName -is [string]) { $o['srkNameAfter'] = $latest.after.srkName }
  $o['proven'] = $proven
  $o['finishedAt'] = $latest.finishedAt
  return $o
}
# <<< tpm-doctor clear receipt

# Intune's documented limit on detection output, less the line break PowerShell adds.
$TpmDoctorLimit = 2048 - 2

function Invoke-TpmDoctorSource([string]$Name) {
    $s = $TpmDoctorSources[$Name]
    $ErrorActionPreference = 'Stop'
    try {
        if ($s.List) { $data = @(& $s.Run) } else { $data = & $s.Run }
        return @{ Ok = $true; Data = $data; Error = $null }
    } catch {
        return @{ Ok = $false; Data = $null; Error = [string]$_.Exception.Message }
    }
}

# ---------------------------------------------------------------- -Full: the bundle directory
if ($Full) {
    if ($OutDir -eq '') {
        $OutDir = Join-Path $env:TEMP ('tpm-doctor-evidence-' + (Get-Date -Format 'yyyyMMdd-HHmmss'))
    }
    New-Item -ItemType Directory -Path $OutDir -Force | Out-Null
    $utf8 = New-Object System.Text.UTF8Encoding($true)
    $results = [ordered]@{}
    $status = [ordered]@{}
    foreach ($name in @($TpmDoctorSources.Keys)) {
        $results[$name] = Invoke-TpmDoctorSource $name
        $status[$name] = [ordered]@{ Ok = $results[$name].Ok; Error = $results[$name].Error }
    }
    foreach ($name in @($TpmDoctorSources.Keys)) {
        $s = $TpmDoctorSources[$name]
        $r = $results[$name]
        if (-not $r.Ok) { continue }
        $data = $r.Data
        if ($name -eq 'meta') { $data | Add-Member -NotePropertyName 'Sources' -NotePropertyValue $status -Force }
        if ($s.Kind -eq 'text') { $text = [string]$data } else { $text = ConvertTo-Json -InputObject $data -Depth 8 }
        [IO.File]::WriteAllText((Join-Path $OutDir $s.File), $text, $utf8)
    }
    Write-Output ('tpm-doctor evidence written to ' + $OutDir)
    Write-Output ('Diagnose it with: tpm-doctor diagnose --evidence "' + $OutDir + '"')
    exit 0
}

# ---------------------------------------------------------------- default: compact detection output
function ConvertTo-TpmDoctorBit($Value) {
    if ($null -eq $Value) { return $null }
    if ($Value -is [bool]) { return [int]$Value }
    $s = ([string]$Value).Trim().ToLowerInvariant()
    if ($s -eq 'true' -or $s -eq 'yes' -or $s -eq '1') { return 1 }
    if ($s -eq 'false' -or $s -eq 'no' -or $s -eq '0') { return 0 }
    return $null
}

function Add-TpmDoctorValue($Dict, [string]$Key, $Value) {
    if ($null -eq $Value) { return }
    if ($Value -is [string]) {
        $Value = $Value.Trim()
        if ($Value -eq '') { return }
    }
    $Dict[$Key] = $Value
}

function Get-TpmDoctorTpmtoolKey([string]$Label, [int]$Depth) {
    $n = $Label.ToLowerInvariant() -creplace '[^a-z0-9]', ''
    if ($n -ne '' -and $TpmDoctorTpmtoolLabels.ContainsKey($n)) { return $TpmDoctorTpmtoolLabels[$n] }
    foreach ($k in $TpmDoctorTpmtoolKeywords) {
        if ($k.Depth -ne $Depth) { continue }
        $all = $true
        foreach ($w in $k.Words) { if (-not $Label.Contains($w)) { $all = $false; break } }
        if ($all) { return $k.Key }
    }
    return ''
}

function Get-TpmDoctorJson($Compact) {
    return ConvertTo-TpmDoctorAscii (ConvertTo-Json -InputObject $Compact -Depth 8 -Compress)
}

$r = @{}
# manage-bde is left out here: Get-BitLockerVolume gives the same protector IDs without printing
# recovery passwords.
foreach ($name in @('meta', 'get-tpm', 'win32-tpm', 'is-ready', 'ek-info', 'tpmtool', 'dsregcmd', 'bitlocker', 'enrollments', 'mdm-sync', 'events')) {
    $r[$name] = Invoke-TpmDoctorSource $name
}

$c = [ordered]@{ tpmdoctor = 'evidence/compact/v1' }
$meta = $r['meta'].Data
if ($r['meta'].Ok) {
    Add-TpmDoctorValue $c 'at' $meta.CollectedAt
    Add-TpmDoctorValue $c 'cn' $meta.ComputerName
    Add-TpmDoctorValue $c 'os' $meta.OsVersion
    Add-TpmDoctorValue $c 'el' (ConvertTo-TpmDoctorBit $meta.Elevated)
}
$c['exit'] = 0
$why = New-Object System.Collections.ArrayList
$c['why'] = $why

# The newest clear receipt's summary (the proof of a clear, once the restart finished its run), for
# the clear campaign that reads this output from Intune's export (docs/campaigns.md). Never cut.
$programData = if ($env:ProgramData) { $env:ProgramData } else { 'C:\ProgramData' }
try { $clr = Get-TpmDoctorClearReport (Join-Path $programData 'tpm-doctor\runs') } catch { $clr = $null }
if ($null -ne $clr) { $c['clr'] = $clr }

if ($r['get-tpm'].Ok -and $null -ne $r['get-tpm'].Data) {
    $g = $r['get-tpm'].Data
    $t = [ordered]@{}
    Add-TpmDoctorValue $t 'pr' (ConvertTo-TpmDoctorBit $g.TpmPresent)
    Add-TpmDoctorValue $t 'rd' (ConvertTo-TpmDoctorBit $g.TpmReady)
    Add-TpmDoctorValue $t 'en' (ConvertTo-TpmDoctorBit $g.TpmEnabled)
    Add-TpmDoctorValue $t 'ac' (ConvertTo-TpmDoctorBit $g.TpmActivated)
    Add-TpmDoctorValue $t 'ow' (ConvertTo-TpmDoctorBit $g.TpmOwned)
    Add-TpmDoctorValue $t 'rp' (ConvertTo-TpmDoctorBit $g.RestartPending)
    Add-TpmDoctorValue $t 'mi' $g.ManufacturerId
    Add-TpmDoctorValue $t 'mt' ([string]$g.ManufacturerIdTxt)
    Add-TpmDoctorValue $t 'mv' ([string]$g.ManufacturerVersion)
    Add-TpmDoctorValue $t 'm2' ([string]$g.ManufacturerVersionFull20)
    Add-TpmDoctorValue $t 'al' ([string]$g.ManagedAuthLevel)
    Add-TpmDoctorValue $t 'cd' (ConvertTo-TpmDoctorBit $g.OwnerClearDisabled)
    Add-TpmDoctorValue $t 'ap' ([string]$g.AutoProvisioning)
    Add-TpmDoctorValue $t 'lo' (ConvertTo-TpmDoctorBit $g.LockedOut)
    Add-TpmDoctorValue $t 'lh' ([string]$g.LockoutHealTime)
    Add-TpmDoctorValue $t 'lc' $g.LockoutCount
    Add-TpmDoctorValue $t 'lm' $g.LockoutMax
    Add-TpmDoctorValue $t 'oa' (ConvertTo-TpmDoctorBit $g.OwnerAuthPresent)
    $c['tpm'] = $t
    if ($t['pr'] -eq 0) { [void]$why.Add('TpmPresent=0') }
    elseif ($t['rd'] -eq 0) { [void]$why.Add('TpmReady=0') }
    if ($t['lo'] -eq 1) { [void]$why.Add('LockedOut=1') }
}

if ($r['win32-tpm'].Ok -and $null -ne $r['win32-tpm'].Data) {
    $w = $r['win32-tpm'].Data
    $t = [ordered]@{}
    Add-TpmDoctorValue $t 'sv' ([string]$w.SpecVersion)
    Add-TpmDoctorValue $t 'mi' $w.ManufacturerId
    Add-TpmDoctorValue $t 'mt' ([string]$w.ManufacturerIdTxt)
    Add-TpmDoctorValue $t 'mv' ([string]$w.ManufacturerVersion)
    Add-TpmDoctorValue $t 'vi' ([string]$w.ManufacturerVersionInfo)
    Add-TpmDoctorValue $t 'pp' ([string]$w.PhysicalPresenceVersionInfo)
    Add-TpmDoctorValue $t 'ac' (ConvertTo-TpmDoctorBit $w.IsActivated_InitialValue)
    Add-TpmDoctorValue $t 'en' (ConvertTo-TpmDoctorBit $w.IsEnabled_InitialValue)
    Add-TpmDoctorValue $t 'ow' (ConvertTo-TpmDoctorBit $w.IsOwned_InitialValue)
    $c['w32'] = $t
}

if ($r['is-ready'].Ok -and $null -ne $r['is-ready'].Data) {
    $i = $r['is-ready'].Data
    $info = [uint32]$i.Information
    $c['rdy'] = [ordered]@{ r = (ConvertTo-TpmDoctorBit $i.IsReady); i = $info }
    # Bits that need action (IS_READY_FLAGS in src/snapshot/is-ready-flags.ts):
    # 0x8 force clear, 0x20 disabled, 0x100 owner auth, 0x800 SRK mismatch, 0x1000 SRK unreadable,
    # 0x40000 EK certificate, 0x80000 TCG log, 0x200000 generic error.
    $bad = $info -band 0x2C1928
    if (($c['rdy'].r -eq 0) -or ($bad -ne 0)) { [void]$why.Add(('IsReady=0x{0:x}' -f $info)) }
}

if ($r['ek-info'].Ok -and $null -ne $r['ek-info'].Data) {
    $e = $r['ek-info'].Data
    $t = [ordered]@{}
    Add-TpmDoctorValue $t 'p' (ConvertTo-TpmDoctorBit $e.IsPresent)
    $t['mc'] = @($e.ManufacturerCertificates | Where-Object { $_ }).Count
    $t['ac'] = @($e.AdditionalCertificates | Where-Object { $_ }).Count
    Add-TpmDoctorValue $t 'h' ([string]$e.PublicKeyHash)
    $c['ek'] = $t
}

if ($r['tpmtool'].Ok -and $null -ne $r['tpmtool'].Data) {
    $rows = New-Object System.Collections.ArrayList
    $top = 0
    foreach ($line in ([string]$r['tpmtool'].Data -split "\r?\n")) {
        $m = [regex]::Match($line.TrimEnd(), '^([ \t]*)-([^:\uFF1A]*?)\s*[:\uFF1A][ \t]*(.*)$')
        if (-not $m.Success) { continue }
        $depth = 0
        if ($m.Groups[1].Value.Length -gt 0 -and $top -gt 0) { $depth = 1 } else { $top++ }
        $key = Get-TpmDoctorTpmtoolKey $m.Groups[2].Value.Trim() $depth
        $row = New-Object System.Collections.ArrayList
        [void]$row.Add($key)
        [void]$row.Add($m.Groups[3].Value.Trim())
        if ($depth -eq 1) { [void]$row.Add(1) }
        [void]$rows.Add($row)
        $v = ConvertTo-TpmDoctorBit $m.Groups[3].Value
        if ($key -eq 'cn' -and $v -eq 1) { [void]$why.Add('ClearNeededToRecover=1') }
        if ($key -eq 'vf' -and $v -eq 1) { [void]$why.Add('VulnerableFirmware=1') }
        if ($key -eq 'lk' -and $v -eq 1 -and -not $why.Contains('LockedOut=1')) { [void]$why.Add('LockedOut=1') }
    }
    $c['tt'] = $rows
}

if ($r['dsregcmd'].Ok -and $null -ne $r['dsregcmd'].Data) {
    $text = [string]$r['dsregcmd'].Data
    $lines = $text -split "\r?\n"
    $ds = [ordered]@{}
    foreach ($k in $TpmDoctorDsregKeys) {
        foreach ($line in $lines) {
            $m = [regex]::Match($line, '^\s*' + [regex]::Escape($k) + '\s*:\s?(.*)$')
            if ($m.Success) { Add-TpmDoctorValue $ds $k $m.Groups[1].Value; break }
        }
    }
    $c['ds'] = $ds
    $codes = New-Object System.Collections.ArrayList
    foreach ($m in [regex]::Matches($text, '0x[8cC][0-9a-fA-F]{7}(?![0-9a-fA-F])')) {
        $code = $m.Value.ToLowerInvariant()
        if (-not $codes.Contains($code)) { [void]$codes.Add($code) }
    }
    if ($codes.Count -gt 0) { $c['de'] = $codes }
    # Unelevated dsregcmd prints "MUST Run elevated to test.": that says nothing about the keys.
    if ($ds.Contains('KeySignTest') -and $ds['KeySignTest'] -notmatch '^\W*PASSED' -and $ds['KeySignTest'] -notmatch 'elevat|not run|skipped') {
        [void]$why.Add('KeySignTest=' + $ds['KeySignTest'])
    }
    if ($ds['AadRecoveryEnabled'] -eq 'YES') { [void]$why.Add('AadRecoveryEnabled=YES') }
    if ($ds['AzureAdJoined'] -eq 'YES' -and $ds['TpmProtected'] -eq 'NO') { [void]$why.Add('TpmProtected=NO') }
    # Entra join/registration errors caused by the TPM (docs/findings.md, entra.device-key-unusable and
    # entra.device-key-not-in-tpm; https://learn.microsoft.com/entra/identity/devices/troubleshoot-hybrid-join-windows-current).
    foreach ($code in @('0x80090016', '0x80290407', '0x80280036', '0x80090031', '0x80090030')) {
        if ($codes.Contains($code)) { [void]$why.Add('dsregcmd=' + $code) }
    }
}

if ($r['bitlocker'].Ok) {
    $bl = New-Object System.Collections.ArrayList
    foreach ($v in @($r['bitlocker'].Data)) {
        if ($null -eq $v) { continue }
        $b = [ordered]@{}
        Add-TpmDoctorValue $b 'm' ([string]$v.MountPoint)
        Add-TpmDoctorValue $b 't' ([string]$v.VolumeType)
        Add-TpmDoctorValue $b 's' ([string]$v.VolumeStatus)
        Add-TpmDoctorValue $b 'p' ([string]$v.ProtectionStatus)
        Add-TpmDoctorValue $b 'sc' $v.SuspendCount
        $ks = New-Object System.Collections.ArrayList
        foreach ($k in @($v.KeyProtector)) {
            if ($null -eq $k) { continue }
            $pair = New-Object System.Collections.ArrayList
            [void]$pair.Add([string]$k.KeyProtectorType)
            [void]$pair.Add(([string]$k.KeyProtectorId).Trim('{', '}'))
            [void]$ks.Add($pair)
        }
        $b['k'] = $ks
        [void]$bl.Add($b)
    }
    $c['bl'] = $bl
}

if ($r['enrollments'].Ok) {
    $mdm = New-Object System.Collections.ArrayList
    foreach ($x in @($r['enrollments'].Data)) {
        if ($null -eq $x) { continue }
        $d = [ordered]@{}
        Add-TpmDoctorValue $d 'id' (([string]$x.EnrollmentId).Trim('{', '}'))
        Add-TpmDoctorValue $d 'pv' ([string]$x.ProviderID)
        Add-TpmDoctorValue $d 'u' ([string]$x.UPN)
        Add-TpmDoctorValue $d 'st' $x.EnrollmentState
        Add-TpmDoctorValue $d 'ty' $x.EnrollmentType
        [void]$mdm.Add($d)
    }
    $c['mdm'] = $mdm
}

if ($r['mdm-sync'].Ok) {
    $ok = @($r['mdm-sync'].Data | ForEach-Object { [string]$_.ServerLastSuccessTime } | Where-Object { $_ } | Sort-Object) | Select-Object -Last 1
    $at = @($r['mdm-sync'].Data | ForEach-Object { [string]$_.ServerLastAccessTime } | Where-Object { $_ } | Sort-Object) | Select-Object -Last 1
    $sy = [ordered]@{}
    Add-TpmDoctorValue $sy 'ok' $ok
    Add-TpmDoctorValue $sy 'at' $at
    if ($sy.Count -gt 0) { $c['sy'] = $sy }
}

if ($r['events'].Ok) {
    $logs = @{
        'System' = 'S'
        'Microsoft-Windows-User Device Registration/Admin' = 'U'
        'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin' = 'D'
        'Microsoft-Windows-ModernDeployment-Diagnostics-Provider/Autopilot' = 'A'
    }
    $all = @($r['events'].Data | Where-Object { $null -ne $_ } | Sort-Object -Property TimeCreated -Descending)
    foreach ($x in $all) {
        $p = [string]$x.ProviderName
        # TPM driver errors 14/15 (non-recoverable), TPM-WMI 1026 (cannot provision), Autopilot TPM attestation codes.
        if ($p -eq 'TPM' -and (@(14, 15) -contains [int]$x.Id)) { [void]$why.Add('event=TPM/' + $x.Id) }
        if ($p -eq 'Microsoft-Windows-TPM-WMI' -and [int]$x.Id -eq 1026) { [void]$why.Add('event=TPM-WMI/1026') }
        foreach ($m in [regex]::Matches([string]$x.Message, '0x8103900[0-9a-fA-F]|0x8103902[34]')) {
            [void]$why.Add('autopilot=' + $m.Value.ToLowerInvariant())
        }
    }
    $ev = New-Object System.Collections.ArrayList
    foreach ($x in ($all | Select-Object -First 10)) {
        $e = [ordered]@{}
        $log = [string]$x.LogName
        if ($logs.ContainsKey($log)) { $e['g'] = $logs[$log] } else { $e['g'] = $log }
        $p = [string]$x.ProviderName
        if ($p.StartsWith('Microsoft-Windows-')) { $p = '~' + $p.Substring(18) }
        $e['p'] = $p
        $e['i'] = [int]$x.Id
        Add-TpmDoctorValue $e 'v' $x.Level
        $time = [string]$x.TimeCreated
        if ($time.Length -ge 19) { $time = $time.Substring(0, 19) + 'Z' }
        Add-TpmDoctorValue $e 't' $time
        $msg = ([string]$x.Message) -replace '\s+', ' '
        if ($msg.Length -gt 120) { $msg = $msg.Substring(0, 120) }
        Add-TpmDoctorValue $e 'm' $msg
        [void]$ev.Add($e)
    }
    $c['ev'] = $ev
}

$err = [ordered]@{}
foreach ($name in @($r.Keys | Sort-Object)) {
    if (-not $r[$name].Ok) {
        $msg = ([string]$r[$name].Error) -replace '\s+', ' '
        if ($msg.Length -gt 80) { $msg = $msg.Substring(0, 80) }
        $err[$name] = $msg
    }
}
if ($err.Count -gt 0) { $c['err'] = $err }

# Duplicates out, in the order found; the verdict.
$unique = New-Object System.Collections.ArrayList
foreach ($x in $why) { if (-not $unique.Contains($x)) { [void]$unique.Add($x) } }
$c['why'] = $unique
if ($unique.Count -gt 0) { $c['exit'] = 1 }

# Fit Intune's limit: drop the least useful facts first, and say what was dropped.
$cut = New-Object System.Collections.ArrayList
$steps = [ordered]@{
    'ev.m'  = { foreach ($e in @($c['ev'])) { if ($null -ne $e) { $e.Remove('m') } } }
    'err.m' = { if ($c.Contains('err')) { foreach ($k in @($c['err'].Keys)) { $c['err'][$k] = '' } } }
    'ek.h'  = { if ($c.Contains('ek')) { $c['ek'].Remove('h') } }
    'mdm.u' = { foreach ($d in @($c['mdm'])) { if ($null -ne $d) { $d.Remove('u') } } }
    'ev5'   = { if ($c.Contains('ev') -and $c['ev'].Count -gt 5) { $c['ev'].RemoveRange(5, $c['ev'].Count - 5) } }
    'detail' = {
        if ($c.Contains('tpm')) { foreach ($k in @('m2', 'lh', 'al', 'ap')) { $c['tpm'].Remove($k) } }
        if ($c.Contains('w32')) { foreach ($k in @('mi', 'mt', 'mv', 'vi', 'pp', 'ac', 'en', 'ow')) { $c['w32'].Remove($k) } }
        foreach ($row in @($c['tt'])) { if ($null -ne $row -and (@('mn', 'ed', 'pc', 'pp', 'p7') -contains $row[0])) { $row[1] = '' } }
    }
    'ev'    = { $c.Remove('ev') }
    'mdm'   = { $c.Remove('mdm'); $c.Remove('sy') }
}
$json = Get-TpmDoctorJson $c
foreach ($step in @($steps.Keys)) {
    if ($json.Length -le $TpmDoctorLimit) { break }
    & $steps[$step]
    [void]$cut.Add($step)
    $c['cut'] = $cut
    $json = Get-TpmDoctorJson $c
}
if ($json.Length -gt $TpmDoctorLimit) {
    $min = [ordered]@{ tpmdoctor = 'evidence/compact/v1'; at = $c['at']; cn = $c['cn']; exit = $c['exit']; why = $c['why']; cut = @('all') }
    if ($c.Contains('clr')) { $min['clr'] = $c['clr'] }
    $json = Get-TpmDoctorJson $min
    if ($json.Length -gt $TpmDoctorLimit) {
        $least = [ordered]@{ tpmdoctor = 'evidence/compact/v1'; exit = $c['exit']; cut = @('all') }
        if ($c.Contains('clr')) { $least['clr'] = $c['clr'] }
        $json = Get-TpmDoctorJson $least
    }
}

Write-Output $json
exit $c['exit']
