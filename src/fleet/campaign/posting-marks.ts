import type { FleetStore } from '../store/fleet-store.js';

/**
 * Records "posting" for devices whose POST the Graph client's budget has just admitted, in one
 * store transaction per burst: the budget admits waiters in bursts (a window frees up, a dozen go),
 * so marks asked for in the same turn of the event loop are committed together, one fsync for all.
 * Each `mark` resolves true when this runner moved the device pending → posting (compare-and-set),
 * false when someone else did; it rejects when the store failed, and then nothing is sent.
 */
export class PostingMarks {
  readonly #store: FleetStore;
  readonly #campaignId: string;
  #queue: Array<{ deviceId: string; resolve: (marked: boolean) => void; reject: (e: unknown) => void }> = [];
  #scheduled = false;

  constructor(store: FleetStore, campaignId: string) {
    this.#store = store;
    this.#campaignId = campaignId;
  }

  mark(deviceId: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ deviceId, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#commit());
      }
    });
  }

  async #commit(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    try {
      const changed = new Set(
        await this.#store.changePhases(
          this.#campaignId,
          batch.map(({ deviceId }) => ({ deviceId, from: ['pending'], to: 'posting' })),
        ),
      );
      for (const { deviceId, resolve } of batch) resolve(changed.has(deviceId));
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
