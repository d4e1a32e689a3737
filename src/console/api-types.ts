/**
 * The console's JSON API: the shapes the server sends and the front end (console/) reads. Types
 * only, so the front end imports them without pulling any server code into the browser bundle.
 * Every response names its tenant and says whether it is a LAB (docs/console.md).
 */

/** What every answer carries: the tenant, and LAB marked on every answer of a lab tenant. */
export interface ApiEnvelope {
  lab: boolean;
  /** "LAB TENANT — simulated devices" (in the console's language) for a lab tenant, null otherwise. */
  labLabel: string | null;
  /** The tenant for people to read (the Graph origin and tenant; never a credential). */
  tenant: string;
}

/** A refusal: the HTTP status is the code for scripts, `error` one sentence in the console's language. */
export interface ApiError extends ApiEnvelope {
  error: string;
}

/**
 * A code of the vocabulary (English, stable: what scripts and filters use) and its title in the
 * console's language (`--lang`), from the CLI's catalogs (src/text/messages/).
 */
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
  /** The action, status and phase in the console's language (`fleet status`'s words). */
  actionTitle: string;
  status: string;
  statusTitle: string;
  createdAt: string;
  phase: string;
  phaseTitle: string;
  postedAt: string | null;
  compliantAt: string | null;
  error: string | null;
  /** `error` as `fleet status` shows it: in the console's language where tpm-doctor wrote it. */
  errorText: string | null;
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
  actionTitle: string;
  status: string;
  statusTitle: string;
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

/** The actions a campaign can take, as the fleet commands name them (remediate: the evidence script). */
export type ConsoleCampaignAction = 'sync' | 'reboot' | 'remediate' | 'clear';

/** A device a campaign would act on, or was refused for it. */
export interface PlanDevice {
  deviceId: string;
  deviceName: string | null;
  reason?: string;
}

/**
 * POST /api/campaigns/plan: the dry run, as `fleet sync|remediate|clear --dry-run --json` prints
 * it (`plan`), and the id a start must quote: nothing starts without its dry run first.
 */
export interface CampaignPlanResponse extends ApiEnvelope {
  planId: string;
  /** When the plan lapses (ISO): a start after it needs a new dry run. */
  expiresAt: string;
  action: ConsoleCampaignAction;
  /** What the selection was, for people, in the console's language: "class sync-stale in triage run 2". */
  selection: string;
  /**
   * The dry run as the CLI's `fleet sync|clear --dry-run` says it, in the console's language: what
   * would be posted to how many devices and how long Graph's write limit makes it take.
   */
  summary: string[];
  /**
   * One line per class of selected devices this action is not the remedy for, as `fleet sync
   * --dry-run` prints it (src/fleet/campaign/remedy-fit.ts): a warning, not a refusal.
   */
  remedyWarnings: string[];
  devices: number;
  /** The first devices that would be posted to (at most 200). */
  sample: PlanDevice[];
  /** clear: the devices asked for and refused, with why (at most 200; `refusedCount` all). */
  refused: PlanDevice[];
  refusedCount: number;
  /** The least time Graph's write limit makes posting take, in seconds. */
  minimumPostingSeconds: number;
  limits: { windowMs: number; writesPerWindow: number };
  /** clear: approver and ticket are required at the start. */
  needsApproval: boolean;
  /** The word the start must carry as `confirm` ("CLEAR" for a clear), or null when none is asked. */
  confirmWord: string | null;
  /** How long the campaign tracks its devices before calling them timed-out (`--deadline`), and as people read it. */
  deadlineMs: number;
  deadlineText: string;
  /** The CLI's dry run, the same JSON (`fleet ... --dry-run --json`). */
  plan: unknown;
}

/** POST /api/campaigns, POST /api/triage: what was started. */
export interface StartedResponse extends ApiEnvelope {
  id: string;
}

