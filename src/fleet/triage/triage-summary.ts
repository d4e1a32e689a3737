import type { GraphStats } from '../graph/graph-events.js';
import type { ClassifyOptions } from './classify-device.js';
import {
  CLEAR_SAFETIES,
  type ClearSafety,
  TRIAGE_CLASS_INFO,
  TRIAGE_CLASSES,
  type TriageClass,
} from './triage-class.js';
import type { TriageResult } from './triage-result.js';

/** Last-sync age buckets for the summary and the HTML chart. */
export const SYNC_AGE_BUCKETS = ['under-1d', '1-7d', '7-30d', '30-90d', 'over-90d', 'never'] as const;
export type SyncAgeBucket = (typeof SYNC_AGE_BUCKETS)[number];

/** The whole run in numbers: what the reports chart and the store keeps with the run. */
export interface TriageSummary {
  startedAt: string;
  finishedAt: string;
  options: ClassifyOptions;
  /** Windows devices listed and classified. */
  devices: number;
  /** Devices in every class but healthy. */
  needingAction: number;
  byClass: Record<TriageClass, number>;
  byClearSafety: Record<ClearSafety, number>;
  lastSyncAge: Record<SyncAgeBucket, number>;
  evidence: {
    /** Whether the Remediations script ('tpm-doctor evidence') exists in the tenant. */
    scriptFound: boolean;
    /** Devices with a run state holding output. */
    devicesWithOutput: number;
    /** Of those, whose output was unreadable. */
    unreadable: number;
  };
  lookups: {
    /** Devices whose details were fetched (hardwareInformation, health attestation). */
    details: number;
    detailsFailed: number;
    /** Devices whose BitLocker recovery key IDs were looked up. */
    recoveryKeys: number;
    recoveryKeysFailed: number;
  };
  /** The Graph client's request counters, when it reports them (HTTP requests, inner batch requests, retries, 429s). */
  graphRequests: GraphStats | null;
  /** Things that made the triage less complete than it could be (never secrets). */
  warnings: string[];
}

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Buckets a last sync time by its age at `now`. */
function syncAgeBucket(lastSync: string | null, now: Date): SyncAgeBucket {
  if (lastSync === null) return 'never';
  const days = (now.getTime() - Date.parse(lastSync)) / 86_400_000;
  if (days < 1) return 'under-1d';
  if (days < 7) return '1-7d';
  if (days < 30) return '7-30d';
  if (days < 90) return '30-90d';
  return 'over-90d';
}

/** Counts results as they stream by, so the fleet is never held to be summarised. */
export class TriageTally {
  readonly byClass = zeroes(TRIAGE_CLASSES);
  readonly byClearSafety = zeroes(CLEAR_SAFETIES);
  readonly lastSyncAge = zeroes(SYNC_AGE_BUCKETS);
  devices = 0;

  constructor(private readonly now: Date) {}

  add(result: TriageResult): void {
    this.devices++;
    this.byClass[result.class]++;
    this.byClearSafety[result.clearSafety]++;
    this.lastSyncAge[syncAgeBucket(result.lastSync, this.now)]++;
  }

  get needingAction(): number {
    return TRIAGE_CLASSES.filter((c) => TRIAGE_CLASS_INFO[c].needsAction).reduce(
      (n, c) => n + this.byClass[c],
      0,
    );
  }
}
