import type { FleetStore, TriageRow, TriageRun } from '../fleet/store/fleet-store.js';
import { type DeviceFacts, UNKNOWN_FACTS } from '../fleet/triage/device-facts.js';
import type { ClearSafety, TriageClass } from '../fleet/triage/triage-class.js';
import { triageRowMatcher } from '../fleet/triage/triage-filter.js';
import { storedBlockers } from '../fleet/triage/triage-row-blockers.js';
import { byUrgency } from '../fleet/triage/urgency.js';
import type { FactCounts } from './api-types.js';
import { type DeviceFilter, triageFilterOf } from './device-query.js';

/** How many values of each fact /api/fleet lists. */
const FACET_LIMIT = 200;

/** A row's facts; a row without them (none in a store of schema 5) reads as unknown. */
export function factsOf(row: TriageRow): DeviceFacts {
  return row.facts ?? UNKNOWN_FACTS;
}

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
  readonly #errorCodes: (readonly string[])[];

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
    this.#errorCodes = rows.map((r) => [...new Set(factsOf(r).settingErrors.map((e) => e.errorCode))]);
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
    // The one rule of which devices match (fleet/triage/triage-filter.ts), as a campaign selects them.
    const matches = triageRowMatcher(triageFilterOf(filter), this.run.createdAt);
    const search = filter.search.toLowerCase();
    const first = (page - 1) * pageSize;
    const rows: { row: TriageRow; blockers: readonly string[] }[] = [];
    let total = 0;
    for (let i = 0; i < this.#rows.length; i++) {
      const row = this.#rows[i]!;
      const codes = this.#blockers[i]!;
      if (!matches(row, codes)) continue;
      if (search !== '' && !this.#search[i]!.includes(search)) continue;
      if (total >= first && rows.length < pageSize) rows.push({ row, blockers: codes });
      total++;
    }
    return { total, rows };
  }

  find(deviceId: string): TriageRow | undefined {
    return this.#rows.find((r) => r.deviceId === deviceId);
  }

  /**
   * The values of each fact the console filters on, with their device counts, most frequent first
   * (at most FACET_LIMIT each): what the filters offer, `unknown` included where a fact was not read.
   */
  factCounts(): FactCounts {
    const count = (values: Iterable<string>) => {
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      return [...counts]
        .map(([value, devices]) => ({ value, devices }))
        .sort((a, b) => b.devices - a.devices || (a.value < b.value ? -1 : 1))
        .slice(0, FACET_LIMIT);
    };
    const facts = this.#rows.map(factsOf);
    return {
      models: count(facts.map((f) => f.model)),
      tpmManufacturers: count(facts.map((f) => f.tpmManufacturer)),
      firmwares: count(facts.map((f) => f.firmware)),
      errorCodes: count(this.#errorCodes.flat()),
    };
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
