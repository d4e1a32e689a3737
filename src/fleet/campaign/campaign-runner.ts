import { EN } from '../../text/messages/en.js';
import type { IntuneApi } from '../graph/intune-api.js';
import type { EarlierWrites } from '../graph/throttle-budget.js';
import type { Campaign, DevicePhase, FleetStore } from '../store/fleet-store.js';
import { abortableSleep } from './abortable-sleep.js';
import { runBulkPostPhase } from './bulk-post-phase.js';
import { bulkActionFor, postActionFor } from './campaign-action.js';
import { CampaignError } from './campaign-error.js';
import { openPhases } from './campaign-phases.js';
import { type CampaignProgress, ProgressRate } from './campaign-progress.js';
import { CampaignTracker } from './campaign-tracker.js';
import { runPostPhase } from './post-phase.js';
import { redactGraphError } from './redact-graph-error.js';
import { parseGraphTime } from './sync-time.js';

export interface RunCampaignOptions {
  intune: IntuneApi;
  store: FleetStore;
  campaignId: string;
  /** Ctrl-C: POSTs in flight finish and are recorded, the campaign is `stopped`; `fleet resume ID` resumes it. */
  signal?: AbortSignal;
  onProgress?: (progress: CampaignProgress) => void;
  /** Between tracking rounds (default 60 s: a device takes minutes to act on a sync). */
  pollIntervalMs?: number;
  /** POSTs waiting for the budget or in flight at once (default 64: enough to use a whole burst). */
  concurrency?: number;
  /** Devices marked `posting` per transaction (default: the concurrency). */
  chunkSize?: number;
  /** Devices read per tracking round at most (default 1,000: see CampaignTracker). */
  maxReadsPerTick?: number;
  /** Consecutive failed tracking rounds tolerated before the run stops (default 3). */
  maxTrackingFailures?: number;
  /**
   * Post every pending device, then return without waiting for syncs (`fleet sync --no-wait`).
   * The campaign is left `stopped` (unless every device is already final): running it again
   * tracks it to its end, posting nothing twice.
   */
  postOnly?: boolean;
  /** The clock (tests pin it; deadlines are compared with it). */
  now?: () => Date;
  /**
   * How long the next POST, costing `writes` (1, or the devices of an executeAction call), would
   * wait for the write budget now, in ms (GraphClient's devices budget: ThrottleBudget.waitMs),
   * shown as "waiting for the next write window".
   */
  writeWindowWaitMs?: (writes: number) => number | null;
  /**
   * The write budget the campaign's POSTs are paced by (GraphClient's devices budget). Before its
   * first POST the run counts in it the writes the store recorded for this tenant within the last
   * window: the posts of every campaign (FleetStore.postTimesSince) and every other Graph write of
   * the devices service, whatever command sent it (a triage's report export jobs, a script
   * upload: FleetStore.graphWritesSince, schema 6): Graph's window still holds an
   * earlier process's writes (a Ctrl-C and an immediate resume, two campaigns back to back, a
   * triage then a campaign), and a budget that started empty would be throttled by them
   * (docs/campaigns.md, "Writes of an earlier run").
   */
  writeBudget?: EarlierWriteBudget;
  /**
   * Told how many stored Graph write records were ignored when seeding `writeBudget`: dated too far
   * in the future, or without a valid count (FleetStore.graphWritesSince), for a one-line warning.
   */
  onIgnoredWriteRecords?: (ignored: number) => void;
  /** How often the progress is reported even when nothing changed (default 1 s), so it never looks frozen. */
  progressIntervalMs?: number;
  /**
   * Post sync and reboot campaigns with executeAction (beta), `batchSize` devices per request
   * (bulk-post-phase.ts), falling back to one POST per device when Graph refuses it. Off when not
   * given (one POST per device); remediate and clear campaigns always post per device.
   */
  bulk?: { batchSize: number; concurrency?: number };
}

/** What the runner needs of a ThrottleBudget to count an earlier process's writes. */
export interface EarlierWriteBudget {
  readonly limits: { readonly windowMs: number };
  /** Counts writes made `ageMs` ago (ThrottleBudget.recordEarlierWrites); returns how many counted. */
  recordEarlierWrites(earlier: readonly EarlierWrites[]): number;
}

/** Looked back further than the window: the budget's safety margin (at most 200 ms) and clock steps. */
const EARLIER_WRITES_SLACK_MS = 1_000;

