// Sources: Get-BitLockerVolume ProtectionStatus/KeyProtector and manage-bde -protectors -get
// (docs/clear.md, the Windows runbook). An OS-initiated clear suspends BitLocker and Windows resumes it once the TPM is
// provisioned; tpm-doctor checks that it did, and resumes it itself when it did not.
import type { JsonObject } from '../../journal.js';
import { done, failed, type RunbookStep, waiting } from '../step.js';
import {
  isEncrypted,
  osVolume,
  problemWith,
  readWindows,
  resumeBitLockerAction,
  runAction,
  TPM_PROTECTOR_TYPES,
} from '../windows.js';

const BITLOCKER_PROTECTED = 'bitlocker-protected';

const INSTRUCTION =
  'BitLocker must protect the system drive again with the new TPM and a recovery password. ' +
  'tpm-doctor resumes it when a TPM protector exists; otherwise follow the instruction it shows.';

/**
 * Done when the OS volume's ProtectionStatus is On with a TPM protector and a RecoveryPassword
 * protector. Acts (Resume-BitLocker) when protection is off and a TPM protector exists, whatever
 * reboot count is left: this step comes after the clear's restarts and after the TPM is ready, so
 * resuming now only shortens the time the volume is unprotected. Never resumes without a TPM
 * protector: the volume would then ask for its recovery key at every boot.
 */
export function bitlockerProtectedStep(): RunbookStep {
  return {
    id: BITLOCKER_PROTECTED,
    title: 'BitLocker protecting the system drive again (new TPM protector, recovery password)',
    instruction: INSTRUCTION,
    async check(ctx) {
      const ev = await readWindows(ctx, ['bitlocker', 'manage-bde']);
      if (ev.bitlocker === null) {
        return failed(
          `BitLocker could not be read: ${problemWith(ev, 'bitlocker')}.`,
          {},
          'Run tpm-doctor resume from an elevated prompt (Run as administrator).',
        );
      }
      const volume = osVolume(ev.bitlocker, ctx.facts.osMountPoint);
      if (volume === null || !isEncrypted(volume)) {
        return done(
          `${volume?.mountPoint ?? ctx.facts.osMountPoint ?? 'The system drive'} is not encrypted with BitLocker: nothing to resume.`,
          { mountPoint: volume?.mountPoint ?? null, encrypted: false },
        );
      }
      const tpmProtectors = volume.keyProtectors.filter((p) => TPM_PROTECTOR_TYPES.has(p.type));
      const recovery = volume.keyProtectors.filter((p) => p.type === 'RecoveryPassword');
      const evidence: JsonObject = {
        mountPoint: volume.mountPoint,
        encrypted: true,
        volumeStatus: volume.volumeStatus,
        protectionStatus: volume.protectionStatus,
        suspendedRebootCount: volume.suspendedRebootCount,
        // IDs and types only: the parsers never keep a recovery password.
        protectors: volume.keyProtectors.map((p) => ({ id: p.id, type: p.type })),
        resumable: volume.protectionStatus !== 'On' && tpmProtectors.length > 0,
      };
      const mp = volume.mountPoint;
      if (tpmProtectors.length === 0) {
        return waiting(
          `${mp} has no TPM protector, so tpm-doctor will not resume BitLocker on it.`,
          evidence,
          `In an elevated prompt run: manage-bde -protectors -add ${mp} -tpm, then manage-bde -protectors -enable ${mp}. Then run tpm-doctor resume.`,
        );
      }
      if (volume.protectionStatus !== 'On') {
        const left =
          volume.suspendedRebootCount === null
            ? ''
            : ` (${volume.suspendedRebootCount === 0 ? 'until resumed' : `${volume.suspendedRebootCount} restart(s) left`})`;
        return waiting(
          `BitLocker on ${mp} is suspended${left}; tpm-doctor resumes it now that the TPM is ready.`,
          evidence,
        );
      }
      if (recovery.length === 0) {
        return waiting(
          `BitLocker protects ${mp} but it has no recovery password protector.`,
          evidence,
          `In an elevated prompt run: manage-bde -protectors -add ${mp} -rp (the next steps back it up to Entra ID). Then run tpm-doctor resume.`,
        );
      }
      return done(
        `BitLocker protects ${mp} with a TPM protector and a recovery password protector (ProtectionStatus On).`,
        evidence,
      );
    },
    async act(ctx, seen) {
      const mp = seen.evidence.mountPoint;
      if (seen.evidence.resumable !== true || typeof mp !== 'string') return undefined;
      return runAction(ctx.runner, resumeBitLockerAction(mp));
    },
  };
}