/** GET /api/campaigns/ID: the status `fleet status ID --json` prints, the devices, and whether it runs here. */
export interface CampaignDetailResponse extends ApiEnvelope {
  running: boolean;
  status: {
    id: string;
    action: string;
    actionTitle: string;
    status: string;
    statusTitle: string;
    selection: string;
    createdAt: string;
    deadline: string;
    total: number;
    done: number;
    open: number;
    counts: Record<string, number>;
  };
  /**
   * `fleet status ID`'s lines above its counts, label and value in the console's language:
   * created and deadline in the admin's time zone with the zone named, and the device totals.
   */
  fields: { label: string; value: string }[];
  /** Every phase in order with what it means for this campaign's action (`fleet status`'s counts). */
  phases: TitledId[];
  /** The campaign's devices with their phase and note (the first 500). */
  devices: CampaignDeviceState[];
}

export interface CampaignDeviceState {
  deviceId: string;
  deviceName: string | null;
  phase: string;
  /** The phase in the console's language, with what it means for the campaign's action (`fleet status ID`). */
  phaseTitle: string;
  note: string | null;
  /** The note in the console's language where tpm-doctor wrote it (Graph's texts as Graph wrote them). */
  noteText: string | null;
}

/** POST /api/campaigns/ID/abandon: the devices not done (`fleet abandon --json`'s notDone). */
export interface AbandonResponse extends ApiEnvelope {
  notDone: { deviceId: string; deviceName: string | null; phase: string; posted: boolean }[];
  /** `fleet abandon`'s sentence ("Abandoned: never posted again, never resumed; N devices not done."). */
  abandonedText: string;
  /**
   * `fleet abandon`'s list of the devices not done, line by line (the heading first, each device
   * with its phase and whether it was posted; the first 20, then how many more).
   */
  notDoneLines: string[];
}

/** The events of GET /api/campaigns/ID/events (Server-Sent Events). */
export interface CampaignProgressEvent {
  /** `running`, and its title in the console's language. */
  statusTitle: string;
  /** The device totals as `fleet status ID` says them ("23 (19 done, 4 open)"). */
  devicesText: string;
  /** `fleet sync`'s progress line: counts, posting rate, time to post, the write-window wait. */
  line: string;
  counts: Record<string, number>;
  total: number;
  done: number;
  postsPerSecond: number | null;
  postingEtaSeconds: number | null;
  writeWindowWaitSeconds: number | null;
}

/** A run of the campaign starts in this console (a start or a resume, from any page). */
export interface CampaignRunningEvent {
  status: 'running';
  statusTitle: string;
}

export interface CampaignEndEvent {
  status: string;
  statusTitle: string;
  error: string | null;
}

/** The events of GET /api/triage/ID/events. */
export interface TriageProgressEvent {
  listed: number;
  classified: number;
  detailsFetched: number;
  graphRequests: number;
  /** The line `fleet triage` prints for the same counts, in the console's language. */
  text: string;
}

export interface TriageEndEvent {
  runId: number | null;
  devices: number;
  needingAction: number;
  /** The run and its counts for people, in the console's language (null when it failed). */
  text: string | null;
  error: string | null;
}

/** GET /api/this-device: `tpm-doctor status` in brief and `tpm-doctor diagnose --json` of the console's TPM. */
export interface ThisDeviceResponse extends ApiEnvelope {
  source: { tpm: string; lab: string[] | null };
  status: {
    present: boolean | null;
    started: boolean | null;
    manufacturer: string | null;
    firmware: string | null;
    specification: string | null;
    inLockout: boolean | null;
    failedTries: number | null;
    maxTries: number | null;
    persistentObjects: number | null;
    errors: string[];
  } | null;
  /** The diagnosis as `tpm-doctor diagnose --json` prints it (docs/diagnose-json.md). */
  diagnosis: {
    verdict: {
      status: string;
      nextStep: string;
      action: string;
      clearRecommended: boolean;
      clearBlockedBy: { finding: string; reason: string }[];
    };
    findings: {
      id: string;
      severity: string;
      title: string;
      why: string;
      remedy: { step: string; action: string; destroysKeys?: boolean };
      blocksClear?: string;
    }[];
  };
  /** The words around these facts as `diagnose` and `status` print them, in the console's language. */
  words: ThisDeviceWords;
}

