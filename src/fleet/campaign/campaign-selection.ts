/** Which devices a campaign acts on. */
export type CampaignSelection =
  /** Devices of a finished triage run (the latest by default), filtered by class and clear safety. */
  | { kind: 'triage'; runId?: number; classes?: readonly string[]; clearSafety?: readonly string[] }
  /** Intune managedDevice ids given by the admin. */
  | {
      kind: 'devices';
      deviceIds: readonly string[];
      /** clear: the triage run whose clear safety decides (default: the latest of the target). */
      runId?: number;
    };
