# tpm-doctor: Intune Win32 app install script (docs/deploy-windows.md). Runs as SYSTEM.
# Puts tpm-doctor.exe in %ProgramFiles%\tpm-doctor, a folder only SYSTEM and Administrators can
# change (Users may read and run): the remediation scripts and the resume task run it as SYSTEM,
# so whoever could replace it would get SYSTEM. ASCII only: Windows PowerShell 5.1 reads a file
# without a byte order mark in the ANSI code page.
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
  $version = & (Join-Path $target 'tpm-doctor.exe') --version
  if ($LASTEXITCODE -ne 0) { throw "tpm-doctor.exe --version failed with exit code $LASTEXITCODE" }
  Write-Output "installed $version in $target"
  exit 0
} catch {
  Write-Output "tpm-doctor install failed: $($_.Exception.Message)"
  exit 1
}
