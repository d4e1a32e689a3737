/**
 * PowerShell text, written as is: backslashes stay literal. PowerShell's own escape character, the
 * backtick, cannot appear in it.
 */
const ps = String.raw;

/** Helpers every command may use: the real System32 from a 32-bit host, and ASCII-only JSON. */
export const POWERSHELL_PRELUDE = ps`function Get-TpmDoctorSystemDir {
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
}`;
