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
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ClearReceipt } from '../../remedy/clear/clear-receipt.js';
import { CLEAR_REPORT_MARKER, type ClearReport } from './clear-report.js';

/** The messages of a report made from a receipt (ASCII: the script carries them verbatim). */
const MESSAGES = {
  cleared:
    'TPM cleared and proven by the run receipt on the device (SRK Name changed, owner objects gone, EK unchanged).',
  failed:
    'The clear run ended without a proven clear: its receipt on the device says the proof did not hold.',
} as const;

/** How many of the newest receipt files (by modification time) the script reads: a bounded cost. */
const RECEIPTS_READ = 20;

const RECEIPT_SUFFIX = '.receipt.json';

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

/**
 * The receipt with the latest `finishedAt` among the newest RECEIPTS_READ receipt files of a runs
 * folder; null when there is none (no folder, no receipt, none readable).
 */
export function latestReceipt(runsDir: string): ClearReceipt | null {
  if (!existsSync(runsDir)) return null;
  const files = readdirSync(runsDir, { withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith(RECEIPT_SUFFIX))
    .map((f) => path.join(runsDir, f.name));
  const newest = files
    .map((file) => ({ file, mtime: safeMtime(file) }))
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, RECEIPTS_READ);
  let latest: ClearReceipt | null = null;
  for (const { file } of newest) {
    let receipt: ClearReceipt;
    try {
      receipt = JSON.parse(readFileSync(file, 'utf8')) as ClearReceipt;
    } catch {
      continue;
    }
    if (typeof receipt?.runId !== 'string' || typeof receipt.finishedAt !== 'string') continue;
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

/**
 * The PowerShell of `latestReceipt` and `clearReportFromReceipt`: `Get-TpmDoctorClearReport DIR`
 * returns the report as an ordered dictionary (the key order of formatClearReport), or $null.
 * Windows PowerShell 5.1's ConvertFrom-Json keeps ISO 8601 strings as strings (PowerShell 7's
 * turns them into dates), and the script always runs in powershell.exe 5.1.
 */
export function renderPowerShellReceiptReport(): string {
  return [
    `${RECEIPT_BEGIN}: generated from src/fleet/campaign/receipt-report.ts (renderPowerShellReceiptReport); edit it there.`,
    'function Get-TpmDoctorClearReport([string]$Dir) {',
    '  # The newest receipt of a tpm-doctor clear run: its proof, SRK Names and time; never the approver, the ticket or the EK.',
    '  if (-not (Test-Path -LiteralPath $Dir -PathType Container)) { return $null }',
    '  $latest = $null',
    `  $files = @(Get-ChildItem -LiteralPath $Dir -Filter ${quoted(`*${RECEIPT_SUFFIX}`)} -File -ErrorAction SilentlyContinue | Sort-Object -Property LastWriteTimeUtc -Descending | Select-Object -First ${RECEIPTS_READ})`,
    '  foreach ($f in $files) {',
    '    try { $r = Get-Content -LiteralPath $f.FullName -Raw | ConvertFrom-Json } catch { continue }',
    '    if (-not ($r.runId -is [string]) -or -not ($r.finishedAt -is [string])) { continue }',
    '    if ($null -eq $latest -or [string]::CompareOrdinal($r.finishedAt, $latest.finishedAt) -gt 0) { $latest = $r }',
    '  }',
    '  if ($null -eq $latest) { return $null }',
    '  $proven = ($null -ne $latest.proof -and $latest.proof.proven -eq $true)',
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
