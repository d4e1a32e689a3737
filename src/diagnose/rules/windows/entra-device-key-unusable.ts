import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding, Remedy } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { ev, eventEvidence, yesNo } from './evidence.js';
import { REF } from './references.js';
import {
  badKeysetEvents,
  joinEvidence,
  keySignTestState,
  NTE_BAD_KEYSET,
  TPM_HARDWARE_ERROR_IDS,
  tpmClearNeeded,
  tpmDriverErrors,
} from './signals.js';

const ENTRA_DEVICE_KEY_UNUSABLE = 'entra.device-key-unusable';

/**
 * The device's Entra ID keys cannot be used: dsregcmd's KeySignTest failed, AadRecoveryEnabled is
 * YES ("the keys stored in the device aren't usable, and the device is marked for recovery"), or
 * the join failed with NTE_BAD_KEYSET 0x80090016 ("Keyset does not exist"), in dsregcmd or in User
 * Device Registration events 304 (Admin) / 500, 502 (Debug).
 *
 * The remedy climbs the ladder by what the evidence shows, never straight to a clear:
 * 1. AadRecoveryEnabled YES: Windows re-registers the device at the next sign-in (silently on
 *    hybrid-joined devices, with a prompt on Entra-joined ones; dsregcmd doc). Sign in again.
 * 2. TPM driver events 14/15 (non-recoverable hardware error): update Windows and the BIOS/TPM
 *    firmware, then ask the manufacturer (TPM device driver error log doc); a clear cannot fix
 *    hardware.
 * 3. Windows itself says the TPM needs a clear to recover (tpmtool "Clear Needed To Recover: True",
 *    IsReadyInformation 0x8 or 0x800): the gated clear, then re-registration.
 * 4. Otherwise re-register the device. Microsoft's hybrid join troubleshooting says NTE_BAD_KEYSET
 *    "happens when the TPM is cleared on the systems, or when there's a bad sysprep image", advises
 *    against clearing the TPM for it, and recovers by removing and re-adding the accounts. (Microsoft
 *    Japan's Azure Identity team also lists a TPM clear followed by re-registration; tpm-doctor keeps
 *    that for case 3, where the TPM itself is broken.)
 */
export const entraDeviceKeyUnusable: Rule = {
  ids: [ENTRA_DEVICE_KEY_UNUSABLE],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['entra.device-key-unusable'];
    const w = snapshot.windows;
    if (!w) return [];
    const d = w.dsregcmd;
    const keySign = keySignTestState(d?.keySignTest ?? null);
    const recovery = d?.aadRecoveryEnabled === true;
    const dsregBadKeyset = d?.errorCodes.includes(NTE_BAD_KEYSET) ?? false;
    const udrEvents = badKeysetEvents(snapshot);
    if (keySign !== 'failed' && !recovery && !dsregBadKeyset && udrEvents.length === 0) return [];

    const evidence: Evidence[] = [];
    if (d) {
      evidence.push(...joinEvidence(d));
      if (d.keySignTest !== null) evidence.push(ev('dsregcmd', 'KeySignTest', d.keySignTest));
      if (d.aadRecoveryEnabled !== null) {
        evidence.push(ev('dsregcmd', 'AadRecoveryEnabled', yesNo(d.aadRecoveryEnabled)));
      }
      if (dsregBadKeyset) evidence.push(ev('dsregcmd', 'error code', NTE_BAD_KEYSET));
    }
    evidence.push(...eventEvidence(udrEvents));

    const hardware = tpmDriverErrors(snapshot).filter((e) =>
      (TPM_HARDWARE_ERROR_IDS as readonly number[]).includes(e.id),
    );
    const clearNeeded = tpmClearNeeded(snapshot);
    let remedy: Remedy;
    if (recovery) {
      remedy = {
        step: 'restart',
        action: t.actionRecovery,
        destroysKeys: false,
      };
    } else if (hardware.length > 0) {
      evidence.push(...eventEvidence(hardware));
      remedy = {
        step: 'update',
        action: t.actionHardware,
        destroysKeys: false,
      };
    } else if (clearNeeded.length > 0) {
      evidence.push(...clearNeeded);
      remedy = {
        step: 'clear',
        action: t.actionClear,
        destroysKeys: true,
      };
    } else {
      remedy = {
        step: 'reconfigure',
        action: t.actionReregister,
        destroysKeys: false,
      };
    }

    const finding: Finding = {
      id: ENTRA_DEVICE_KEY_UNUSABLE,
      severity: 'error',
      title: t.title,
      why: t.why,
      impacts: ['sync', 'compliance', 'windows-hello', 'attestation'],
      evidence,
      remedy,
      references: [REF.dsregcmd, REF.hybridJoinTroubleshoot, REF.primaryRefreshToken, REF.tpmDriverErrors],
    };
    return [finding];
  },
};
