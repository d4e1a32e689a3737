/**
 * The device's latest clear receipt as a clear report in its detection output, so that a real
 * tenant's DeviceRunStatesByProactiveRemediation export carries the proof after the restart
 * (docs/campaigns.md). Graph returns no output of a remediation script, only of the detection
 * script, and a PPI clear is proven only after the restart (its receipt is written by the resume
 * at boot): the evidence script (scripts/collect-evidence.ps1, the package's detection) prints the
 * summary of the newest receipt in %ProgramData%\tpm-doctor\runs under the key `clr` of its one
 * line of compact evidence.
 *
 * One definition, two renderings: `clearReportFromReceipt` and `latestReceipt` in TypeScript (the
 * lab's devices, src/lab/tenant/evidence.ts), and `renderPowerShellReceiptReport` the same
 * selection and the same fields in PowerShell, embedded in the script between RECEIPT_BEGIN and
 * RECEIPT_END (test/windows/collect-script.test.ts fails when they differ).
 *
 * Only public facts travel: the run ID, the SRK Names before and after (a Name is a hash of the
 * key's public area, TCG TPM 2.0 Part 1 §16), whether the proof held, and when the run ended;
 * never the approver, the ticket, the EK or the journal hash, which stay in the receipt.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { TRUSTED_OWNERS, TRUSTED_WRITERS, WRITE_RIGHTS } from '../../fs/windows-acl.js';
import type { ClearReceipt } from '../../remedy/clear/clear-receipt.js';
import { RUN_ID } from '../../remedy/run-id.js';
import { CLEAR_REPORT_MARKER, type ClearReport, ISO_UTC_TIME, SRK_NAME_HEX } from './clear-report.js';

/** The messages of a report made from a receipt (ASCII: the script carries them verbatim). */
const MESSAGES = {
  cleared:
    'TPM cleared and proven by the run receipt on the device (SRK Name changed, owner objects gone, EK unchanged).',
  failed:
    'The clear run ended without a proven clear: its receipt on the device says the proof did not hold.',
} as const;

/** How many of the newest receipt files (by modification time) the script reads: a bounded cost. */
const RECEIPTS_READ = 20;

/** The largest receipt file read: a real one is about 2 KB; a larger file is not read at all. */
const MAX_RECEIPT_BYTES = 64 * 1024;

/**
 * How far a receipt's finishedAt may lie after the device's clock now: Windows' default tolerance
 * for clock differences ("Maximum tolerance for computer clock synchronization", 5 minutes,
 * https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/security-policy-settings/maximum-tolerance-for-computer-clock-synchronization).
 * A receipt "from the future" would outrank every real one.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const RECEIPT_SUFFIX = '.receipt.json';

/**
 * Why the receipts are not believed, as the short key the script prints instead of the report:
 * folder-link/-owner/-writer/-acl (the folder is a link, owned or writable by someone other than
 * SYSTEM and Administrators, or its ACL could not be read; Windows only), receipt-link,
 * receipt-size, receipt-format (a run ID, SRK Name or time not in its format), receipt-future.
 */
export class UntrustedReceiptsError extends Error {
  constructor(readonly key: string) {
    super(`the clear receipts are not trusted (${key})`);
  }
}

/** The clear report of a receipt: cleared when its proof held, else failed (not-proven). */
export function clearReportFromReceipt(
  receipt: Pick<ClearReceipt, 'runId' | 'before' | 'after' | 'proof' | 'finishedAt'>,
): Omit<ClearReport, 'tpmdoctor'> {
  const proven = receipt.proof?.proven === true;
  return {
    result: proven ? 'cleared' : 'failed',
    runId: receipt.runId,
    reason: proven ? null : 'not-proven',
    message: proven ? MESSAGES.cleared : MESSAGES.failed,
    blocking: [],
    srkNameBefore: typeof receipt.before?.srkName === 'string' ? receipt.before.srkName : null,
    srkNameAfter: typeof receipt.after?.srkName === 'string' ? receipt.after.srkName : null,
    proven,
    finishedAt: receipt.finishedAt,
  };
}

/** A receipt's SRK Name: absent, null, or hex of bounded length (a string of anything else is not one). */
function srkNameOk(side: unknown): boolean {
  if (side === undefined || side === null) return true;
  const name = (side as { srkName?: unknown }).srkName;
  return name === undefined || name === null || (typeof name === 'string' && SRK_NAME_HEX.test(name));
}

/** The key of what is wrong with a parsed receipt's fields, or null when they are in their formats. */
function receiptFormatProblem(receipt: Partial<ClearReceipt>, nowMs: number): string | null {
  const { runId, finishedAt } = receipt;
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) return 'receipt-format';
  if (
    typeof finishedAt !== 'string' ||
    !ISO_UTC_TIME.test(finishedAt) ||
    Number.isNaN(Date.parse(finishedAt))
  )
    return 'receipt-format';
  if (!srkNameOk(receipt.before) || !srkNameOk(receipt.after)) return 'receipt-format';
  if (Date.parse(finishedAt) > nowMs + CLOCK_SKEW_MS) return 'receipt-future';
  return null;
}

