/**
 * Gate check 2, backup (docs/clear.md, the preflight gate): a clear makes every TPM-based
 * BitLocker protector useless, so each such volume needs a recovery password that is escrowed,
 * and BitLocker suspended across the reboots of the clear.
 * - Protector types and the escrow match (a recovery key's Entra `id` equals the local
 *   RecoveryPassword KeyProtectorId without braces): Get-BitLockerVolume and Graph List recoveryKeys
 *   (https://learn.microsoft.com/graph/api/bitlocker-list-recoverykeys).
 * - Suspension: `Suspend-BitLocker -RebootCount N` (0 = until Resume-BitLocker); RebootCount ≥ 2
 *   covers the PPI double reset
 *   (https://learn.microsoft.com/powershell/module/bitlocker/suspend-bitlocker) and the reboot after a lockout/platform clear
 *   while Windows re-provisions the TPM.
 * Only protector IDs ever appear here; the evidence holds no recovery password (the parsers drop it).
 */
import { osVolumes, osVolumeUnknown } from '../../diagnose/rules/windows/bitlocker-volumes.js';
import type { BitLockerVolume } from '../../snapshot/windows-evidence.js';
import { verificationAgeProblem } from './escrow-verification.js';
import {
  check,
  type Evidence,
  FLAGS,
  isLabTpm,
  listWords,
  normaliseProtectorId,
  type PreflightInput,
  platformOf,
  TPM_PROTECTORS,
} from './facts.js';
import type { GateCheck } from './gate.js';

/** Reboots BitLocker must stay suspended for: the PPI double reset, or the clear's reboot plus re-provisioning. */
const REQUIRED_SUSPEND_REBOOTS = 2;

const suspendCommand = (mount: string) =>
  `Suspend-BitLocker -MountPoint ${mount} -RebootCount ${REQUIRED_SUSPEND_REBOOTS}`;

export function checkBackup(input: PreflightInput): GateCheck[] {
  const { snapshot } = input;
  const windows = snapshot.windows;
  if (windows === null) {
    if (isLabTpm(snapshot) || platformOf(snapshot) === 'not-windows') {
      const ev: Evidence[] = [
        { source: 'snapshot', field: 'windows', value: null },
        { source: 'tpm', field: 'uri', value: snapshot.tpm?.tpm.uri ?? null },
        { source: 'tpm', field: 'lab', value: snapshot.tpm?.tpm.lab ?? null },
      ];
      const msg = input.ui['gate.check.backup.not-windows'];
      return [
        check('backup.recovery-password', 'pass', msg, ev),
        check('backup.escrow', 'pass', msg, ev),
        check('backup.bitlocker-suspended', 'pass', msg, ev),
      ];
    }
    const ev: Evidence[] = [{ source: 'snapshot', field: 'windows', value: null }];
    const todo = (id: string) =>
      `No Windows evidence, so BitLocker could not be checked: if this is a Windows PC, run tpm-doctor clear on it as administrator or give --evidence from an elevated collection; if it has no BitLocker volume, acknowledge with ${FLAGS.acknowledge(id)}.`;
    return [
      check('backup.recovery-password', 'unknown', todo('backup.recovery-password'), ev),
      check('backup.escrow', 'unknown', todo('backup.escrow'), ev),
      check('backup.bitlocker-suspended', 'unknown', todo('backup.bitlocker-suspended'), ev),
    ];
  }
  if (windows.bitlocker === null) {
    const problem = windows.problems.find((p) => /bitlocker|manage-bde/i.test(p.source));
    const ev: Evidence[] = [
      { source: 'evidence', field: 'bitlocker', value: null },
      { source: 'evidence', field: 'elevated', value: windows.elevated },
      ...(problem ? [{ source: problem.source, field: 'problem', value: problem.message }] : []),
    ];
    const msg =
      'The BitLocker volumes were not read, so a volume could be lost: collect again as administrator (tpm-doctor collect, or collect-evidence.ps1 -Full from an elevated PowerShell).';
    return [
      check('backup.recovery-password', 'unknown', msg, ev),
      check('backup.escrow', 'unknown', msg, ev),
      check('backup.bitlocker-suspended', 'unknown', msg, ev),
    ];
  }
  // The OS volume must be in the list with its protectors read in full: data or removable volumes
  // say nothing about it, and a list without IDs or cut off is an unknown, which never passes.
  const osUnknown = osVolumeUnknown(windows.bitlocker);
  if (osUnknown !== null) {
    const ev: Evidence[] = [
      { source: 'evidence', field: 'bitlocker', value: osUnknown },
      ...windows.bitlocker.map((v) => protectorEvidence(v)),
    ];
    const verified = input.options.escrowVerification;
    const msg = `The OS volume's BitLocker protectors are not known (${osUnknown}), so it could be lost: collect again as administrator (tpm-doctor collect, or collect-evidence.ps1 -Full from an elevated PowerShell).${verified === undefined ? '' : ` The escrow verified by ${verified.verifiedBy} is not accepted without the device's own reading of its protectors.`}`;
    return [
      check('backup.recovery-password', 'unknown', msg, ev),
      check('backup.escrow', 'unknown', msg, ev),
      check('backup.bitlocker-suspended', 'unknown', msg, ev),
    ];
  }
  const volumes = windows.bitlocker.filter((v) => v.keyProtectors.some((p) => TPM_PROTECTORS.has(p.type)));
  if (volumes.length === 0) {
    const ev: Evidence[] = windows.bitlocker.map((v) => ({
      source: 'Get-BitLockerVolume',
      field: `${v.mountPoint} KeyProtector`,
      value: v.keyProtectors.map((p) => p.type).join(',') || 'none',
    }));
    const msg = 'No BitLocker volume uses a TPM protector, so the clear cannot lock any volume.';
    return [
      check('backup.recovery-password', 'pass', msg, ev),
      check('backup.escrow', 'pass', msg, ev),
      check('backup.bitlocker-suspended', 'pass', msg, ev),
    ];
  }
  return [
    checkRecoveryPassword(volumes),
    checkEscrow(volumes, windows.bitlocker, input),
    checkSuspended(volumes),
  ];
}

