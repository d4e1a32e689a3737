import type { TriageFilter } from '../triage/triage-filter.js';

/** Devices of a finished triage run (the latest by default) that match a filter (triage-filter.ts). */
export type TriageSelection = { kind: 'triage'; runId?: number } & TriageFilter;

/** Which devices a campaign acts on. */
export type CampaignSelection =
  | TriageSelection
  /** Intune managedDevice ids given by the admin. */
  | {
      kind: 'devices';
      deviceIds: readonly string[];
      /** clear: the triage run whose clear safety decides (default: the latest of the target). */
      runId?: number;
    };
