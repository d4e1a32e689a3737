# tpm-doctor: Intune Win32 app install script (docs/deploy-windows.md). Runs as SYSTEM.
# Puts tpm-doctor.exe in %ProgramFiles%\tpm-doctor, a folder only SYSTEM and Administrators can
# change (Users may read and run): the remediation scripts and the resume task run it as SYSTEM,
# so whoever could replace it would get SYSTEM. ASCII only: Windows PowerShell 5.1 reads a file
# without a byte order mark in the ANSI code page.
# Also makes %ProgramData%\tpm-doctor (journals and clear receipts, which SYSTEM reads) with SYSTEM
# and Administrators only, so that no user can make it first (docs/security.md).
# Exit codes: 0 installed; 1 failed (the message says why).
$ErrorActionPreference = 'Stop'
try {
  # The 64-bit Program Files even when Intune starts a 32-bit PowerShell.
  $programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
  $target = Join-Path $programFiles 'tpm-doctor'
  $source = Join-Path $PSScriptRoot 'tpm-doctor.exe'
  $icacls = Join-Path $env:SystemRoot 'System32\icacls.exe'
  if (-not (Test-Path -LiteralPath $source -PathType Leaf)) { throw "tpm-doctor.exe is missing from the package ($source)" }
  if (-not (Test-Path -LiteralPath $target -PathType Container)) {
    New-Item -ItemType Directory -Path $target | Out-Null
  }
  # Owner Administrators; no inherited entries; SYSTEM and Administrators full control, Users read
  # and execute. Well-known SIDs, so the names of any language work.
  & $icacls $target /setowner '*S-1-5-32-544' /T /C /Q | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "icacls /setowner failed with exit code $LASTEXITCODE" }
  & $icacls $target /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' '*S-1-5-32-545:(OI)(CI)RX' /Q | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "icacls /grant failed with exit code $LASTEXITCODE" }
  Copy-Item -LiteralPath $source -Destination (Join-Path $target 'tpm-doctor.exe') -Force
  # Files inherit the folder's entries; reset any entry an older install left on the file.
  & $icacls (Join-Path $target 'tpm-doctor.exe') /reset /Q | Out-Null
  if ($LASTEXITCODE -ne 0) { throw "icacls /reset failed with exit code $LASTEXITCODE" }
  # The machine state folder (src/remedy/machine-state-dir.ts): %ProgramData% lets every user make
  # a folder, and SYSTEM reads the journals and receipts in this one. Made with its security
  # descriptor in the same call (owner Administrators, SYSTEM and Administrators full control, no
  # inheritance: MACHINE_FOLDER_SDDL in src/fs/windows-acl.ts). An existing folder is left as it
  # is: re-securing it would make what a user put in it look like tpm-doctor's; tpm-doctor and the
  # evidence script check it before every use and refuse it when someone else owns or can write it.
  $programData = if ($env:ProgramData) { $env:ProgramData } else { 'C:\ProgramData' }
  $state = Join-Path $programData 'tpm-doctor'
  if (-not (Test-Path -LiteralPath $state)) {
    $security = New-Object System.Security.AccessControl.DirectorySecurity
    $security.SetSecurityDescriptorSddlForm('O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)')
    [void][System.IO.Directory]::CreateDirectory($state, $security)
  }
  # CreateDirectory does nothing to a folder that exists, e.g. one a user made a moment before.
  $stateOwner = (Get-Acl -LiteralPath $state).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
  if (@('S-1-5-18', 'S-1-5-32-544') -notcontains $stateOwner) {
    Write-Output "warning: $state is owned by $stateOwner, not SYSTEM or Administrators: tpm-doctor refuses to use it until an administrator removes it"
  }
  $version = & (Join-Path $target 'tpm-doctor.exe') --version
  if ($LASTEXITCODE -ne 0) { throw "tpm-doctor.exe --version failed with exit code $LASTEXITCODE" }
  Write-Output "installed $version in $target"
  exit 0
} catch {
  Write-Output "tpm-doctor install failed: $($_.Exception.Message)"
  exit 1
}