const recoveryPasswords = (v: BitLockerVolume) =>
  v.keyProtectors.filter((p) => p.type === 'RecoveryPassword');

const protectorEvidence = (v: BitLockerVolume): Evidence => ({
  source: 'Get-BitLockerVolume',
  field: `${v.mountPoint} KeyProtector`,
  value: v.keyProtectors.map((p) => `${p.type} {${p.id}}`).join(', '),
});

function checkRecoveryPassword(volumes: BitLockerVolume[]): GateCheck {
  const evidence = volumes.map(protectorEvidence);
  const missing = volumes.filter((v) => recoveryPasswords(v).length === 0);
  if (missing.length === 0) {
    return check(
      'backup.recovery-password',
      'pass',
      `Every volume with a TPM protector (${listWords(volumes.map((v) => v.mountPoint))}) also has a recovery password protector.`,
      evidence,
    );
  }
  const first = missing[0]!.mountPoint;
  return check(
    'backup.recovery-password',
    'fail',
    `${listWords(missing.map((v) => v.mountPoint))} ${missing.length === 1 ? 'has' : 'have'} a TPM protector but no recovery password: after the clear the data could never be unlocked. Add one and escrow it first: manage-bde -protectors -add ${first} -RecoveryPassword, then BackupToAAD-BitLockerKeyProtector -MountPoint ${first} -KeyProtectorId "<the new ID>".`,
    evidence,
  );
}

function checkEscrow(
  volumes: BitLockerVolume[],
  all: readonly BitLockerVolume[],
  { options, snapshot }: PreflightInput,
): GateCheck {
  const escrowed = new Set((options.escrowedProtectorIds ?? []).map(normaliseProtectorId));
  const evidence: Evidence[] = [];
  const missing: string[] = [];
  const notShown: { mount: string; ids: string[] }[] = [];
  for (const v of volumes) {
    const ids = recoveryPasswords(v).map((p) => normaliseProtectorId(p.id));
    if (ids.length === 0) {
      missing.push(v.mountPoint);
      continue;
    }
    const hit = ids.find((id) => escrowed.has(id));
    evidence.push({
      source: 'escrow',
      field: `${v.mountPoint} RecoveryPassword`,
      value: hit ?? ids.join(','),
    });
    evidence.push({ source: 'escrow', field: `${v.mountPoint} escrowed`, value: hit !== undefined });
    if (hit === undefined) notShown.push({ mount: v.mountPoint, ids });
  }
  if (missing.length > 0) {
    return check(
      'backup.escrow',
      'fail',
      `Nothing to escrow on ${listWords(missing)}: there is no recovery password protector; add one and escrow it (see backup.recovery-password).`,
      evidence,
    );
  }
  if (notShown.length === 0) {
    return check(
      'backup.escrow',
      'pass',
      `The recovery password of ${listWords(volumes.map((v) => v.mountPoint))} is escrowed (its protector ID is among the escrowed keys).`,
      evidence,
    );
  }
  const verification = options.escrowVerification;
  if (verification !== undefined) {
    const judged = judgeVerification(notShown, all, { options, snapshot }, evidence);
    if (judged !== null) return judged;
  }
  const confirmed = options.backupConfirmedBy?.trim();
  if (confirmed) {
    return check(
      'backup.escrow',
      'pass',
      `The user confirmed the recovery password of ${listWords(notShown.map((n) => n.mount))} is backed up (${confirmed}).`,
      [...evidence, { source: 'options', field: 'backupConfirmedBy', value: confirmed }],
    );
  }
  const first = notShown[0]!;
  const where =
    options.escrowedProtectorIds === undefined
      ? 'no escrow record was checked: no fleet credentials'
      : 'the escrowed keys given do not include it';
  return check(
    'backup.escrow',
    'unknown',
    `The recovery password {${first.ids[0]}} of ${listWords(notShown.map((n) => n.mount))} is not shown escrowed (${where}): find that protector ID in Entra ID (Intune > Devices > the device > Recovery keys) or your backup, or escrow it with BackupToAAD-BitLockerKeyProtector -MountPoint ${first.mount} -KeyProtectorId "{${first.ids[0]}}"; then name the backup with ${FLAGS.backupConfirmed}.`,
    evidence,
  );
}

