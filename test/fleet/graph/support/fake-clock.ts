import type { Clock } from '../../../../src/fleet/graph/clock.js';

/**
 * A clock that moves only when the test says so. `drive(promise)` lets the code under test run,
 * and whenever it is blocked on sleeps only, jumps to the earliest one: a 20-second window costs
 * no real time, and every run is the same.
 */
export class FakeClock implements Clock {
  private current = 0;
  private timers: { at: number; resolve: () => void }[] = [];

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = { at: this.current + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Moves time forward by `ms`, firing every sleep that ends on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settleMicrotasks();
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.fire(next);
    }
    this.current = target;
    await settleMicrotasks();
  }

  /** Runs until `promise` settles, jumping over sleeps. Fails if it blocks on something else. */
  async drive<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    promise.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    for (;;) {
      await settleMicrotasks();
      if (done) return promise;
      const next = this.earliest();
      if (!next) throw new Error('FakeClock.drive: blocked with no sleep pending');
      this.fire(next);
    }
  }

  private earliest(): { at: number; resolve: () => void } | undefined {
    let best: { at: number; resolve: () => void } | undefined;
    for (const timer of this.timers) if (!best || timer.at < best.at) best = timer;
    return best;
  }

  private fire(timer: { at: number; resolve: () => void }): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.current = Math.max(this.current, timer.at);
    timer.resolve();
  }
}

function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
