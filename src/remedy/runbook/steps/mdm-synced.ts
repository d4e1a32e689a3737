// Sources: the Intune enrollment (HKLM\SOFTWARE\Microsoft\Enrollments, ProviderID "MS DM Server"), the
// OMADM ConnInfo last-success time, the PushLaunch task / deviceenroller, and Graph
// syncDevice / lastSyncDateTime (docs/clear.md, the Windows runbook).
import { isIntuneEnrollment } from '../../../probe/windows/mdm-enrollments.js';
import { formatDuration } from '../../../text/duration.js';
import type { JsonObject } from '../../journal.js';
import { done, failed, type RunbookStep, waiting } from '../step.js';
import { problemWith, readWindows, runAction, triggerMdmSyncAction } from '../windows.js';
import { isAfter } from './time.js';

const MDM_SYNCED = 'mdm-synced';

/** A sync after a clear takes minutes and can take up to a day (docs/clear.md, the Windows runbook). Past this the step fails. */
const MDM_SYNC_GIVE_UP_MS = 24 * 60 * 60 * 1000;
/** Trigger a new session at most this often while waiting. */
const RETRIGGER_MS = 60 * 60 * 1000;

const KEEP_AWAKE =
  'Keep this PC switched on, awake and on mains power until Intune has synced: it usually takes about 10 minutes ' +
  'and can take up to a day. To push it along: Settings > Accounts > Access work or school > your organisation > Info > Sync.';

/**
 * Done when the device's last successful MDM session (or Intune's lastSyncDateTime) is later than
 * this step's first start: a sync before it would report the device as it was before the TPM,
 * BitLocker and Entra steps had recovered. Acts by starting a session (PushLaunch, else
 * deviceenroller; and Graph syncDevice when available). Gives up after a day.
 */
export function mdmSyncedStep(): RunbookStep {
  return {
    id: MDM_SYNCED,
    title: 'Synced with Intune',
    instruction: KEEP_AWAKE,
    actAtMostEveryMs: RETRIGGER_MS,
    async check(ctx) {
      const ev = await readWindows(ctx, ['enrollments', 'mdm-sync']);
      if (ev.enrollments === null) {
        return failed(`The MDM enrollments could not be read: ${problemWith(ev, 'enrollments')}.`);
      }
      const intune = ev.enrollments.find(isIntuneEnrollment);
      if (intune === undefined) {
        return failed(
          'The device has no Intune enrollment (no Enrollments key with ProviderID "MS DM Server").',
          { enrollments: ev.enrollments.length },
          'Enroll the device in Intune (Settings > Accounts > Access work or school), then run tpm-doctor resume.',
        );
      }
      const since = ctx.attempt.firstStartedAt;
      const deviceSync = ev.mdmSync?.lastSuccessfulSync ?? null;
      const managedDeviceId = ctx.facts.managedDeviceId;
      const graphSync =
        ctx.graph !== undefined && managedDeviceId !== undefined
          ? await ctx.graph.lastSyncDateTime(managedDeviceId)
          : null;
      const evidence: JsonObject = {
        enrollmentId: intune.enrollmentId,
        syncRequestedSince: since,
        deviceLastSuccessfulSync: deviceSync,
        deviceLastAttemptedSync: ev.mdmSync?.lastAttemptedSync ?? null,
        lastErrorCode: ev.mdmSync?.lastErrorCode ?? null,
        graphLastSyncDateTime: graphSync,
      };
      if (isAfter(deviceSync, since) || isAfter(graphSync, since)) {
        const at = isAfter(deviceSync, since) ? deviceSync : graphSync;
        return done(`Intune synced at ${at}, after the sync was requested (${since}).`, evidence);
      }
      const waited = ctx.now().getTime() - Date.parse(since);
      if (waited > MDM_SYNC_GIVE_UP_MS) {
        return failed(
          `No successful Intune sync in ${formatDuration(waited / 1000)} since ${since} (last success ${deviceSync ?? 'unknown'}` +
            `${ev.mdmSync?.lastErrorCode ? `, last error ${ev.mdmSync.lastErrorCode}` : ''}).`,
          evidence,
          'Check the DeviceManagement-Enterprise-Diagnostics-Provider/Admin event log for the session error, ' +
            'restart the PC, then run tpm-doctor resume.',
        );
      }
      return waiting(
        `Waiting for Intune to sync (requested ${formatDuration(waited / 1000)} ago; last successful sync ${deviceSync ?? 'unknown'}). ` +
          'Keep this PC awake and on mains power until it does.',
        evidence,
        KEEP_AWAKE,
      );
    },
    async act(ctx, seen) {
      const enrollmentId = seen.evidence.enrollmentId;
      if (typeof enrollmentId !== 'string') return undefined;
      const device = await runAction(ctx.runner, triggerMdmSyncAction(enrollmentId));
      const managedDeviceId = ctx.facts.managedDeviceId;
      let graph = false;
      if (ctx.graph !== undefined && managedDeviceId !== undefined) {
        await ctx.graph.syncDevice(managedDeviceId);
        graph = true;
      }
      return { device, graphSyncDevice: graph };
    },
  };
}
