import { psString } from '../../probe/windows/sources.js';
import type { DeviceHealthScript } from '../graph/graph-types.js';
import type { IntuneApi } from '../graph/intune-api.js';
import { CampaignError } from './campaign-error.js';
import type { VerifiedDevice } from './verify-escrow.js';

/**
 * The approval a clear campaign carries to every device: the preflight gate of an MDM-managed
 * device refuses a clear without both who approved it and the ticket, and journals them
 * (docs/campaigns.md, docs/clear.md).
 */
export interface ClearApproval {
  approvedBy: string;
  ticket: string;
}

/**
 * The clear script's exit code when tpm-doctor.exe is not where the Win32 app installs it
 * (docs/deploy-windows.md): nothing was suspended or run. 127 is what shells return for a command
 * not found, and no tpm-doctor exit code (docs/exit-codes.md).
 */
export const CLEAR_SCRIPT_NOT_INSTALLED = 127;

/**
 * How the script's message when tpm-doctor.exe is missing begins; it also goes to standard error,
 * which Graph reports as the run's remediationScriptError, so the campaign can tell it apart.
 */
export const NOT_INSTALLED_MESSAGE = 'tpm-doctor is not installed at ';

/**
 * Where the script finds tpm-doctor.exe: as install.ps1 and detect.ps1 (packaging/windows) do, the
 * 64-bit Program Files (ProgramW6432, set in 32-bit processes too), else ProgramFiles.
 */
const TPM_DOCTOR_EXE_LINES = [
  '$programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }',
  "$exe = Join-Path $programFiles 'tpm-doctor\\tpm-doctor.exe'",
];

/** What Windows shows the user before the restart or the shutdown (shutdown /c: at most 512 characters). */
const RESTART_MESSAGE =
  'tpm-doctor: TPM clear approved; restarting in 5 minutes. Accept the TPM clear prompt the firmware shows.';
const SHUTDOWN_MESSAGE =
  'tpm-doctor: TPM clear approved; this PC shuts down in 5 minutes. Power it on again with the power button and accept the TPM clear prompt the firmware shows.';

/** Script packages of clear campaigns are named this, then the ticket: one package per approval. */
const CLEAR_SCRIPT_NAME_PREFIX = 'tpm-doctor clear';

/**
 * Names and tickets go into a PowerShell command line on every device, in single quotes: only
 * characters that are literal there, so nothing in them can ever be read as code. An apostrophe
 * (O'Neil) is doubled, PowerShell's escape inside single quotes (about_Quoting_Rules); the
 * typographic quotes PowerShell also takes as quotes are not letters, so they are refused.
 */
