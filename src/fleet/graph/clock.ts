/**
 * Time, injectable: the throttle budget and the retry loop read and wait on a Clock so unit tests
 * can run a 20-second window in microseconds (test/fleet/graph/support/fake-clock.ts).
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  /** Resolves after `ms` (at once for ms <= 0); rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The longest delay Node's timers take: a setTimeout over 2^31-1 ms fires after 1 ms instead
 * (Node.js timers documentation, setTimeout). Every wait is capped below it, so a huge value
 * waits long instead of turning into a busy loop.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock. `performance.now()` rather than `Date.now()`: a wall-clock step (NTP, DST) must
 * not shrink or stretch a throttling window.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (ms <= 0) {
        resolve();
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(ms, MAX_TIMER_MS),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
