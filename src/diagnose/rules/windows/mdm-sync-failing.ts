import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Remedy } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { clearNeededEvidence } from '../tpm/support.js';
import { ev, eventEvidence, eventsOf, evidenceTime, hoursBefore, PROVIDER } from './evidence.js';
import { REF } from './references.js';
import { deviceKeyUnusable, intuneEnrolled, lockoutInPlay, lockoutReading } from './signals.js';

const MDM_SYNC_FAILING = 'mdm.sync-failing';

/** Windows checks in with Intune about every 8 hours once enrolled (Intune policy refresh intervals). */
const SYNC_CYCLE_HOURS = 8;
/** Three missed check-ins: a PC that was merely asleep or off overnight is not flagged. */
const SYNC_STALE_HOURS = 3 * SYNC_CYCLE_HOURS;
/** Intune's default "Compliance status validity period": a device silent this long turns non-compliant. */
const COMPLIANCE_VALIDITY_DAYS = 30;
/**
 * DeviceManagement-Enterprise-Diagnostics-Provider events that mean the OMA-DM session itself
 * failed (documented by administrators, not by Microsoft: docs/findings.md, mdm.sync-failing): 201 message failed to be sent, 209 session ended
 * (an error when it ended with a failure HRESULT), 4603 push (PushLaunch) failure. CSP and policy
 * errors (404, 454, ...) are left out: a sync can succeed while one setting fails.
 */
const SESSION_FAILURE_IDS = [201, 209, 4603] as const;

const SYNC_SOURCE = 'OMADM sync state';

function isZero(code: string): boolean {
  return /^\s*(0x)?0+\s*$/i.test(code);
}

/**
 * Intune sync is failing or has stopped: OMADM session failure events since the last successful
 * sync, a non-zero last error code from an attempt after it, or no successful sync for more than
 * three 8-hour cycles. An error when the PC has been silent past the compliance validity period, or
 * when it is both stale and failing; a warning otherwise.
 *
 * When the device cannot authenticate (unusable Entra keys, a TPM lockout), the failing sync is a
 * symptom: the finding then has no step of its own, so the verdict follows the cause.
 */
export const mdmSyncFailing: Rule = {
  ids: [MDM_SYNC_FAILING],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['mdm.sync-failing'];
    const w = snapshot.windows;
    if (!w || intuneEnrolled(snapshot) === false) return [];
    const now = evidenceTime(snapshot);
    const sync = w.mdmSync;
    const sinceSuccess = hoursBefore(sync?.lastSuccessfulSync ?? null, now);
    const stale = sinceSuccess !== null && sinceSuccess > SYNC_STALE_HOURS;

    const attemptedAfterSuccess = (() => {
      const success = sync?.lastSuccessfulSync ? Date.parse(sync.lastSuccessfulSync) : Number.NaN;
      const attempt = sync?.lastAttemptedSync ? Date.parse(sync.lastAttemptedSync) : Number.NaN;
      return Number.isNaN(success) || Number.isNaN(attempt) || attempt > success;
    })();
    const errorCode =
      sync?.lastErrorCode != null && !isZero(sync.lastErrorCode) && attemptedAfterSuccess
        ? sync.lastErrorCode
        : null;

    const failures = eventsOf(snapshot, PROVIDER.deviceManagement, SESSION_FAILURE_IDS).filter((e) => {
      if (e.level !== 'error' && e.level !== 'critical') return false;
      const age = hoursBefore(e.timeCreated, now);
      if (age === null) return true;
      return sinceSuccess === null ? age <= SYNC_STALE_HOURS : age < sinceSuccess;
    });
    if (!stale && errorCode === null && failures.length === 0) return [];

    const evidence: Evidence[] = [];
    if (sync) {
      evidence.push(ev(SYNC_SOURCE, 'lastSuccessfulSync', sync.lastSuccessfulSync));
      evidence.push(ev(SYNC_SOURCE, 'lastAttemptedSync', sync.lastAttemptedSync));
      if (errorCode !== null) evidence.push(ev(SYNC_SOURCE, 'lastErrorCode', errorCode));
      if (sinceSuccess !== null) {
        evidence.push(ev(SYNC_SOURCE, 'hours since last successful sync', Math.round(sinceSuccess)));
      }
    }
    evidence.push(...eventEvidence(failures));

    const silentTooLong = sinceSuccess !== null && sinceSuccess > COMPLIANCE_VALIDITY_DAYS * 24;
    const severity =
      silentTooLong || (stale && (errorCode !== null || failures.length > 0)) ? 'error' : 'warning';

    const auth = w.dsregcmd?.deviceAuthStatus ?? null;
    let remedy: Remedy;
    if (auth !== null && /disabled|deleted/i.test(auth)) {
      evidence.push(ev('dsregcmd', 'DeviceAuthStatus', auth));
      remedy = {
        step: 'reconfigure',
        action: t.actionDeviceDisabled,
        destroysKeys: false,
      };
    } else if (
      deviceKeyUnusable(snapshot) ||
      lockoutInPlay(lockoutReading(snapshot)) ||
      clearNeededEvidence(snapshot).length > 0
    ) {
      // A known cause upstream (the seed scenario: the TPM's state breaks the device's
      // authentication, Windows says only a clear recovers it): the sync is its symptom.
      remedy = {
        step: 'none',
        action: t.actionUpstream,
        destroysKeys: false,
      };
    } else {
      remedy = {
        step: 'restart',
        action: t.actionSync,
        destroysKeys: false,
      };
    }

    return [
      {
        id: MDM_SYNC_FAILING,
        severity,
        title: stale ? t.titleStale({ hours: Math.round(sinceSuccess ?? 0) }) : t.titleFailing,
        why: t.why,
        impacts: ['sync', 'compliance'],
        evidence,
        remedy,
        references: [REF.intunePolicyRefresh, REF.intuneComplianceSettings, REF.diagnoseMdm],
      },
    ];
  },
};
