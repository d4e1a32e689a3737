import type { CampaignDevice, FleetStore, PhaseChange } from '../store/fleet-store.js';
import type { PostAction } from './campaign-action.js';
import { GroupedPhaseChanges } from './grouped-phase-changes.js';
import { classifyPostError, type PostOutcome } from './post-outcome.js';

export interface PostPhaseOptions {
  store: FleetStore;
  campaignId: string;
  post: PostAction;
  /** The devices to post, all `pending` when the phase starts, in order. */
  devices: readonly CampaignDevice[];
  /** POSTs in flight at once. The Graph client's budget does the pacing; this keeps its queue fed. */
  concurrency: number;
  /** Unused since marks are taken at admission (PostingMarks groups them); kept for callers. */
  chunkSize?: number;
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

/** Thrown from the mark hook when the POST must not go out; nothing was sent. */
export class NotMarked extends Error {
  constructor(readonly storeError?: unknown) {
    super('not marked posting');
  }
}

/**
 * The post phase. Each device is marked `posting` at the moment the Graph client's budget admits
 * its POST, just before it leaves (a committed transaction, grouped per burst: GroupedPhaseChanges), and
 * its answer is recorded when it comes. So a crash can leave in doubt only POSTs that were
 * leaving: those few become `unconfirmed` at the next start and are never re-sent; every device
 * still waiting for the budget stays `pending` and is posted by the resume. `concurrency` POSTs
 * wait in the budget at once, enough to keep it busy.
 */
export async function runPostPhase(options: PostPhaseOptions): Promise<PostPhaseResult> {
  const { store, campaignId, concurrency } = options;
  const queue = [...options.devices];
  const changes = new GroupedPhaseChanges(store, campaignId);
  const halt = new AbortController();
  let stopError: unknown;
  let sent = 0;

  const stop = (error: unknown): void => {
    if (stopError === undefined) stopError = error;
    halt.abort();
  };
  const stopped = (): boolean =>
    options.signal.aborted || halt.signal.aborted || options.now().getTime() >= options.deadline.getTime();
  // Ctrl-C or a stop also ends the waits in the budget: devices still waiting are not sent.
  const sendSignal = AbortSignal.any([options.signal, halt.signal]);

  const worker = async (): Promise<void> => {
    for (let device = queue.shift(); device !== undefined; device = queue.shift()) {
      if (stopped()) return;
      const { deviceId } = device;
      let outcome: PostOutcome;
      let postError: unknown;
      let marked = false;
      try {
        await options.post(
          deviceId,
          async () => {
            // Admitted by the budget: last chance not to send (Ctrl-C, deadline, another runner).
            if (stopped()) throw new NotMarked();
            let isOurs: boolean;
            try {
              isOurs = await changes.markPosting(deviceId);
            } catch (error) {
              throw new NotMarked(error);
            }
            if (!isOurs) throw new NotMarked();
            marked = true;
            sent += 1;
          },
          sendSignal,
        );
        outcome = { kind: 'posted' };
      } catch (error) {
        if (!marked) {
          // Nothing was sent and this runner never marked the device: it stays as it was
          // (pending, or another runner's `posting`, which must not be touched). A failure before
          // the mark (no token, the budget's wait aborted) says nothing about this device.
          if (error instanceof NotMarked) {
            if (error.storeError !== undefined) stop(error.storeError);
          } else if (!stopped()) {
            stop(error);
          }
          continue;
        }
        postError = error;
        outcome = classifyPostError(error);
      }
      try {
        await changes.change(recordOf(deviceId, outcome, options.now()));
      } catch (error) {
        // The row stays `posting`: a resume turns it `unconfirmed`, never re-sends it.
        stop(error);
        return;
      }
      options.onRecorded?.(outcome.kind);
      if (outcome.kind === 'not-sent' || (outcome.kind === 'ambiguous' && outcome.stopRun)) {
        // The error itself: the campaign exits as what stopped it (Graph: 14, docs/exit-codes.md).
        stop(postError);
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return stopError === undefined ? { sent } : { sent, stopError };
}

/** The store change recording one answer. */
export function recordOf(deviceId: string, outcome: PostOutcome, now: Date): PhaseChange {
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
