/**
 * The lab tenant's notion of "now", in milliseconds since the epoch. Device state evolves lazily
 * against this clock (nothing runs on timers), so tests can also drive it by hand.
 */
export interface LabClock {
  now(): number;
}

export const systemClock: LabClock = { now: () => Date.now() };

/** A clock that moves only when told: for tests of state evolution without waiting. */
export class ManualClock implements LabClock {
  #now: number;

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}
