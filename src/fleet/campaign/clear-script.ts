import type { DeviceHealthScript } from '../graph/graph-types.js';
import type { IntuneApi } from '../graph/intune-api.js';
import { CampaignError } from './campaign-error.js';

/**
 * The approval a clear campaign carries to every device: the preflight gate of an MDM-managed
 * device refuses a clear without both who approved it and the ticket, and journals them
 * (docs/campaigns.md, docs/clear.md).
 */
export interface ClearApproval {
  approvedBy: string;
  ticket: string;
}

/** Script packages of clear campaigns are named this, then the ticket: one package per approval. */
const CLEAR_SCRIPT_NAME_PREFIX = 'tpm-doctor clear';

/**
 * Names and tickets go into a PowerShell command line on every device, in single quotes: only
 * characters that are literal there, so nothing in them can ever be read as code. An apostrophe
 * (O'Neil) is doubled, PowerShell's escape inside single quotes (about_Quoting_Rules); the
 * typographic quotes PowerShell also takes as quotes are not letters, so they are refused.
 */
const SAFE_APPROVAL_TEXT = /^[\p{L}\p{N} .,_@()/#:+'-]{1,100}$/u;

export function checkApproval(approval: ClearApproval): void {
  for (const [flag, value] of [
    ['--approved-by', approval.approvedBy],
    ['--ticket', approval.ticket],
  ] as const) {
    if (!SAFE_APPROVAL_TEXT.test(value) || value.trim() === '') {
      throw new CampaignError(
        `${flag}: expected 1 to 100 letters, digits, spaces or . , _ @ ( ) / # : + ' -, got ${JSON.stringify(value.slice(0, 40))}`,
      );
    }
  }
}

export function clearScriptName(approval: ClearApproval): string {
  return `${CLEAR_SCRIPT_NAME_PREFIX} (ticket ${approval.ticket})`;
}

/**
 * The remediation script: `tpm-doctor clear` on the device, whose own preflight gate decides
 * again with the device's own facts (docs/clear.md), and nothing else.
 * - BitLocker is suspended for two reboots first (Suspend-BitLocker -RebootCount 2: the PPI clear's
 *   restart and re-provisioning; https://learn.microsoft.com/powershell/module/bitlocker/suspend-bitlocker),
 *   which the gate requires, and
 *   resumed at once (in a finally) unless tpm-doctor accepted the clear (exit 0 or 12), so a
 *   refused or failed device, or a script error, never leaves BitLocker suspended. Nothing is
 *   suspended when tpm-doctor is not installed.
 * - --method ppi: on a PC only the firmware holds platform authorisation, and Windows' own
 *   lockout value is not ours to use remotely; the firmware clears at the next restart (PPI
 *   operation 5, TCG PC Client Physical Presence Interface).
 * - The restart is scheduled only when tpm-doctor accepted the clear (exit 0, or 12 when the PPI
 *   request waits for the restart), five minutes out with a message, as a helpdesk would.
 */
export function clearRemediationScript(approval: ClearApproval): string {
  checkApproval(approval);
  const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return [
    `# tpm-doctor clear: approved by ${approval.approvedBy}, ticket ${approval.ticket}.`,
    "# The device's own preflight gate decides; nothing is cleared when it refuses.",
    "$ErrorActionPreference = 'Stop'",
    // Nothing is suspended unless tpm-doctor is there to decide: no orphaned suspension.
    "if (-not (Get-Command tpm-doctor -ErrorAction SilentlyContinue)) { Write-Output 'tpm-doctor is not installed on this device'; exit 1 }",
    '$suspended = @()',
    '$code = 1',
    'try {',
    "  foreach ($v in Get-BitLockerVolume | Where-Object { $_.ProtectionStatus -eq 'On' -and ($_.KeyProtector.KeyProtectorType -match '^Tpm') }) {",
    '    Suspend-BitLocker -MountPoint $v.MountPoint -RebootCount 2 | Out-Null',
    '    $suspended += $v.MountPoint',
    '  }',
    `  & tpm-doctor clear --method ppi --purpose repair --yes --approved-by ${quote(approval.approvedBy)} --ticket ${quote(approval.ticket)} --json`,
    '  $code = $LASTEXITCODE',
    '} finally {',
    // Only an accepted clear (0, or 12: the PPI request waits for the restart) keeps BitLocker
    // suspended for the restart; a refusal, a failure or an error resumes it at once.
    '  if ($code -ne 0 -and $code -ne 12) { foreach ($m in $suspended) { Resume-BitLocker -MountPoint $m | Out-Null } }',
    '}',
    'if ($code -eq 0 -or $code -eq 12) { shutdown /r /t 300 /c "tpm-doctor: TPM clear approved; restarting in 5 minutes" }',
    'exit $code',
    '',
  ].join('\r\n');
}

/**
 * The "tpm-doctor clear" package: the evidence script (scripts/collect-evidence.ps1) as detection,
 * so the clear runs only on a device whose evidence still shows the problem, and the clear as
 * remediation. Same encoding and run-as choices as the evidence package (evidence-script.ts).
 */
export function clearScriptPackage(
  detectionScript: string,
  approval: ClearApproval,
): Omit<DeviceHealthScript, 'id'> {
  return {
    displayName: clearScriptName(approval),
    description:
      "tpm-doctor: clears the TPM through tpm-doctor's preflight gate on the device, then restarts; " +
      `approved by ${approval.approvedBy}, ticket ${approval.ticket}.`,
    publisher: 'tpm-doctor',
    runAsAccount: 'system',
    runAs32Bit: false,
    enforceSignatureCheck: false,
    detectionScriptContent: Buffer.from(detectionScript, 'utf8').toString('base64'),
    remediationScriptContent: Buffer.from(clearRemediationScript(approval), 'utf8').toString('base64'),
  };
}

/** Finds the package of this approval by name (docs/graph-calls.md #8, read by id #8b) or uploads it (#9). */
export async function findOrUploadClearScript(
  intune: IntuneApi,
  detectionScript: string,
  approval: ClearApproval,
): Promise<{ script: DeviceHealthScript; uploaded: boolean }> {
  checkApproval(approval);
  const wanted = clearScriptPackage(detectionScript, approval);
  const found = await intune.findHealthScript(wanted.displayName);
  // The list call returns the script bodies empty (docs/graph-calls.md #8): only a read by id
  // (#8b) shows what the package would run. Gone between the two reads: upload ours.
  const existing = found === undefined ? undefined : await intune.healthScript(found.id);
  if (existing !== undefined) {
    // A package found by name is reused only if it is exactly ours: one edited in the admin
    // center, or uploaded for this ticket with another script, would run unreviewed code as
    // SYSTEM on every selected device.
    const same =
      existing.displayName === wanted.displayName &&
      existing.detectionScriptContent === wanted.detectionScriptContent &&
      existing.remediationScriptContent === wanted.remediationScriptContent;
    if (!same) {
      throw new CampaignError(
        `the Remediations package "${existing.displayName}" (${existing.id}) in the tenant is not the one this approval ` +
          'would upload (edited in the admin center, another script, or its content not readable): nothing was run. ' +
          'Delete it in the Intune admin center, or use a new ticket.',
      );
    }
    return { script: existing, uploaded: false };
  }
  return { script: await intune.createHealthScript(wanted), uploaded: true };
}