/**
 * The words `tpm-doctor diagnose` and `tpm-doctor status` print around the facts of a TPM, from the
 * CLI's catalog in the console's language (src/console/this-device-words.ts).
 */
export interface ThisDeviceWords {
  /** "Diagnosis of TPM URI", and the lab's scenarios for a lab TPM. */
  source: string;
  verdictLabel: string;
  /** The verdict's status as words (`errors`: "PROBLEMS FOUND"). */
  verdict: string;
  nextStepLabel: string;
  /** The next step as words, with the findings it comes from. */
  nextStep: string;
  clearLabel: string;
  clear: string;
  /** What follows the clear word ("", or why a clear is wrong now, followed by its blockers). */
  clearDetail: string;
  /** The findings' group heading per severity, with its count. */
  severityHeadings: { error: string; warning: string; info: string };
  why: string;
  fix: string;
  /** A finding's fix that is the verdict's next step, shown in full once above. */
  seeNextStep: string;
  destroysKeys: string;
  couldNotRead: string;
  /** The status lines an admin looks for first, each label and value as `tpm-doctor status` prints it. */
  status: { label: string; value: string }[];
}

/** One check of the clear's gate, as the page shows it (in the page's language). */
export interface ConsoleGateCheck {
  id: string;
  status: 'pass' | 'fail' | 'unknown';
  message: string;
  evidence: { source: string; field: string; value: string | number | boolean | null }[];
}

/**
 * POST /api/this-device/clear/plan: the dry run of `tpm-doctor clear` for the console's TPM: the
 * diagnosis, the gate with each check and its evidence, and, when the clear may go on, the plan
 * the clear quotes (bound to this TPM, this request and the snapshot it was read from; single use).
 */
export interface ThisDeviceClearPlanResponse extends ApiEnvelope {
  /** null: the gate refuses for a reason an approval cannot change; nothing to confirm. */
  planId: string | null;
  expiresAt: string | null;
  tpm: string;
  method: string;
  purpose: string;
  verdict: { status: string; nextStep: string; clearRecommended: boolean };
  gate: {
    passed: boolean;
    checks: ConsoleGateCheck[];
    inventory: { persistentObjects: string[]; nonPlatformNvIndices: string[]; windows: string[] };
  };
  /** The clear needs who approved it and the ticket (the gate's approval check). */
  needsApproval: boolean;
  confirmWord: string;
}

/** One record of a run's journal, as `tpm-doctor runs RUN-ID` lists it. */
export interface ConsoleJournalRecord {
  seq: number;
  at: string;
  kind: string;
  step: string | null;
}

/** GET /api/this-device/runs/ID: a run's journal and its receipt read back and checked. */
export interface ThisDeviceRunResponse extends ApiEnvelope {
  runId: string;
  status: string;
  records: ConsoleJournalRecord[];
  journalError: string | null;
  proof: { proven: boolean; checks: { id: string; passed: boolean; detail: string }[] } | null;
  srkNameBefore: string | null;
  srkNameAfter: string | null;
  receipt: {
    purpose: string;
    method: string;
    approvedBy: string | null;
    ticket: string | null;
    journalHash: string;
    journalSeq: number;
    finishedAt: string;
  } | null;
  receiptVerified: boolean | null;
  receiptProblem: string | null;
}

/** POST /api/this-device/clear: the run the clear started, read back. */
export interface ThisDeviceClearResponse extends ThisDeviceRunResponse {
  instruction: string | null;
  failure: { step: string; reason: string; message: string } | null;
}

/** GET /api/this-device/runs: the runs of the console's journal folder. */
export interface ThisDeviceRunsResponse extends ApiEnvelope {
  runs: { runId: string; startedAt: string | null; status: string; inFlight: string | null }[];
}
