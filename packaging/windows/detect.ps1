# tpm-doctor: Intune Win32 app detection script (docs/deploy-windows.md). Intune reads the app as
# installed when this exits 0 AND writes something to standard output; anything else is "not
# installed". Installed means: %ProgramFiles%\tpm-doctor\tpm-doctor.exe runs and prints the version
# this package carries. ASCII only (Windows PowerShell 5.1).
$expected = 'tpm-doctor __VERSION__'
$programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }
$exe = Join-Path $programFiles 'tpm-doctor\tpm-doctor.exe'
if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { exit 1 }
try { $version = & $exe --version } catch { exit 1 }
if ($LASTEXITCODE -eq 0 -and "$version".Trim() -eq $expected) {
  Write-Output "$expected detected at $exe"
  exit 0
}
exit 1
