import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { BITLOCKER_SOURCE, hasTpmProtector, isEncrypted, volumeEvidence } from './bitlocker-volumes.js';
import { ev } from './evidence.js';
import { REF } from './references.js';

const BITLOCKER_SUSPENDED = 'bitlocker.suspended';

/**
 * An encrypted volume with ProtectionStatus Off: BitLocker is suspended (or its protectors
 * disabled), so the volume key is stored unprotected on the disk. `Suspend-BitLocker -RebootCount N`
 * resumes by itself after N restarts (tpm-doctor's clear suspends with N = 2 for the PPI double
 * reset), which is a planned suspend: info. A suspend with no restart count left (RebootCount 0 means
 * "until Resume-BitLocker") or an unknown one is a warning: Intune reports the device as not
 * protected by BitLocker, and Device Health Attestation keeps doing so until a restart after resuming.
 */
export const bitlockerSuspended: Rule = {
  ids: [BITLOCKER_SUSPENDED],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['bitlocker.suspended'];
    const findings: Finding[] = [];
    for (const v of snapshot.windows?.bitlocker ?? []) {
      if (!isEncrypted(v) || v.protectionStatus !== 'Off') continue;
      const mp = v.mountPoint;
      const planned = v.suspendedRebootCount !== null && v.suspendedRebootCount > 0;
      const evidence = volumeEvidence(v);
      if (v.suspendedRebootCount !== null) {
        evidence.push(ev(BITLOCKER_SOURCE, 'SuspendedRebootCount', v.suspendedRebootCount));
      }
      findings.push({
        id: BITLOCKER_SUSPENDED,
        severity: planned ? 'info' : 'warning',
        title: planned
          ? t.titlePlanned({ volume: mp, restarts: v.suspendedRebootCount ?? 0 })
          : t.titleOff({ volume: mp }),
        why: t.why({ volume: mp, planned }),
        impacts: ['bitlocker', 'compliance'],
        evidence,
        remedy: planned
          ? {
              step: 'wait',
              action: t.actionWait({ volume: mp, restarts: v.suspendedRebootCount ?? 0 }),
              destroysKeys: false,
            }
          : {
              step: 'reconfigure',
              action: t.actionResume({ volume: mp, tpmProtector: hasTpmProtector(v) }),
              destroysKeys: false,
            },
        references: [REF.suspendBitLocker, REF.resumeBitLocker, REF.getBitLockerVolume],
      });
    }
    return findings;
  },
};
