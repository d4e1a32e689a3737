/**
 * Where fleet work is remembered: triage results and remediation campaigns. Two implementations
 * with one schema (src/fleet/store/schema.ts): SQLite (a file, the default) and PostgreSQL (a
 * URL). Every method is a transaction of its own; a crash between two calls loses nothing that
 * an earlier call returned from.
 *
 * The store holds no secrets: no tokens, no client secrets, no recovery keys (only key IDs
 * counts). Tests check the store's bytes for them.
 */
import type { DeviceFacts } from '../triage/device-facts.js';

/**
 * What a campaign does to each device. `clear` runs the "tpm-doctor clear" Remediations package
 * (src/fleet/campaign/clear-script.ts): each device's own preflight gate decides, and the device
 * is tracked until compliant (store schema version 2).
 */
export type CampaignAction = 'sync' | 'reboot' | 'remediate' | 'clear';

/**
 * `abandoned` (schema version 4, `fleet abandon`) is for good: the campaign is never resumed, no
 * device of it is marked `posting` again (the store refuses), and no other status replaces it.
 */
export type CampaignStatus = 'running' | 'stopped' | 'finished' | 'abandoned';

/**
 * A device's place in a campaign. `posting` is written (and committed) before the POST is sent
 * and `posted` after Graph answered 2xx: a device found in `posting` after a crash may or may not
 * have been posted, so it is never posted again; it moves to `unconfirmed` and is tracked like a
 * posted one (its last sync time tells).
 */
export type DevicePhase =
  | 'pending' // not posted yet
  | 'posting' // POST about to go out (or out, answer not recorded)
  | 'posted' // Graph answered 2xx; waiting for the device's last sync time to move
  | 'unconfirmed' // was `posting` at a crash: not re-sent, tracked
  | 'synced' // last sync time moved after the post; waiting for TPM settings to turn compliant
  | 'compliant' // done: synced, and no TPM-related setting non-compliant
  | 'failed' // Graph refused the POST for good (4xx other than 429), with the error
  | 'timed-out'; // tracked past the campaign's deadline without reaching `compliant`

export interface Campaign {
  id: string;
  action: CampaignAction;
  status: CampaignStatus;
  /** Where the campaign runs, for display: the Graph base URL and tenant (never a credential). */
  target: string;
  /** The tenant's own key (src/plan/tenant-pinning.ts); absent in campaigns an older build created. */
  tenantKey?: string;
  /** How the devices were chosen, for the record (e.g. "triage 3, class clear-safe"). */
  selection: string;
  createdAt: string;
  updatedAt: string;
  /** ISO time after which tracking gives up on a device (`timed-out`). */
  deadline: string;
  /** Remediations: the script package id, once uploaded. */
  scriptId: string | null;
  /**
   * The connection options `fleet resume` needs (option name to value, e.g. `client-id`, `auth`,
   * `tenant-id`; src/cli/fleet/resume-command-line.ts), never a secret; absent in campaigns an
   * older build created (schema 5 and before).
   */
  resumeOptions?: Readonly<Record<string, string>>;
}

export interface CampaignDevice {
  campaignId: string;
  deviceId: string;
  deviceName: string | null;
  /** lastSyncDateTime when the device joined the campaign: "synced" means later than this. */
  baselineSync: string | null;
  phase: DevicePhase;
  postedAt: string | null;
  lastSync: string | null;
  compliantAt: string | null;
  /** The last error for this device (Graph's code and message; never a token). */
  error: string | null;
  updatedAt: string;
}

/** Which tenant a campaign acts in, as the store tells tenants apart. */
export type CampaignTenant = Pick<Campaign, 'target' | 'tenantKey'>;

export interface NewCampaign {
  id: string;
  action: CampaignAction;
  target: string;
  tenantKey?: string | undefined;
  selection: string;
  deadline: string;
  resumeOptions?: Readonly<Record<string, string>> | undefined;
  devices: ReadonlyArray<{ deviceId: string; deviceName: string | null; baselineSync: string | null }>;
}

/** A change to one device's row, applied only if its phase is one of `from` (compare-and-set). */
export interface PhaseChange {
  deviceId: string;
  from: readonly DevicePhase[];
  to: DevicePhase;
  postedAt?: string | null;
  lastSync?: string | null;
  compliantAt?: string | null;
  error?: string | null;
}

/**
 * One Graph write request that left this process (schema version 6): a campaign's POST, a bulk
 * action (`writes` = the devices it names), a triage's report export job, a $batch of writes.
 */
export interface GraphWrite {
  /** The tenant, as campaigns name it (target for display, tenantKey when known). */
  target: string;
  tenantKey?: string | undefined;
  /** The Intune service whose write budget it cost (src/fleet/graph/graph-limits.ts). */
  service: string;
  writes: number;
  /** ISO time, just before it was sent. */
  sentAt: string;
}

/** One stored Graph write record as read back: its time and how many writes it cost. */
export interface GraphWriteRecord {
  /** ISO time, as stored (at most GRAPH_WRITES_FUTURE_SKEW_MS after now). */
  sentAt: string;
  /** A positive integer; the budget clamps it to its own window's limit (ThrottleBudget.recordEarlierWrites). */
  writes: number;
}