/**
 * The receipt with the latest `finishedAt` among the newest RECEIPTS_READ receipt files of a runs
 * folder; null when there is none (no folder, no receipt, none readable: a file cut off mid-write
 * is skipped). Throws UntrustedReceiptsError when one of them is a link, too large, or not in the
 * receipt's formats: then no receipt is believed. (The folder's owner and writers are checked by
 * the PowerShell twin on Windows; here, in the lab, the folder is the lab's own.)
 */
export function latestReceipt(runsDir: string, nowMs = Date.now()): ClearReceipt | null {
  if (!existsSync(runsDir)) return null;
  const entries = readdirSync(runsDir, { withFileTypes: true }).filter((f) =>
    f.name.endsWith(RECEIPT_SUFFIX),
  );
  if (entries.some((f) => f.isSymbolicLink())) throw new UntrustedReceiptsError('receipt-link');
  const files = entries.filter((f) => f.isFile()).map((f) => path.join(runsDir, f.name));
  const newest = files
    .map((file) => ({ file, mtime: safeMtime(file) }))
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, RECEIPTS_READ);
  let latest: ClearReceipt | null = null;
  for (const { file } of newest) {
    if (lstatSync(file).size > MAX_RECEIPT_BYTES) throw new UntrustedReceiptsError('receipt-size');
    let receipt: ClearReceipt;
    try {
      receipt = JSON.parse(readFileSync(file, 'utf8')) as ClearReceipt;
    } catch {
      continue;
    }
    const problem = receiptFormatProblem(receipt ?? {}, nowMs);
    if (problem !== null) throw new UntrustedReceiptsError(problem);
    if (latest === null || receipt.finishedAt > latest.finishedAt) latest = receipt;
  }
  return latest;
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export const RECEIPT_BEGIN = '# >>> tpm-doctor clear receipt';
export const RECEIPT_END = '# <<< tpm-doctor clear receipt';

/** A single-quoted PowerShell string of ASCII text ('' for an apostrophe, about_Quoting_Rules). */
function quoted(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`not ASCII: ${JSON.stringify(text)}`);
  return `'${text.replace(/'/g, "''")}'`;
}

/** A JavaScript pattern (^...$, no flags) as a .NET one: \A and \z, since .NET's $ also matches before a final newline. */
function dotNetPattern(pattern: RegExp): string {
  if (pattern.flags !== '' || !pattern.source.startsWith('^') || !pattern.source.endsWith('$'))
    throw new Error(`not an anchored pattern without flags: ${pattern}`);
  return `\\A${pattern.source.slice(1, -1)}\\z`;
}

/** A PowerShell array of single-quoted strings. */
function list(items: Iterable<string>): string {
  return `@(${[...items].map(quoted).join(', ')})`;
}

/**
 * The PowerShell of `latestReceipt` and `clearReportFromReceipt`: `Get-TpmDoctorClearReport DIR`
 * returns the report as an ordered dictionary (the key order of formatClearReport), or $null, or
 * `{tpmdoctor, untrusted: KEY}` when the receipts must not be believed (UntrustedReceiptsError).
 * The script runs as SYSTEM, and %ProgramData% lets every user make a folder in it: so before it
 * reads a receipt it applies machineFolderAclProblems' rule (src/fs/windows-acl.ts) to
 * %ProgramData%\tpm-doctor (owner SYSTEM or Administrators, no other writer, not a link) and to its
 * runs folder (no other writer, not a link; whoever could make it could already write the parent),
 * reading SIDs, not the localised names. Files are checked before they are read (not a link, at
 * most MAX_RECEIPT_BYTES) and after (the formats); `proven` must be the JSON value true.
 * Windows PowerShell 5.1's ConvertFrom-Json keeps ISO 8601 strings as strings (PowerShell 7's
 * turns them into dates), and the script always runs in powershell.exe 5.1.
 */
