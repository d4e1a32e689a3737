// Sources: BackupToAAD-BitLockerKeyProtector; Graph /informationProtection/bitlocker/recoveryKeys,
// whose key IDs are the protector IDs (docs/clear.md, the Windows runbook).
import type { JsonObject } from '../../journal.js';
import { done, failed, type RunbookStep, waiting } from '../step.js';
import { backupToAadAction, isEncrypted, osVolume, problemWith, readWindows, runAction } from '../windows.js';

const RECOVERY_KEY_ESCROWED = 'recovery-key-escrowed';

function bare(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

function confirmInstruction(mp: string, ids: readonly string[]): string {
  return (
    `tpm-doctor sent the recovery password of ${mp} to Entra ID. Check that recovery key ID ${ids.join(', ')} is listed ` +
    'for this device (Entra admin center > Devices > this device > BitLocker keys, or Intune > Devices > this device > Recovery keys), ' +
    `then run: tpm-doctor resume --confirm ${RECOVERY_KEY_ESCROWED}`
  );
}

/**
 * Done when every RecoveryPassword protector of the OS volume is escrowed in Entra ID: checked
 * through Graph when fleet credentials exist, else confirmed by a person (ctx.confirmed). Acts by
 * backing each one up (BackupToAAD-BitLockerKeyProtector; idempotent).
 */
export function recoveryKeyEscrowedStep(): RunbookStep {
  return {
    id: RECOVERY_KEY_ESCROWED,
    title: 'New recovery password backed up to Entra ID',
    instruction:
      'Make sure the new BitLocker recovery password is backed up to Entra ID, so the drive can still be opened if the TPM fails.',
    actAtMostEveryMs: 60 * 60 * 1000,
    async check(ctx) {
      const canAskGraph = ctx.graph?.escrowedRecoveryKeyIds !== undefined;
      const ev = await readWindows(
        ctx,
        canAskGraph ? ['bitlocker', 'manage-bde', 'dsregcmd'] : ['bitlocker', 'manage-bde'],
      );
      if (ev.bitlocker === null) {
        return failed(
          `BitLocker could not be read: ${problemWith(ev, 'bitlocker')}.`,
          {},
          'Run tpm-doctor resume from an elevated prompt (Run as administrator).',
        );
      }
      const volume = osVolume(ev.bitlocker, ctx.facts.osMountPoint);
      if (volume === null || !isEncrypted(volume)) {
        return done('The system drive is not encrypted with BitLocker: no recovery password to back up.', {
          encrypted: false,
        });
      }
      const ids = volume.keyProtectors.filter((p) => p.type === 'RecoveryPassword').map((p) => p.id);
      const evidence: JsonObject = { mountPoint: volume.mountPoint, recoveryPasswordIds: ids };
      if (ids.length === 0) {
        return failed(`${volume.mountPoint} has no recovery password protector to back up.`, evidence);
      }
      const deviceId = ev.dsregcmd?.deviceId ?? null;
      if (canAskGraph && deviceId !== null) {
        const escrowed = new Set((await ctx.graph!.escrowedRecoveryKeyIds!(deviceId)).map(bare));
        const missing = ids.filter((id) => !escrowed.has(bare(id)));
        const seen = { ...evidence, checkedBy: 'graph', azureAdDeviceId: deviceId, notEscrowed: missing };
        if (missing.length === 0) {
          return done(`Entra ID holds recovery key ID ${ids.join(', ')} for this device.`, seen);
        }
        return waiting(
          `Entra ID does not list recovery key ID ${missing.join(', ')} yet; tpm-doctor backs it up.`,
          seen,
        );
      }
      if (ctx.confirmed?.includes(RECOVERY_KEY_ESCROWED)) {
        return done(
          `A person confirmed that Entra ID holds recovery key ID ${ids.join(', ')} (no fleet credentials to check it).`,
          { ...evidence, checkedBy: 'person' },
        );
      }
      return waiting(
        `Recovery key ID ${ids.join(', ')} must be confirmed in Entra ID: tpm-doctor cannot check it without fleet credentials.`,
        { ...evidence, checkedBy: 'nobody' },
        confirmInstruction(volume.mountPoint, ids),
      );
    },
    async act(ctx, seen) {
      const mp = seen.evidence.mountPoint;
      const ids = seen.evidence.recoveryPasswordIds;
      if (typeof mp !== 'string' || !Array.isArray(ids)) return undefined;
      const notEscrowed = seen.evidence.notEscrowed;
      const todo = (Array.isArray(notEscrowed) ? notEscrowed : ids).filter(
        (id): id is string => typeof id === 'string',
      );
      for (const id of todo) await runAction(ctx.runner, backupToAadAction(mp, id));
      return { backedUp: todo };
    },
  };
}