/** The Graph write records read back, and how many stored rows were not (FleetStore.graphWritesSince). */
export interface GraphWriteRecords {
  records: GraphWriteRecord[];
  /** Rows dated too far in the future (deleted) or without a positive whole count (left as they are). */
  ignored: number;
}

/** One triaged device, as stored for later selection by a campaign. */
export interface TriageRow {
  deviceId: string;
  deviceName: string | null;
  azureAdDeviceId: string | null;
  /** The triage class (src/fleet/triage/): e.g. healthy, tpm-clear-safe, tpm-clear-blocked, ... */
  triageClass: string;
  /** Whether a TPM clear would be safe: safe / blocked / not-the-remedy / unknown. */
  clearSafety: string;
  lastSync: string | null;
  /** Human-readable reasons (finding IDs, failing settings); no secrets. */
  reasons: readonly string[];
  /**
   * Hardware and failing-setting facts (src/fleet/triage/device-facts.ts). Optional when writing;
   * always present when read back, `unknown` in rows an older build stored (schema 4 and before).
   */
  facts?: DeviceFacts;
}

export interface TriageRun {
  id: number;
  createdAt: string;
  /** Where the devices were read, for display. */
  target: string;
  /** The tenant's own key (src/plan/tenant-pinning.ts); absent in runs an older build stored. */
  tenantKey?: string;
  /** Counts per class and other totals, as JSON-able data. */
  summary: unknown;
}

export interface FleetStore {
  /** Which backend, for messages: "sqlite:/path" or "postgres://host/db" (password removed). */
  readonly description: string;

  createCampaign(campaign: NewCampaign): Promise<Campaign>;
  getCampaign(id: string): Promise<Campaign | undefined>;
  listCampaigns(): Promise<Campaign[]>;
  /** Sets the status; an `abandoned` campaign keeps that status whatever is set afterwards. */
  setCampaignStatus(id: string, status: CampaignStatus): Promise<void>;
  setCampaignScript(id: string, scriptId: string): Promise<void>;
  /** A new deadline (ISO time), as `fleet resume --deadline` gives it. */
  setCampaignDeadline(id: string, deadline: string): Promise<void>;

  /** The campaign's devices, optionally only those in some phases, ordered by device id. */
  campaignDevices(id: string, phases?: readonly DevicePhase[]): Promise<CampaignDevice[]>;
  /**
   * Applies the changes in one transaction; returns the device ids whose phase did change. A
   * change to `posting` never applies in an `abandoned` campaign: nothing of it is posted again.
   */
  changePhases(campaignId: string, changes: readonly PhaseChange[]): Promise<string[]>;
  /** Count of devices per phase. */
  phaseCounts(campaignId: string): Promise<Record<DevicePhase, number>>;
  /**
   * When an action was sent to a device, at or after `since` (ISO time), in every campaign of the
   * tenant (its tenantKey when both have one, else its target): a device's postedAt, or for a
   * POST sent without a recorded answer (`posting`, `unconfirmed`) or refused (`failed`), the time
   * its row last changed, which is never earlier than the send. Graph's write window may still
   * hold them (docs/campaigns.md, "Writes of an earlier run"). ISO times, in no particular order.
   */
  postTimesSince(tenant: CampaignTenant, since: string): Promise<string[]>;
  /**
   * Records a Graph write about to be sent (schema version 6), by any command, and deletes the
   * records older than an hour: Graph's window is far shorter (docs/campaigns.md).
   */
  recordGraphWrite(write: GraphWrite): Promise<void>;
  /**
   * The Graph write records of `service` sent in the tenant (its tenantKey when both have one, else
   * its target), at or after `since`: one per stored row (never one per write: the count is a
   * stored number), in no particular order. A new process seeds its write budget with them. A row
   * dated later than now plus GRAPH_WRITES_FUTURE_SKEW_MS is deleted and not returned (it would
   * count as "now" forever), and a row whose count is not a positive whole number is not returned:
   * a store someone else can write decides neither what this process allocates nor how long it waits.
   * `ignored` counts both, for a warning.
   */
  graphWritesSince(tenant: CampaignTenant, service: string, since: string): Promise<GraphWriteRecords>;

  /**
   * A triage run is written as it goes, so the fleet is never held twice: begin, add rows in
   * chunks (one transaction each), finish with the summary. A run never finished (a crash) is
   * not returned by latestTriage.
   */
  beginTriage(target: string, tenantKey?: string): Promise<number>;
  addTriageRows(runId: number, rows: readonly TriageRow[]): Promise<void>;
  finishTriage(runId: number, summary: unknown): Promise<TriageRun>;
  /** The latest finished triage run, of `target` only when given (a campaign acts in its own tenant). */
  latestTriage(target?: string): Promise<TriageRun | undefined>;
  /** A finished triage run by id. */
  triageRun(id: number): Promise<TriageRun | undefined>;
  triageRows(
    runId: number,
    filter?: { classes?: readonly string[]; clearSafety?: readonly string[] },
  ): Promise<TriageRow[]>;

  close(): Promise<void>;
}
