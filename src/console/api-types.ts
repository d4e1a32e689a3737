/**
 * The console's JSON API: the shapes the server sends and the front end (console/) reads. Types
 * only, so the front end imports them without pulling any server code into the browser bundle.
 * Every response names its tenant and says whether it is a LAB (docs/console.md).
 */

/** What every answer carries: the tenant, and LAB marked on every answer of a lab tenant. */
export interface ApiEnvelope {
  lab: boolean;
  /** "LAB TENANT — simulated devices" for a lab tenant, null otherwise. */
  labLabel: string | null;
  /** The tenant for people to read (the Graph origin and tenant; never a credential). */
  tenant: string;
}

export interface ApiError extends ApiEnvelope {
  error: string;
}

export interface TitledId {
  id: string;
  title: string;
}

export interface ClassInfo extends TitledId {
  remedy: string;
  needsAction: boolean;
}

/** The report's figures for one triage run, as `fleet triage` computed and stored them. */
export interface FleetFigures {
  devices: number;
  needingAction: number;
  byClass: Record<string, number>;
  byClearSafety: Record<string, number>;
  lastSyncAge: Record<string, number>;
  finishedAt: string | null;
  warnings: string[];
}

export interface TriageRunInfo {
  id: number;
  createdAt: string;
  target: string;
}

/** GET /api/fleet: the latest triage of the console's tenant. */
export interface FleetResponse extends ApiEnvelope {
  store: string;
  /** null when the store holds no finished triage of this tenant (`message` says what to run). */
  run: TriageRunInfo | null;
  message: string | null;
  figures: FleetFigures | null;
  classes: ClassInfo[];
  clearSafeties: TitledId[];
  syncAges: TitledId[];
  /** Every blocker code in the run with its device count, most frequent first. */
  blockers: { code: string; devices: number }[];
  /** The values the fact filters take (model, tpmManufacturer, firmware, errorCode), with counts. */
  facts: FactCounts;
}

/** One device's facts as triage stored them (src/fleet/triage/device-facts.ts). */
export interface DeviceFactsInfo {
  manufacturer: string;
  model: string;
  tpmManufacturer: string;
  tpmVersion: string;
  firmware: string;
  /** The failing TPM-related settings with Intune's error code (`unknown` when not read). */
  settingErrors: { setting: string; status: string; errorCode: string }[];
}

/** Each fact's values in the latest triage with their device counts, most frequent first (200 at most). */
export interface FactCounts {
  models: { value: string; devices: number }[];
  tpmManufacturers: { value: string; devices: number }[];
  firmwares: { value: string; devices: number }[];
  /** Intune error codes of failing settings (`unknown`: a failing setting whose code was not read). */
  errorCodes: { value: string; devices: number }[];
}

export interface DeviceRow {
  deviceId: string;
  deviceName: string | null;
  triageClass: string;
  clearSafety: string;
  lastSync: string | null;
  blockers: string[];
  model: string;
  tpmManufacturer: string;
  firmware: string;
}

/** GET /api/fleet/devices: one page of the latest triage's devices, filtered on the server. */
export interface DeviceListResponse extends ApiEnvelope {
  run: number;
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  devices: DeviceRow[];
}

export interface DeviceCampaign {
  id: string;
  action: string;
  status: string;
  createdAt: string;
  phase: string;
  postedAt: string | null;
  compliantAt: string | null;
  error: string | null;
}

/** GET /api/devices/ID: one device's facts in the latest triage, and its campaigns. */
export interface DeviceResponse extends ApiEnvelope {
  run: number;
  device: {
    deviceId: string;
    deviceName: string | null;
    azureAdDeviceId: string | null;
    triageClass: string;
    classTitle: string;
    remedy: string | null;
    clearSafety: string;
    clearSafetyTitle: string;
    lastSync: string | null;
    reasons: string[];
    blockers: { code: string; reason: string }[];
    /** Intune's facts (model, TPM, firmware, failing settings with error codes); `unknown` where not read. */
    facts: DeviceFactsInfo;
  };
  campaigns: DeviceCampaign[];
}

export interface CampaignInfo {
  id: string;
  action: string;
  status: string;
  selection: string;
  createdAt: string;
  updatedAt: string;
  deadline: string;
  devices: number;
  byPhase: Record<string, number>;
}

/** GET /api/campaigns: the campaigns of the console's tenant, newest first. */
export interface CampaignsResponse extends ApiEnvelope {
  campaigns: CampaignInfo[];
}
