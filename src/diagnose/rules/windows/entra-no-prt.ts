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
  evaluate(snapshot) {
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
        action:
          'The TPM is defending against dictionary attacks, so Windows cannot use the device key. Wait ' +
          'for the lockout to heal (Get-Tpm LockoutHealTime) or reset it as an administrator (tpm.msc > ' +
          'Reset TPM Lockout), then lock and unlock the PC so Windows gets a PRT. If tpm.msc offers no ' +
          'lockout reset, look for one in the UEFI settings and ask the hardware vendor before anything else.',
        destroysKeys: false,
      };
      blocksClear =
        'the TPM is in dictionary-attack lockout (TPM-WMI 1026 / NTE_AUTHENTICATION_IGNORED): wait for it ' +
        'to heal or reset the lockout; clearing is not the fix for a lockout';
    } else if (deviceKeyUnusable(snapshot)) {
      // A symptom of entra.device-key-unusable: no step of its own, so the verdict follows that finding.
      remedy = {
        step: 'none',
        action: 'Follow entra.device-key-unusable: without usable device keys Windows cannot get a PRT.',
        destroysKeys: false,
      };
    } else {
      remedy = {
        step: 'restart',
        action:
          (lockoutSeen ? 'The earlier TPM lockout has healed. ' : '') +
          'Lock and unlock the PC (or sign out and in) while it can reach login.microsoftonline.com, then ' +
          'run `dsregcmd /status` as the user: AzureAdPrt should read YES. If not, the Attempt Status and ' +
          'Server Error Code in its SSO State say why.',
        destroysKeys: false,
      };
    }

    const finding: Finding = {
      id: ENTRA_NO_PRT,
      severity: 'error',
      title: 'The signed-in user has no Entra ID Primary Refresh Token',
      why:
        'The PRT is the token Windows signs in to Entra ID with, bound to the device key in the TPM. ' +
        'Without it single sign-on and Conditional Access fail (a "require compliant device" policy ' +
        'blocks the user), Windows Hello for Business does not work, and the Company Portal and Intune ' +
        'user-targeted policy cannot authenticate.',
      impacts: ['sync', 'compliance', 'windows-hello'],
      evidence,
      remedy,
      references: [REF.primaryRefreshToken, REF.dsregcmd, REF.bitlockerTpmKnownIssues, REF.tpmAntiHammering],
    };
    if (blocksClear !== undefined) finding.blocksClear = blocksClear;
    return [finding];
  },
};
