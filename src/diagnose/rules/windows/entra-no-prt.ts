import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding, Remedy } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { ev, eventEvidence, yesNo } from './evidence.js';
import { REF } from './references.js';
import {
  deviceKeyUnusable,
  dsregRaw,
  entraJoined,
  joinEvidence,
  lockoutInPlay,
  lockoutReading,
  userStateReadable,
} from './signals.js';

const ENTRA_NO_PRT = 'entra.no-prt';

/**
 * No Primary Refresh Token for the signed-in user: dsregcmd "AzureAdPrt : NO" on a joined device.
 * When the TPM is in dictionary-attack lockout, Windows cannot use the device key (TPM-WMI 1026
 * "The TPM is defending against dictionary attacks and is in a time-out period", or
 * NTE_AUTHENTICATION_IGNORED 0x80090031). Microsoft's resolution (BitLocker and TPM: other known
 * issues) is to reset the lockout in tpm.msc, then ask the hardware vendor, and only then clear:
 * a lockout is never a reason to clear, so this finding blocks a clear while the lockout lasts.
 *
 * Only read when dsregcmd ran in the user's context: as SYSTEM the SSO State says nothing about
 * the user (dsregcmd doc).
 */
export const entraNoPrt: Rule = {
  ids: [ENTRA_NO_PRT],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['entra.no-prt'];
    const d = snapshot.windows?.dsregcmd;
    if (!d || entraJoined(d) !== true || d.azureAdPrt !== false || !userStateReadable(d)) return [];

    const evidence: Evidence[] = [...joinEvidence(d), ev('dsregcmd', 'AzureAdPrt', yesNo(d.azureAdPrt))];
    const attempt = dsregRaw(d, 'Attempt Status');
    if (attempt !== undefined) evidence.push(ev('dsregcmd', 'Attempt Status', attempt));

    const lockout = lockoutReading(snapshot);
    const lockoutSeen = lockout.events.length > 0 || lockout.dsregCode;
    if (lockoutSeen || lockout.lockedOutNow === true) {
      evidence.push(...lockout.evidence, ...eventEvidence(lockout.events));
    }

    let remedy: Remedy;
    let blocksClear: string | undefined;
    if ((lockoutSeen || lockout.lockedOutNow === true) && lockoutInPlay(lockout)) {
      remedy = {
        step: 'reset-lockout',
        action: t.actionLockout,
        destroysKeys: false,
      };
      blocksClear = t.blocksClear;
    } else if (deviceKeyUnusable(snapshot)) {
      // A symptom of entra.device-key-unusable: no step of its own, so the verdict follows that finding.
      remedy = {
        step: 'none',
        action: t.actionFollowDeviceKey,
        destroysKeys: false,
      };
    } else {
      remedy = {
        step: 'restart',
        action: t.actionSignInAgain({ healed: lockoutSeen }),
        destroysKeys: false,
      };
    }

    const finding: Finding = {
      id: ENTRA_NO_PRT,
      severity: 'error',
      title: t.title,
      why: t.why,
      impacts: ['sync', 'compliance', 'windows-hello'],
      evidence,
      remedy,
      references: [REF.primaryRefreshToken, REF.dsregcmd, REF.bitlockerTpmKnownIssues, REF.tpmAntiHammering],
    };
    if (blocksClear !== undefined) finding.blocksClear = blocksClear;
    return [finding];
  },
};
