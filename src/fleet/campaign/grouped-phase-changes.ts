import type { FleetStore, PhaseChange } from '../store/fleet-store.js';

/**
 * Phase changes of a campaign's post phase, committed in groups: the Graph client's budget admits
 * POSTs in bursts (a window frees up, dozens go at once) and their answers come back in bursts,
 * so the changes asked for in the same turn of the event loop go to the store in one transaction,
 * one fsync for all. Each `change` resolves once its transaction is committed: true when this
 * change moved the device (compare-and-set on its `from` phases), false when the device was not
 * in one of them (another runner had it); it rejects when the store failed.
 *
 * The "posting" mark is such a change, asked for when the budget admits the POST and awaited
 * before the POST leaves; the record of the answer is another.
 */
export class GroupedPhaseChanges {
  readonly #store: FleetStore;
  readonly #campaignId: string;
  #queue: Array<{ change: PhaseChange; resolve: (changed: boolean) => void; reject: (e: unknown) => void }> =
    [];
  #scheduled = false;

  constructor(store: FleetStore, campaignId: string) {
    this.#store = store;
    this.#campaignId = campaignId;
  }

  change(change: PhaseChange): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ change, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#commit());
      }
    });
  }

  /** Marks a device `posting` (from `pending`). */
  markPosting(deviceId: string): Promise<boolean> {
    return this.change({ deviceId, from: ['pending'], to: 'posting' });
  }

  async #commit(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#scheduled = false;
    try {
      const changed = new Set(
        await this.#store.changePhases(
          this.#campaignId,
          batch.map(({ change }) => change),
        ),
      );
      for (const { change, resolve } of batch) resolve(changed.has(change.deviceId));
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