const SAFE_APPROVAL_TEXT = /^[\p{L}\p{N} .,_@()/#:+'-]{1,100}$/u;

/**
 * Whether `value` may name who approved a clear, or its ticket: the rule above, for every path
 * that records an approval (a campaign's script, the console's clear of its own TPM), so no
 * receipt ever holds a control or bidi character that could disguise who approved.
 */
export function isSafeApprovalText(value: string): boolean {
  return SAFE_APPROVAL_TEXT.test(value) && value.trim() !== '';
}

export function checkApproval(approval: ClearApproval): void {
  for (const [flag, value] of [
    ['--approved-by', approval.approvedBy],
    ['--ticket', approval.ticket],
  ] as const) {
    if (!isSafeApprovalText(value)) {
      throw new CampaignError(
        `${flag}: expected 1 to 100 letters, digits, spaces or . , _ @ ( ) / # : + ' -, got ${JSON.stringify(value.slice(0, 40))}`,
      );
    }
  }
}

/**
 * What the campaign verified in Entra ID for each of its devices (verify-escrow.ts), carried in
 * the script to each device's gate (tpm-doctor clear --escrow-verified, docs/clear.md).
 */
export interface CampaignEscrow {
  campaignId: string;
  /** When the campaign verified (ISO, UTC). */
  verifiedAt: string;
  devices: readonly Pick<VerifiedDevice, 'azureAdDeviceId' | 'protectorIds'>[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * Everything of the escrow that goes into the script is a GUID, a UTC time or a campaign id:
 * characters that are literal in single quotes, so nothing in them can be read as code.
 */
function checkCampaignEscrow(escrow: CampaignEscrow): void {
  if (!CAMPAIGN_ID.test(escrow.campaignId)) {
    throw new CampaignError(
      `campaign id: expected letters, digits, . _ : -, got ${JSON.stringify(escrow.campaignId.slice(0, 40))}`,
    );
  }
  if (!ISO_UTC.test(escrow.verifiedAt)) {
    throw new CampaignError(
      `escrow verification time: expected UTC ISO 8601, got ${JSON.stringify(escrow.verifiedAt.slice(0, 40))}`,
    );
  }
  for (const d of escrow.devices) {
    if (
      !GUID.test(d.azureAdDeviceId) ||
      d.protectorIds.length === 0 ||
      !d.protectorIds.every((id) => GUID.test(id))
    ) {
      throw new CampaignError(
        `escrow verification of ${JSON.stringify(d.azureAdDeviceId.slice(0, 40))}: expected lower-case GUIDs`,
      );
    }
  }
}

/** One package per approval; a campaign's package (it carries that campaign's escrow) names the campaign too. */
export function clearScriptName(approval: ClearApproval, campaignId?: string): string {
  return campaignId === undefined
    ? `${CLEAR_SCRIPT_NAME_PREFIX} (ticket ${approval.ticket})`
    : `${CLEAR_SCRIPT_NAME_PREFIX} (ticket ${approval.ticket}, campaign ${campaignId})`;
}

/**
 * The remediation script: `tpm-doctor clear` on the device, whose own preflight gate decides
 * again with the device's own facts (docs/clear.md), and nothing else.
 * - BitLocker is suspended for two reboots first (Suspend-BitLocker -RebootCount 2: the PPI clear's
 *   restart and re-provisioning; https://learn.microsoft.com/powershell/module/bitlocker/suspend-bitlocker),
 *   which the gate requires, and
 *   resumed at once (in a finally) unless tpm-doctor accepted the clear (exit 0 or 12), so a
 *   refused or failed device, or a script error, never leaves BitLocker suspended. Nothing is
 *   suspended when tpm-doctor.exe is not in %ProgramFiles%\tpm-doctor (exit
 *   CLEAR_SCRIPT_NOT_INSTALLED, with a message naming the path).
 * - --method ppi: on a PC only the firmware holds platform authorisation, and Windows' own
 *   lockout value is not ours to use remotely; the firmware clears at the next restart (PPI
 *   operation 5, TCG PC Client Physical Presence Interface).
 * - The restart is scheduled only when tpm-doctor accepted the clear (exit 0, or 12 when the PPI
 *   request waits for the restart), five minutes out with a message, as a helpdesk would: a
 *   restart, or a full shutdown with a message to power the PC on again, as the firmware's
 *   transition in tpm-doctor's --json output says (a shutdown when it says none).
 * - The campaign's escrow verification is a table from Entra ID device ID to the escrowed
 *   protector IDs; the device looks itself up by the DeviceId `dsregcmd /status` prints (its
 *   Entra ID device ID, what the keys are filed under) and passes its row with
 *   --escrow-verified; a device not in the table passes none, and its gate refuses. The gate
 *   accepts the row only for the protectors it reads itself (src/remedy/preflight/backup.ts).
 */
export function clearRemediationScript(approval: ClearApproval, escrow?: CampaignEscrow): string {
  checkApproval(approval);
  if (escrow !== undefined) checkCampaignEscrow(escrow);
  // psString: single quotes ('' for an apostrophe), and non-ASCII as [char] codes, so the script is
  // ASCII and Windows PowerShell 5.1 (which reads a BOM-less file in the ANSI code page) reads it
  // as written; a comment shows non-ASCII as U+XXXX.
  const quote = psString;
  const comment = (text: string) =>
    [...text]
      .map((ch) =>
        /^[\x20-\x7e]$/.test(ch) ? ch : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
      )
      .join('');
  const table =
    escrow === undefined
      ? ['$verified = @{}']
      : [
          '$verified = @{',
          ...escrow.devices.map((d) => `  ${quote(d.azureAdDeviceId)} = ${quote(d.protectorIds.join(','))}`),
          '}',
        ];
  const escrowArgs =
    escrow === undefined
      ? '@()'
      : `@('--escrow-verified', $verified[$entraId], '--escrow-verified-at', ${quote(escrow.verifiedAt)}, '--escrow-verified-by', ${quote(escrow.campaignId)})`;
  return [
    `# tpm-doctor clear: approved by ${comment(approval.approvedBy)}, ticket ${comment(approval.ticket)}.`,
    "# The device's own preflight gate decides; nothing is cleared when it refuses.",
    "$ErrorActionPreference = 'Stop'",
    `# Escrow verified in Entra ID by campaign ${escrow?.campaignId ?? '(none)'} at ${escrow?.verifiedAt ?? '(never)'}: Entra ID device ID = escrowed recovery-password protector IDs.`,
    ...table,
    // The executable where the Win32 app installs it (packaging/windows/install.ps1: the 64-bit
    // Program Files, a folder only SYSTEM and Administrators can change), by its full path: not
    // from PATH, which SYSTEM's Intune agent does not share with an admin's npm or nvm folders.
    ...TPM_DOCTOR_EXE_LINES,
    // Nothing is suspended unless tpm-doctor is there to decide: no orphaned suspension. The
    // message goes to standard error too, which Graph reports as the remediation's error.
    `if (-not (Test-Path -LiteralPath $exe -PathType Leaf)) { $missing = "${NOT_INSTALLED_MESSAGE}\${exe}: deploy the tpm-doctor Win32 app (docs/deploy-windows.md)"; Write-Output $missing; [Console]::Error.WriteLine($missing); exit ${CLEAR_SCRIPT_NOT_INSTALLED} }`,
    '$suspended = @()',
    '$code = 1',
    '$transition = $null',
    'try {',
    "  $entraId = ''",
    // Not joined, or dsregcmd failing, leaves it empty: no escrow flags, and the gate refuses.
    '  try {',
    '    $idLine = & "$env:SystemRoot\\System32\\dsregcmd.exe" /status | Select-String -Pattern \'^\\s*DeviceId\\s*:\\s*([0-9a-fA-F-]{36})\\s*$\' | Select-Object -First 1',
    '    if ($idLine) { $entraId = $idLine.Matches[0].Groups[1].Value.ToLowerInvariant() }',
    "  } catch { $entraId = '' }",
    '  $escrowArgs = @()',
    `  if ($entraId -ne '' -and $verified.ContainsKey($entraId)) { $escrowArgs = ${escrowArgs} }`,
    "  foreach ($v in Get-BitLockerVolume | Where-Object { $_.ProtectionStatus -eq 'On' -and ($_.KeyProtector.KeyProtectorType -match '^Tpm') }) {",
    '    Suspend-BitLocker -MountPoint $v.MountPoint -RebootCount 2 | Out-Null',
    '    $suspended += $v.MountPoint',
    '  }',
    `  $out = @(& $exe clear --method ppi --purpose repair --yes --approved-by ${quote(approval.approvedBy)} --ticket ${quote(approval.ticket)} @escrowArgs --json)`,
    '  $code = $LASTEXITCODE',
    '  $out',
    // The firmware's transition, as tpm-doctor read it with the request (run.transition.code,
    // docs/clear.md); null when it was not read or the output is not JSON.
    '  try { $run = ($out -join "`n" | ConvertFrom-Json).run; if ($null -ne $run.transition) { $transition = $run.transition.code } } catch { $transition = $null }',
    '} finally {',
    // Only an accepted clear (0, or 12: the PPI request waits for the restart) keeps BitLocker
    // suspended for the restart; a refusal, a failure or an error resumes it at once.
    '  if ($code -ne 0 -and $code -ne 12) { foreach ($m in $suspended) { Resume-BitLocker -MountPoint $m | Out-Null } }',
    '}',
    // The transition the firmware asked for (Win32_Tpm GetPhysicalPresenceTransition,
    // https://learn.microsoft.com/windows/win32/secprov/getphysicalpresencetransition-win32-tpm):
    // 0 (no user action) and 2 (a warm restart) restart; 1 (shut down, power on with the power
    // button) shuts down, as does 3 ("unknown") or none read: a cold boot reaches a firmware that
    // wants either, a restart does not reach one that wants a shutdown (docs/clear.md). shutdown /s
    // without /hybrid is a full shutdown, not Fast Startup's
    // (https://learn.microsoft.com/windows-server/administration/windows-commands/shutdown).
    'if ($code -eq 0 -or $code -eq 12) {',
    '  if ($transition -eq 0 -or $transition -eq 2) {',
    `    & "$env:SystemRoot\\System32\\shutdown.exe" /r /t 300 /c ${JSON.stringify(RESTART_MESSAGE)}`,
    '  } else {',
    `    & "$env:SystemRoot\\System32\\shutdown.exe" /s /t 300 /c ${JSON.stringify(SHUTDOWN_MESSAGE)}`,
    '  }',
    '}',
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
  escrow?: CampaignEscrow,
): Omit<DeviceHealthScript, 'id'> {
  return {
    displayName: clearScriptName(approval, escrow?.campaignId),
    description:
      "tpm-doctor: clears the TPM through tpm-doctor's preflight gate on the device, then restarts; " +
      `approved by ${approval.approvedBy}, ticket ${approval.ticket}.`,
    publisher: 'tpm-doctor',
    runAsAccount: 'system',
    runAs32Bit: false,
    enforceSignatureCheck: false,
    detectionScriptContent: Buffer.from(detectionScript, 'utf8').toString('base64'),
    remediationScriptContent: Buffer.from(clearRemediationScript(approval, escrow), 'utf8').toString(
      'base64',
    ),
  };
}

/** Finds the package of this approval by name (docs/graph-calls.md #8, read by id #8b) or uploads it (#9). */
export async function findOrUploadClearScript(
  intune: IntuneApi,
  detectionScript: string,
  approval: ClearApproval,
  escrow?: CampaignEscrow,
): Promise<{ script: DeviceHealthScript; uploaded: boolean }> {
  checkApproval(approval);
  const wanted = clearScriptPackage(detectionScript, approval, escrow);
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
