import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { eventEvidence, evidenceTime, hoursBefore } from './evidence.js';
import { REF } from './references.js';

const BITLOCKER_RECOVERY_BACKUP_FAILED = 'bitlocker.recovery-backup-failed';

/**
 * BitLocker-API events of BitLocker Management (Microsoft-Windows-BitLocker/BitLocker Management):
 * 846 "Failed to backup BitLocker Drive Encryption recovery information for volume C: to your
 * Azure AD", 851 "Failed to enable Silent Encryption", 778 "The BitLocker volume C: was reverted to
 * an unprotected state". Troubleshooting: https://learn.microsoft.com/troubleshoot/mem/intune/device-protection/troubleshoot-bitlocker-policies
 */
const BACKUP_FAILED_IDS = [846, 851, 778];

/** How long such an event keeps a clear from being recommended. */
const RECENT_DAYS = 30;

/**
 * bitlocker.recovery-backup-failed: BitLocker could not escrow the recovery password (or gave up
 * silent encryption because of it) in the last 30 days. Whether a recovery password is escrowed
 * is then in doubt, and a clear that ends at the BitLocker recovery screen would need exactly that
 * password: no clear until the backup succeeds.
 */
export const bitlockerRecoveryBackupFailed: Rule = {
  ids: [BITLOCKER_RECOVERY_BACKUP_FAILED],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['bitlocker.recovery-backup-failed'];
    const now = evidenceTime(snapshot);
    const events = (snapshot.windows?.events ?? []).filter((e) => {
      if (!BACKUP_FAILED_IDS.includes(e.id)) return false;
      const where = `${e.provider} ${e.log}`;
      // Pasted notes may carry no provider: then the message must be BitLocker's.
      if (
        !/bitlocker/i.test(where) &&
        !(where.trim() === '' && /bitlocker|silent encryption/i.test(e.message))
      )
        return false;
      const age = hoursBefore(e.timeCreated, now);
      return age === null || age <= RECENT_DAYS * 24;
    });
    if (events.length === 0) return [];
    return [
      {
        id: BITLOCKER_RECOVERY_BACKUP_FAILED,
        severity: 'error',
        title: t.title,
        why: t.why,
        impacts: ['bitlocker', 'compliance'],
        evidence: eventEvidence(events),
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        blocksClear: t.blocksClear,
        references: [REF.backupToAad, REF.getBitLockerVolume],
      } satisfies Finding,
    ];
  },
};
