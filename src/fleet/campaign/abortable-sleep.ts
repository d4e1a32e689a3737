import { MAX_TIMER_MS } from '../graph/clock.js';

/**
 * Waits `ms`, or less when `signal` aborts (then resolves, never rejects): the tracker's poll
 * interval must not hold a Ctrl-C for a whole interval.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal.addEventListener('abort', done, { once: true });
  });
}