export interface CampaignRunResult {
  campaign: Campaign;
  /** `finished` when every device is final; `stopped` after Ctrl-C. */
  status: 'finished' | 'stopped';
  counts: Record<DevicePhase, number>;
  /** POSTs sent by this run (devices, whether one by one or in executeAction calls). */
  sent: number;
  /**
   * executeAction calls this run sent, and why Graph refused it (redacted) when it did, after which
   * the devices were posted one by one. Absent when the campaign did not post in bulk.
   */
  bulk?: { calls: number; refused: string | null };
}

/**
 * Runs (or resumes) a campaign to its end. The order is the campaign's guarantee that no device
 * is ever posted twice, since a clear or a reboot sent twice would act twice (docs/campaigns.md):
 * 1. every device still `posting` (a crash or kill between the mark and the answer) becomes
 *    `unconfirmed`: Graph may have acted on it, so it is tracked and never sent again;
 * 2. the post phase marks each device `posting` in a committed transaction when Graph's budget
 *    admits its POST, just before it leaves, then records the answer (runPostPhase);
 * 3. in parallel, the tracker reads the posted devices every poll interval until each is final.
 * A store or systemic error stops the run (status `stopped`) and is thrown as a CampaignError;
 * nothing recorded is lost, and running again resumes.
 */
