/**
 * One sliding-window limit ("at most `limit` units in any `windowMs`"), counting by the time each
 * unit was SETTLED, i.e. when its response came back. Graph counts a request when it arrives,
 * which is somewhere between our send and our receipt of the answer; stamping at receipt is
 * therefore never earlier than Graph's stamp, so our window never closes before Graph's does,
 * whatever the network latency. Units still in flight have no stamp yet and count as "now".
 */
export class SlidingWindow {
  private readonly stamps: number[] = [];
  private readonly amounts: number[] = [];
  private head = 0;
  private settledInWindow = 0;
  private inFlight = 0;

  constructor(
    readonly limit: number,
    /** The window length used for expiry: Graph's window plus our safety margin. */
    readonly windowMs: number,
  ) {}

  /** Units sent and not yet answered. */
  get pending(): number {
    return this.inFlight;
  }

  /** Units counted at `now`: settled within the window plus everything in flight. */
  used(now: number): number {
    this.expire(now);
    return this.settledInWindow + this.inFlight;
  }

  reserve(amount: number): void {
    this.inFlight += amount;
  }

  settle(amount: number, at: number): void {
    this.inFlight -= amount;
    if (amount === 0) return;
    // Stamps are appended in clock order (the clock is monotonic), so the array stays sorted.
    this.stamps.push(at);
    this.amounts.push(amount);
    this.settledInWindow += amount;
  }

  /**
   * Counts `amount` units answered at `at`, earlier than units already settled may be: the writes
   * an earlier process made (ThrottleBudget.recordEarlierWrites). Kept in clock order.
   */
  settleEarlier(amount: number, at: number): void {
    if (amount === 0) return;
    let i = this.stamps.length;
    while (i > this.head && (this.stamps[i - 1] ?? 0) > at) i--;
    this.stamps.splice(i, 0, at);
    this.amounts.splice(i, 0, amount);
    this.settledInWindow += amount;
  }

  /**
   * The earliest time >= now at which `amount` more units fit, or Infinity when they cannot fit
   * until something in flight settles.
   */
  roomAt(now: number, amount: number): number {
    this.expire(now);
    let excess = this.settledInWindow + this.inFlight + amount - this.limit;
    if (excess <= 0) return now;
    if (this.inFlight + amount > this.limit) return Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.stamps.length; i++) {
      excess -= this.amounts[i] ?? 0;
      if (excess <= 0) return (this.stamps[i] ?? now) + this.windowMs;
    }
    return Number.POSITIVE_INFINITY; // unreachable: the settled units alone cover the excess
  }

  /** A unit stamped at t counts in [t, t + windowMs). */
  private expire(now: number): void {
    while (this.head < this.stamps.length && (this.stamps[this.head] ?? 0) + this.windowMs <= now) {
      this.settledInWindow -= this.amounts[this.head] ?? 0;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps.splice(0, this.head);
      this.amounts.splice(0, this.head);
      this.head = 0;
    }
  }
}