export function renderPowerShellReceiptReport(): string {
  const untrusted = (key: string) =>
    `return [ordered]@{ tpmdoctor = ${quoted(CLEAR_REPORT_MARKER)}; untrusted = ${key.startsWith('$') ? key : quoted(key)} }`;
  return [
    `${RECEIPT_BEGIN}: generated from src/fleet/campaign/receipt-report.ts (renderPowerShellReceiptReport); edit it there.`,
    'function Get-TpmDoctorFolderDistrust([string]$Path, [bool]$CheckOwner) {',
    '  # Why SYSTEM must not believe what is in the folder (the rule of src/fs/windows-acl.ts), or $null.',
    '  try {',
    '    $item = Get-Item -LiteralPath $Path -Force',
    "    if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) { return 'folder-link' }",
    '    $acl = Get-Acl -LiteralPath $Path',
    '    $sid = [System.Security.Principal.SecurityIdentifier]',
    '    if ($CheckOwner) {',
    '      $owner = $acl.GetOwner($sid)',
    `      if ($null -eq $owner -or ${list(TRUSTED_OWNERS)} -notcontains $owner.Value) { return 'folder-owner' }`,
    '    }',
    '    foreach ($rule in @($acl.GetAccessRules($true, $true, $sid))) {',
    '      if ($rule.AccessControlType -ne [System.Security.AccessControl.AccessControlType]::Allow) { continue }',
    `      if ((([int64][int]$rule.FileSystemRights) -band ${WRITE_RIGHTS}) -eq 0) { continue }`,
    `      if (${list(TRUSTED_WRITERS)} -notcontains $rule.IdentityReference.Value) { return 'folder-writer' }`,
    '    }',
    "  } catch { return 'folder-acl' }",
    '  return $null',
    '}',
    'function Get-TpmDoctorClearReport([string]$Dir) {',
    '  # The newest receipt of a tpm-doctor clear run: its proof, SRK Names and time; never the approver, the ticket or the EK.',
    '  $parent = Split-Path -Parent $Dir',
    '  if (-not (Test-Path -LiteralPath $parent -PathType Container)) { return $null }',
    '  $why = Get-TpmDoctorFolderDistrust $parent $true',
    `  if ($null -ne $why) { ${untrusted('$why')} }`,
    '  if (-not (Test-Path -LiteralPath $Dir -PathType Container)) { return $null }',
    '  $why = Get-TpmDoctorFolderDistrust $Dir $false',
    `  if ($null -ne $why) { ${untrusted('$why')} }`,
    `  $notAfter = [DateTime]::UtcNow.AddMilliseconds(${CLOCK_SKEW_MS}).ToString("yyyy-MM-dd'T'HH:mm:ss", [System.Globalization.CultureInfo]::InvariantCulture)`,
    '  $latest = $null',
    `  $files = @(Get-ChildItem -LiteralPath $Dir -Filter ${quoted(`*${RECEIPT_SUFFIX}`)} -Force -ErrorAction SilentlyContinue | Sort-Object -Property LastWriteTimeUtc -Descending)`,
    '  foreach ($f in $files) {',
    `    if ($f.Attributes -band [System.IO.FileAttributes]::ReparsePoint) { ${untrusted('receipt-link')} }`,
    '  }',
    `  $files = @($files | Where-Object { -not $_.PSIsContainer } | Select-Object -First ${RECEIPTS_READ})`,
    '  foreach ($f in $files) {',
    `    if ($f.Length -gt ${MAX_RECEIPT_BYTES}) { ${untrusted('receipt-size')} }`,
    '    $r = $null',
    '    try { $r = Get-Content -LiteralPath $f.FullName -Raw | ConvertFrom-Json } catch { continue }',
    '    if ($null -eq $r) { continue }',
    `    if (-not ($r.runId -is [string]) -or -not ($r.runId -cmatch ${quoted(dotNetPattern(RUN_ID))})) { ${untrusted('receipt-format')} }`,
    `    if (-not ($r.finishedAt -is [string]) -or -not ($r.finishedAt -cmatch ${quoted(dotNetPattern(ISO_UTC_TIME))})) { ${untrusted('receipt-format')} }`,
    '    foreach ($side in @($r.before, $r.after)) {',
    `      if ($null -ne $side -and $null -ne $side.srkName -and (-not ($side.srkName -is [string]) -or -not ($side.srkName -cmatch ${quoted(dotNetPattern(SRK_NAME_HEX))}))) { ${untrusted('receipt-format')} }`,
    '    }',
    `    if ([string]::CompareOrdinal($r.finishedAt.Substring(0, 19), $notAfter) -gt 0) { ${untrusted('receipt-future')} }`,
    '    if ($null -eq $latest -or [string]::CompareOrdinal($r.finishedAt, $latest.finishedAt) -gt 0) { $latest = $r }',
    '  }',
    '  if ($null -eq $latest) { return $null }',
    '  # The JSON value true only: -eq $true would also take "true", 1 or [1].',
    '  $proven = ($null -ne $latest.proof -and $latest.proof.proven -is [bool] -and $latest.proof.proven)',
    `  $o = [ordered]@{ tpmdoctor = ${quoted(CLEAR_REPORT_MARKER)} }`,
    "  if ($proven) { $o['result'] = 'cleared' } else { $o['result'] = 'failed' }",
    "  $o['runId'] = $latest.runId",
    "  if ($proven) { $o['reason'] = $null } else { $o['reason'] = 'not-proven' }",
    `  if ($proven) { $o['message'] = ${quoted(MESSAGES.cleared)} } else { $o['message'] = ${quoted(MESSAGES.failed)} }`,
    "  $o['blocking'] = @()",
    "  $o['srkNameBefore'] = $null",
    "  if ($null -ne $latest.before -and $latest.before.srkName -is [string]) { $o['srkNameBefore'] = $latest.before.srkName }",
    "  $o['srkNameAfter'] = $null",
    "  if ($null -ne $latest.after -and $latest.after.srkName -is [string]) { $o['srkNameAfter'] = $latest.after.srkName }",
    "  $o['proven'] = $proven",
    "  $o['finishedAt'] = $latest.finishedAt",
    '  return $o',
    '}',
    RECEIPT_END,
  ].join('\n');
}
