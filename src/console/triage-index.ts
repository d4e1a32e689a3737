import type { FleetStore, TriageRow, TriageRun } from '../fleet/store/fleet-store.js';
import type { ClearSafety, TriageClass } from '../fleet/triage/triage-class.js';
import { storedBlockers } from '../fleet/triage/triage-row-blockers.js';
import { byUrgency } from '../fleet/triage/urgency.js';
import type { DeviceFilter } from './device-query.js';

/**
 * One finished triage run's devices, held once for the console to filter and page: a finished
 * run's rows never change (FleetStore), so they are read from the store once per run, not once
 * per request, and every page is a slice of this one copy. Beside each row only what filtering
 * needs: its search text and blocker codes.
 */
export class TriageIndex {
  readonly #rows: TriageRow[];
  readonly #search: string[];
  readonly #blockers: (readonly string[])[];

  private constructor(
    readonly run: TriageRun,
    rows: TriageRow[],
  ) {
    // Most urgent first, as every triage report lists devices (fleet/triage/urgency.ts).
    const facts = new Map(
      rows.map((r) => [
        r,
        {
          class: r.triageClass as TriageClass,
          clearSafety: r.clearSafety as ClearSafety,
          deviceName: r.deviceName,
          deviceId: r.deviceId,
        },
      ]),
    );
    rows.sort((a, b) => byUrgency(facts.get(a)!, facts.get(b)!));
    this.#rows = rows;
    this.#search = rows.map((r) =>
      `${r.deviceName ?? ''}\n${r.deviceId}\n${r.azureAdDeviceId ?? ''}`.toLowerCase(),
    );
    this.#blockers = rows.map((r) => storedBlockers(r).blockers.map((b) => b.code));
  }

  static async load(store: FleetStore, run: TriageRun): Promise<TriageIndex> {
    return new TriageIndex(run, await store.triageRows(run.id));
  }

  get size(): number {
    return this.#rows.length;
  }

  /** The devices matching `filter`, counted, and those of one page (1-based), most urgent first. */
  query(
    filter: DeviceFilter,
    page: number,
    pageSize: number,
  ): { total: number; rows: { row: TriageRow; blockers: readonly string[] }[] } {
    const classes = filter.classes.length > 0 ? new Set(filter.classes) : null;
    const safeties = filter.clearSafeties.length > 0 ? new Set(filter.clearSafeties) : null;
    const blockers = filter.blockers.length > 0 ? filter.blockers : null;
    const search = filter.search.toLowerCase();
    const first = (page - 1) * pageSize;
    const rows: { row: TriageRow; blockers: readonly string[] }[] = [];
    let total = 0;
    for (let i = 0; i < this.#rows.length; i++) {
      const row = this.#rows[i]!;
      if (classes !== null && !classes.has(row.triageClass)) continue;
      if (safeties !== null && !safeties.has(row.clearSafety)) continue;
      const codes = this.#blockers[i]!;
      if (blockers !== null && !blockers.some((b) => codes.includes(b))) continue;
      if (search !== '' && !this.#search[i]!.includes(search)) continue;
      if (total >= first && rows.length < pageSize) rows.push({ row, blockers: codes });
      total++;
    }
    return { total, rows };
  }

  find(deviceId: string): TriageRow | undefined {
    return this.#rows.find((r) => r.deviceId === deviceId);
  }

  /** Each blocker code with the number of devices it blocks, most frequent first. */
  blockerCounts(): { code: string; devices: number }[] {
    const counts = new Map<string, number>();
    for (const codes of this.#blockers)
      for (const c of new Set(codes)) counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts]
      .map(([code, devices]) => ({ code, devices }))
      .sort((a, b) => b.devices - a.devices || (a.code < b.code ? -1 : 1));
  }
}