export async function runCampaign(options: RunCampaignOptions): Promise<CampaignRunResult> {
  const { intune, store, campaignId } = options;
  const signal = options.signal ?? new AbortController().signal;
  const now = options.now ?? (() => new Date());
  const concurrency = options.concurrency ?? 64;
  const pollIntervalMs = options.pollIntervalMs ?? 60_000;
  const maxTrackingFailures = options.maxTrackingFailures ?? 3;

  const campaign = await store.getCampaign(campaignId);
  if (campaign === undefined)
    throw new CampaignError(`no campaign with id ${campaignId} in ${store.description}`);
  if (campaign.status === 'finished') {
    return { campaign, status: 'finished', counts: await store.phaseCounts(campaignId), sent: 0 };
  }
  if (campaign.status === 'abandoned') {
    throw new CampaignError(
      `campaign ${campaignId} was abandoned ("tpm-doctor fleet abandon"): it is never resumed; start a new campaign`,
    );
  }
  const post = postActionFor(intune, campaign);
  const deadline = new Date(parseGraphTime(campaign.deadline) ?? Number.NaN);
  if (Number.isNaN(deadline.getTime())) {
    throw new CampaignError(
      `campaign ${campaignId} has no valid deadline (found ${JSON.stringify(campaign.deadline)})`,
    );
  }

  await store.setCampaignStatus(campaignId, 'running');
  // Before `posting` rows turn `unconfirmed` (which stamps them now): their own time is closer.
  let earlierWrites = 0;
  if (options.writeBudget !== undefined) {
    const at = now().getTime();
    const since = new Date(at - options.writeBudget.limits.windowMs - EARLIER_WRITES_SLACK_MS);
    // Disjoint: a campaign's POSTs are recorded by their devices' rows, not as Graph writes
    // (GraphClientOptions.recordWrite), so none is counted twice.
    const written = await store.graphWritesSince(campaign, 'devices', since.toISOString());
    if (written.ignored > 0) options.onIgnoredWriteRecords?.(written.ignored);
    const earlier = [
      ...(await store.postTimesSince(campaign, since.toISOString())).map((sentAt) => ({ sentAt, writes: 1 })),
      ...written.records,
    ];
    earlierWrites = options.writeBudget.recordEarlierWrites(
      earlier.map(({ sentAt, writes }) => ({ ageMs: at - Date.parse(sentAt), writes })),
    );
  }
  const interrupted = await store.campaignDevices(campaignId, ['posting']);
  if (interrupted.length > 0) {
    await store.changePhases(
      campaignId,
      interrupted.map((device) => ({
        deviceId: device.deviceId,
        from: ['posting'],
        to: 'unconfirmed',
        // Stored in English; shown in the admin's language (campaign-status.ts).
        error: EN['fleet.interrupted-post'],
      })),
    );
  }

  const rate = new ProgressRate(now);
  const bulkAction = options.bulk === undefined ? undefined : bulkActionFor(campaign);
  /** True while the bulk post phase runs (not after a fallback to per-device POSTs). */
  let bulkPosting = bulkAction !== undefined;
  let sent = 0;
  const report = async (): Promise<void> => {
    if (options.onProgress === undefined) return;
    const counts = await store.phaseCounts(campaignId);
    // While posting in bulk, the next call needs room for a whole batch of writes.
    const writes = bulkPosting ? Math.max(1, Math.min(options.bulk?.batchSize ?? 1, counts.pending)) : 1;
    options.onProgress(
      rate.progress(campaign, counts, sent, options.writeWindowWaitMs?.(writes) ?? null, {
        earlierRun: earlierWrites > 0 && sent === 0,
      }),
    );
  };
  // Between posts (a throttled write window) and tracking rounds nothing else reports: tick the
  // line so its time left and write-window wait keep moving.
  const ticker =
    options.onProgress === undefined
      ? undefined
      : setInterval(() => void report().catch(() => undefined), options.progressIntervalMs ?? 1_000);
  ticker?.unref();

  // Stops the tracker when the post phase fails, and the post phase when tracking gives up.
  const halt = new AbortController();
  const stopSignal = AbortSignal.any([signal, halt.signal]);
  let failure: unknown;
  const fail = (error: unknown): void => {
    if (failure === undefined) failure = error;
    halt.abort();
  };

  const recorded = (): void => {
    sent += 1;
    rate.recordPost();
    if (sent % concurrency === 0) void report().catch(() => undefined);
  };
  let bulk: CampaignRunResult['bulk'];
  let postingDone = false;
  const posting = (async () => {
    let pending = await store.campaignDevices(campaignId, ['pending']);
    if (bulkAction !== undefined && options.bulk !== undefined) {
      const bulkResult = await runBulkPostPhase({
        store,
        campaignId,
        intune,
        action: bulkAction,
        batchSize: options.bulk.batchSize,
        concurrency: options.bulk.concurrency ?? 2,
        devices: pending,
        signal: stopSignal,
        deadline,
        now,
        onRecorded: recorded,
      });
      bulkPosting = false;
      const refused = bulkResult.refused;
      bulk = {
        calls: bulkResult.calls,
        refused: refused === undefined ? null : redactGraphError(refused.message),
      };
      if (bulkResult.stopError !== undefined) {
        fail(bulkResult.stopError);
        return;
      }
      if (refused === undefined || stopSignal.aborted) return;
      // Graph refused executeAction for this app: the devices still pending go one by one.
      pending = await store.campaignDevices(campaignId, ['pending']);
    }
    const result = await runPostPhase({
      store,
      campaignId,
      post,
      devices: pending,
      concurrency,
      chunkSize: options.chunkSize ?? concurrency,
      signal: stopSignal,
      deadline,
      now,
      onRecorded: recorded,
    });
    if (result.stopError !== undefined) fail(result.stopError);
  })()
    .catch(fail)
    .finally(() => {
      postingDone = true;
    });

  const tracker = new CampaignTracker({
    intune,
    store,
    campaign,
    now,
    maxReadsPerTick: options.maxReadsPerTick ?? 1_000,
  });
  let finished = false;
  const tracking = (async () => {
    if (options.postOnly) {
      await posting;
      if (failure !== undefined || stopSignal.aborted) return;
      try {
        finished = (await tracker.openCount()) === 0;
      } catch (error) {
        fail(error);
      }
      return;
    }
    let failures = 0;
    while (!stopSignal.aborted) {
      const wasPostingDone = postingDone;
      try {
        // `fleet abandon` from another process: the store already refuses its posting marks; the
        // tracking stops too instead of following the campaign to its deadline.
        if ((await store.getCampaign(campaignId))?.status === 'abandoned') {
          halt.abort();
          return;
        }
        const open = await tracker.tick();
        failures = 0;
        await report();
        // Only final once the post phase had ended before this round read the store.
        if (wasPostingDone && open === 0) {
          finished = true;
          return;
        }
      } catch (error) {
        failures += 1;
        if (failures >= maxTrackingFailures) {
          fail(error);
          return;
        }
      }
      await abortableSleep(pollIntervalMs, stopSignal);
    }
  })();

  await Promise.all([posting, tracking]).finally(() => clearInterval(ticker));
  let status: 'finished' | 'stopped' = finished && failure === undefined ? 'finished' : 'stopped';
  if (status === 'stopped') {
    // Another runner may have finished the campaign meanwhile: never write `stopped` over that.
    const counts = await store.phaseCounts(campaignId);
    if (openPhases(campaign.action).every((phase) => counts[phase] === 0)) status = 'finished';
  }
  await store.setCampaignStatus(campaignId, status);
  await report().catch(() => undefined);
  if (failure !== undefined) {
    const reason = redactGraphError(failure instanceof Error ? failure.message : String(failure));
    throw new CampaignError(
      `campaign ${campaignId} stopped: ${reason}. Every device's state is saved; "tpm-doctor fleet resume ${campaignId}" resumes it.`,
      { cause: failure },
    );
  }
  return {
    campaign: { ...campaign, status },
    status,
    counts: await store.phaseCounts(campaignId),
    sent,
    ...(bulk === undefined ? {} : { bulk }),
  };
}
