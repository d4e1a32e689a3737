# tpm-doctor: Intune Win32 app uninstall script (docs/deploy-windows.md). Runs as SYSTEM.
# Removes %ProgramFiles%\tpm-doctor. Run journals in %ProgramData%\tpm-doctor are kept: they are
# the record of what was done to the TPM. ASCII only (Windows PowerShell 5.1).
# Exit codes: 0 removed or not there; 1 failed.
$ErrorActionPreference = 'Stop'
try {
  $programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
  $target = Join-Path $programFiles 'tpm-doctor'
  if (Test-Path -LiteralPath $target) { Remove-Item -LiteralPath $target -Recurse -Force }
  Write-Output "removed $target"
  exit 0
} catch {
  Write-Output "tpm-doctor uninstall failed: $($_.Exception.Message)"
  exit 1
}
