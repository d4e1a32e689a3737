import type { GraphError } from '../graph/graph-error.js';
import type { BulkDeviceAction } from '../graph/graph-types.js';
import type { IntuneApi } from '../graph/intune-api.js';
import { bulkOutcomes, isBulkRefusal } from './bulk-outcome.js';
import { GroupedPhaseChanges } from './grouped-phase-changes.js';
import { classifyPostError, type PostOutcome } from './post-outcome.js';
import { NotMarked, type PostPhaseOptions, type PostPhaseResult, recordOf } from './post-phase.js';

export interface BulkPostPhaseOptions
  extends Omit<PostPhaseOptions, 'post' | 'concurrency' | 'chunkSize' | 'onRecorded'> {
  intune: IntuneApi;
  action: BulkDeviceAction;
  /** Devices per executeAction (at most BULK_ACTION_MAX_DEVICES, and within the write window). */
  batchSize: number;
  /** executeAction requests waiting for the budget or in flight at once. */
  concurrency: number;
  /** Called after each device's outcome is stored. */
  onRecorded?: (outcome: PostOutcome['kind']) => void;
}

export interface BulkPostPhaseResult extends PostPhaseResult {
  /** executeAction requests sent this run. */
  calls: number;
  /**
   * Graph refused executeAction as a request (bulk-outcome.ts): it acted on none of that call's
   * devices, which are `pending` again; the caller posts what is still pending one by one.
   */
  refused?: GraphError;
}

/**
 * The post phase with executeAction (beta): up to `batchSize` devices per request. The guarantee is
 * the per-device phase's (post-phase.ts): when the budget admits a call, and only then, its
 * devices are marked `posting` in one committed transaction and the call carries only the devices
 * this runner marked; each device's answer is recorded once (bulk-outcome.ts). A crash leaves in
 * doubt only the calls that were leaving (their devices turn `unconfirmed` at the next start,
 * never re-sent); every device still waiting is `pending`. A call Graph refuses as a whole
 * (isBulkRefusal) ends the bulk phase: its devices go back to `pending` and the caller continues
 * per device, so nothing is posted twice by the fallback either.
 */
export async function runBulkPostPhase(options: BulkPostPhaseOptions): Promise<BulkPostPhaseResult> {
  const { store, campaignId, intune, action } = options;
  const batchSize = Math.max(1, options.batchSize);
  const queue = [...options.devices];
  const changes = new GroupedPhaseChanges(store, campaignId);
  const halt = new AbortController();
  let stopError: unknown;
  let refused: GraphError | undefined;
  let sent = 0;
  let calls = 0;

  const stop = (error: unknown): void => {
    if (stopError === undefined) stopError = error;
    halt.abort();
  };
  const stopped = (): boolean =>
    options.signal.aborted || halt.signal.aborted || options.now().getTime() >= options.deadline.getTime();
  const sendSignal = AbortSignal.any([options.signal, halt.signal]);

  const record = async (outcomes: Iterable<[string, PostOutcome]>): Promise<boolean> => {
    const now = options.now();
    const list = [...outcomes];
    try {
      await Promise.all(list.map(([deviceId, outcome]) => changes.change(recordOf(deviceId, outcome, now))));
    } catch (error) {
      // The rows stay `posting`: a resume turns them `unconfirmed`, never re-sends them.
      stop(error);
      return false;
    }
    for (const [, outcome] of list) options.onRecorded?.(outcome.kind);
    return true;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopped()) return;
      const batch = queue.splice(0, batchSize);
      if (batch.length === 0) return;
      let marked: readonly string[] = [];
      try {
        const answer = await intune.executeDeviceAction(
          action,
          batch.map((device) => device.deviceId),
          {
            signal: sendSignal,
            admit: async (asked) => {
              // Admitted by the budget: last chance not to send (Ctrl-C, deadline, a refusal).
              if (stopped()) throw new NotMarked();
              let ours: boolean[];
              try {
                ours = await Promise.all(asked.map((deviceId) => changes.markPosting(deviceId)));
              } catch (error) {
                throw new NotMarked(error);
              }
              marked = asked.filter((_, i) => ours[i]);
              // Every device was taken by another runner: nothing to send.
              if (marked.length === 0) throw new NotMarked();
              sent += marked.length;
              calls += 1;
              return marked;
            },
          },
        );
        if (!(await record(bulkOutcomes(answer.sent, answer.result)))) return;
      } catch (error) {
        if (marked.length === 0) {
          // Nothing was sent: the devices stay as they were (see post-phase.ts).
          if (error instanceof NotMarked) {
            if (error.storeError !== undefined) stop(error.storeError);
          } else if (!stopped()) {
            stop(error);
          }
          continue;
        }
        if (isBulkRefusal(error)) {
          // Graph acted on none of them: back to `pending`, for the per-device POSTs that follow.
          refused ??= error;
          halt.abort();
          try {
            await Promise.all(
              marked.map((deviceId) =>
                changes.change({ deviceId, from: ['posting'], to: 'pending', error: null }),
              ),
            );
          } catch (storeError) {
            stop(storeError);
          }
          sent -= marked.length;
          return;
        }
        const outcome = classifyPostError(error);
        if (!(await record(marked.map((deviceId) => [deviceId, outcome] as [string, PostOutcome])))) return;
        if (outcome.kind === 'not-sent' || (outcome.kind === 'ambiguous' && outcome.stopRun)) {
          stop(error);
          return;
        }
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return {
    sent,
    calls,
    ...(stopError === undefined ? {} : { stopError }),
    ...(refused === undefined ? {} : { refused }),
  };
}
