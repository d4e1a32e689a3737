import type { CampaignDevice, FleetStore, PhaseChange } from '../store/fleet-store.js';
import type { PostAction } from './campaign-action.js';
import { classifyPostError, type PostOutcome } from './post-outcome.js';

export interface PostPhaseOptions {
  store: FleetStore;
  campaignId: string;
  post: PostAction;
  /** The devices to post, all `pending` when the phase starts, in order. */
  devices: readonly CampaignDevice[];
  /** POSTs in flight at once. The Graph client's budget does the pacing; this keeps its queue fed. */
  concurrency: number;
  /** Devices marked `posting` per store transaction. Small: after a crash, these are the devices
   * that may never have been posted yet are tracked as if they were (`unconfirmed`). */
  chunkSize: number;
  /** Ctrl-C: no new POST starts; those in flight finish and are recorded. */
  signal: AbortSignal;
  /** No POST starts after this time: a late action could not be tracked to its end anyway. */
  deadline: Date;
  now: () => Date;
  /** Called after each outcome is stored. */
  onRecorded?: (outcome: PostOutcome['kind']) => void;
}

export interface PostPhaseResult {
  /** POSTs sent this run (whatever their answer). */
  sent: number;
  /** Why the phase stopped early of its own accord (a systemic error), if it did. */
  stopError?: unknown;
}

/**
 * The post phase: mark a chunk `posting` in one transaction (committed before anything is sent:
 * the guarantee that a crash never leads to a second POST), send with `concurrency` in flight, and
 * record each answer as it comes. The next chunk is marked while the current one is still being
 * sent, so the client's budget never idles at a chunk boundary; marked devices that were not sent
 * when the phase stops go back to `pending` (they certainly were not sent).
 */
export async function runPostPhase(options: PostPhaseOptions): Promise<PostPhaseResult> {
  const { store, campaignId, concurrency, chunkSize } = options;
  const unmarked = [...options.devices];
  const ready: CampaignDevice[] = [];
  const halt = new AbortController();
  let marking: Promise<void> | undefined;
  let stopError: unknown;
  let sent = 0;

  const stop = (error: unknown): void => {
    if (stopError === undefined) stopError = error;
    halt.abort();
  };
  const stopped = (): boolean =>
    options.signal.aborted || halt.signal.aborted || options.now().getTime() >= options.deadline.getTime();

  const markNextChunk = async (): Promise<void> => {
    const chunk = unmarked.splice(0, chunkSize);
    const changed = new Set(
      await store.changePhases(
        campaignId,
        chunk.map((device) => ({ deviceId: device.deviceId, from: ['pending'], to: 'posting' })),
      ),
    );
    // Only devices this transaction moved: another runner may have taken some (compare-and-set).
    for (const device of chunk) if (changed.has(device.deviceId)) ready.push(device);
  };

  const take = async (): Promise<CampaignDevice | undefined> => {
    for (;;) {
      if (stopped()) return undefined;
      if (marking === undefined && ready.length <= concurrency && unmarked.length > 0) {
        marking = markNextChunk()
          .catch(stop)
          .finally(() => {
            marking = undefined;
          });
      }
      const device = ready.shift();
      if (device !== undefined) return device;
      if (marking === undefined) return undefined;
      await marking;
    }
  };

  const worker = async (): Promise<void> => {
    for (let device = await take(); device !== undefined; device = await take()) {
      sent += 1;
      const outcome = await options
        .post(device.deviceId)
        .then((): PostOutcome => ({ kind: 'posted' }), classifyPostError);
      try {
        await store.changePhases(campaignId, [recordOf(device.deviceId, outcome, options.now())]);
      } catch (error) {
        // The row stays `posting`: a resume turns it `unconfirmed`, never re-sends it.
        stop(error);
        return;
      }
      options.onRecorded?.(outcome.kind);
      if (outcome.kind === 'not-sent' || (outcome.kind === 'ambiguous' && outcome.stopRun)) {
        stop(new Error(outcome.error));
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (marking !== undefined) await marking;
  if (ready.length > 0) {
    const unsent = ready.splice(0);
    await store.changePhases(
      campaignId,
      unsent.map((device) => ({ deviceId: device.deviceId, from: ['posting'], to: 'pending' })),
    );
  }
  return stopError === undefined ? { sent } : { sent, stopError };
}

/** The store change recording one answer. */
function recordOf(deviceId: string, outcome: PostOutcome, now: Date): PhaseChange {
  // `unconfirmed` too: a second runner's resume may have moved our in-flight row there; the
  // answer we got is better knowledge than its guess.
  const from = ['posting', 'unconfirmed'] as const;
  switch (outcome.kind) {
    case 'posted':
      return { deviceId, from, to: 'posted', postedAt: now.toISOString(), error: null };
    case 'refused':
      return { deviceId, from, to: 'failed', error: outcome.error };
    case 'ambiguous':
      return { deviceId, from: ['posting'], to: 'unconfirmed', error: outcome.error };
    case 'not-sent':
      return { deviceId, from: ['posting'], to: 'pending', error: outcome.error };
  }
}
