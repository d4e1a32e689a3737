import type { IntuneApi } from '../graph/intune-api.js';
import type { FleetStore, TriageRun } from '../store/fleet-store.js';
import { type TriageRunOptions, triageFleet } from './triage.js';
import { type TriageResult, toTriageRow } from './triage-result.js';
import type { TriageSummary } from './triage-summary.js';

/** Rows written to the store per call: one transaction per few hundred devices, not per device. */
const ROWS_PER_WRITE = 500;

/**
 * A triage of the whole tenant kept in the store as `fleet triage` keeps it (docs/store.md): a
 * run begun with the tenant's target and key, the devices that need something (healthy ones are
 * counted, not stored: a campaign selects devices that need something), and the summary when
 * it finishes. `fleet triage` and the console's "new triage" both run it; without a store the
 * triage runs and nothing is kept.
 */
export async function storedTriage(
  intune: IntuneApi,
  options: Omit<TriageRunOptions, 'onResult'> & {
    store: FleetStore | undefined;
    target: string;
    tenantKey: string | undefined;
    /** Every device's result, healthy ones too (the reports' writers). */
    onResult?: (result: TriageResult) => void | Promise<void>;
  },
): Promise<{ summary: TriageSummary; run: TriageRun | undefined }> {
  const { store, target, tenantKey, onResult, ...triageOptions } = options;
  const runId = store ? await store.beginTriage(target, tenantKey) : undefined;
  let rows: ReturnType<typeof toTriageRow>[] = [];
  const flushRows = async () => {
    if (store && runId !== undefined && rows.length > 0) await store.addTriageRows(runId, rows);
    rows = [];
  };
  const summary = await triageFleet(intune, {
    ...triageOptions,
    onResult: async (result: TriageResult) => {
      await onResult?.(result);
      if (store && result.class !== 'healthy') {
        rows.push(toTriageRow(result));
        if (rows.length >= ROWS_PER_WRITE) await flushRows();
      }
    },
  });
  await flushRows();
  const run = store && runId !== undefined ? await store.finishTriage(runId, summary) : undefined;
  return { summary, run };
}