/**
 * A campaign's escrow verification, judged against the device's own reading: every verified ID
 * must be a RecoveryPassword protector of the device's OS volume as its evidence lists it now (an
 * ID it does not have is a key for another volume, an older protector, or another device), it
 * must cover every volume not otherwise shown escrowed, be recent, and come with the approval
 * the campaign ran under. Returns null when it covers nothing here, so the other routes decide.
 */
function judgeVerification(
  notShown: { mount: string; ids: string[] }[],
  all: readonly BitLockerVolume[],
  { options, snapshot }: Pick<PreflightInput, 'options' | 'snapshot'>,
  evidence: Evidence[],
): GateCheck | null {
  const v = options.escrowVerification!;
  const verified = v.protectorIds.map(normaliseProtectorId);
  const ev: Evidence[] = [
    ...evidence,
    { source: 'options', field: 'escrowVerified', value: verified.join(',') },
    { source: 'options', field: 'escrowVerifiedAt', value: v.verifiedAt },
    { source: 'options', field: 'escrowVerifiedBy', value: v.verifiedBy },
  ];
  const by = `the escrow verified in Entra ID by campaign ${v.verifiedBy} at ${v.verifiedAt}`;
  const age = verificationAgeProblem(v, snapshot.takenAt);
  if (age !== null) return check('backup.escrow', 'fail', `Not accepting ${by}: ${age}.`, ev);
  const approvedBy = options.approvedBy?.trim();
  const ticket = options.ticket?.trim();
  if (!approvedBy || !ticket) {
    return check(
      'backup.escrow',
      'fail',
      `Not accepting ${by}: it comes without the approval the campaign ran under (${FLAGS.approval}).`,
      ev,
    );
  }
  const own = new Set(
    osVolumes(all).flatMap((vol) => recoveryPasswords(vol).map((p) => normaliseProtectorId(p.id))),
  );
  const foreign = verified.filter((id) => !own.has(id));
  if (foreign.length > 0) {
    return check(
      'backup.escrow',
      'fail',
      `Not accepting ${by}: {${foreign.join('}, {')}} ${foreign.length === 1 ? 'is not a recovery password protector' : 'are not recovery password protectors'} this device reads for its OS volume (it reads ${own.size === 0 ? 'none' : `{${[...own].join('}, {')}}`}); the key in Entra ID may be an old one. Escrow the current one (BackupToAAD-BitLockerKeyProtector) and triage again.`,
      ev,
    );
  }
  const covered = new Set(verified);
  const uncovered = notShown.filter((n) => !n.ids.some((id) => covered.has(id)));
  if (uncovered.length > 0) return null;
  return check(
    'backup.escrow',
    'pass',
    `The recovery password of ${listWords(notShown.map((n) => n.mount))} is escrowed: ${by} (approved by ${approvedBy}, ticket ${ticket}), and it is the protector this device reads.`,
    ev,
  );
}

function checkSuspended(volumes: BitLockerVolume[]): GateCheck {
  const evidence: Evidence[] = volumes.flatMap((v) => [
    { source: 'Get-BitLockerVolume', field: `${v.mountPoint} ProtectionStatus`, value: v.protectionStatus },
    {
      source: 'Get-BitLockerVolume',
      field: `${v.mountPoint} SuspendedRebootCount`,
      value: v.suspendedRebootCount,
    },
  ]);
  const fails: string[] = [];
  const unknowns: string[] = [];
  for (const v of volumes) {
    const m = v.mountPoint;
    if (v.protectionStatus === 'On') {
      fails.push(`${m} is protected (not suspended): run ${suspendCommand(m)}`);
    } else if (v.protectionStatus === 'Unknown') {
      unknowns.push(`${m} protection status is unknown: run ${suspendCommand(m)} to be sure`);
    } else if (v.suspendedRebootCount === null) {
      unknowns.push(
        `${m} is suspended for an unknown number of reboots: run ${suspendCommand(m)} to be sure`,
      );
    } else if (v.suspendedRebootCount !== 0 && v.suspendedRebootCount < REQUIRED_SUSPEND_REBOOTS) {
      fails.push(
        `${m} resumes after ${v.suspendedRebootCount} reboot, before the clear is done: run ${suspendCommand(m)}`,
      );
    }
  }
  if (fails.length > 0) {
    return check(
      'backup.bitlocker-suspended',
      'fail',
      `BitLocker must be suspended for ${REQUIRED_SUSPEND_REBOOTS} reboots before the clear: ${fails.join('; ')}.`,
      evidence,
    );
  }
  if (unknowns.length > 0) {
    return check('backup.bitlocker-suspended', 'unknown', `${unknowns.join('; ')}.`, evidence);
  }
  return check(
    'backup.bitlocker-suspended',
    'pass',
    `BitLocker is suspended on ${listWords(volumes.map((v) => v.mountPoint))} for at least ${REQUIRED_SUSPEND_REBOOTS} reboots (0 = until Resume-BitLocker; the runbook resumes it after the clear).`,
    evidence,
  );
}
