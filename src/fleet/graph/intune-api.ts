import type { CsvTable } from './csv-table.js';
import type {
  BitlockerRecoveryKeyInfo,
  BulkDeviceAction,
  BulkManagedDeviceActionResult,
  DeviceCompliancePolicyState,
  DeviceComplianceSettingState,
  DeviceHealthScript,
  DeviceHealthScriptRunState,
  ManagedDevice,
  ManagedDeviceDetails,
  TpmRelatedSetting,
} from './graph-types.js';

/**
 * The Intune calls tpm-doctor makes, one method per call shape in docs/graph-calls.md. Implemented
 * by IntuneClient (src/fleet/graph/intune-client.ts) over GraphClient, which owns auth, pacing,
 * retries, paging and $batch. Triage and campaigns depend on this interface only.
 *
 * Listing methods are async iterables that fetch one page at a time, so a 100,000-device fleet is
 * never held in memory by the client. Per-device reads take many ids and go out as $batch
 * requests of up to 20; the result maps id → value, with a per-id error where one failed.
 */
export interface IntuneApi {
  /** Windows managed devices (v1.0), pages of up to `pageSize` (default 1000). */
  managedDevices(options?: { filter?: string; pageSize?: number }): AsyncIterable<ManagedDevice[]>;

  /** One device's list fields (v1.0), for tracking a campaign; batched. */
  managedDevicesById(ids: readonly string[]): Promise<Map<string, Result<ManagedDevice>>>;

  /** hardwareInformation + deviceHealthAttestationState (beta: hardwareInformation is beta-only); batched. */
  deviceDetails(ids: readonly string[]): Promise<Map<string, Result<ManagedDeviceDetails>>>;

  /**
   * Devices not compliant with one setting, tenant-wide (v1.0 setting-state summaries), pages.
   * Only states other than compliant/notApplicable/notAssigned are listed. A setting that no
   * policy in the tenant carries may have no summary: Graph answers 404 (GraphError).
   */
  nonCompliantSettingStates(setting: TpmRelatedSetting): AsyncIterable<DeviceComplianceSettingState[]>;

  /**
   * Each device's compliance policies with their setting states (v1.0
   * deviceCompliancePolicyStates, settingStates embedded); batched. Triage reads it only for the
   * devices that fail a TPM-related setting, for the error code and current value behind it.
   */
  compliancePolicyStates(ids: readonly string[]): Promise<Map<string, Result<DeviceCompliancePolicyState[]>>>;

  /** BitLocker recovery key IDs (never key material) by Entra device ID (v1.0); batched. */
  recoveryKeyIds(
    azureAdDeviceIds: readonly string[],
  ): Promise<Map<string, Result<BitlockerRecoveryKeyInfo[]>>>;

  /**
   * POST syncDevice (v1.0, 204). `beforeSend` is awaited once the client's budget admits the POST,
   * just before it leaves; if it throws, nothing is sent (campaigns record "posting" there).
   */
  syncDevice(id: string, beforeSend?: () => Promise<void>, signal?: AbortSignal): Promise<void>;
  /** POST rebootNow (v1.0, 204); `beforeSend` as for syncDevice. */
  rebootNow(id: string, beforeSend?: () => Promise<void>, signal?: AbortSignal): Promise<void>;

  /**
   * POST managedDevices/executeAction (beta): one action for up to BULK_ACTION_MAX_DEVICES
   * devices in one request, answered 200 with each device id sorted into the result's four lists.
   * Paced as one write per device (how Graph counts it is not published). `admit` is awaited once
   * the budget admits the request, just before it leaves, with the ids asked for; it returns the
   * ids to send (a campaign sends only those it could mark "posting"); if it throws, nothing is
   * sent. Resolves with the ids sent and Graph's answer.
   */
  executeDeviceAction(
    action: BulkDeviceAction,
    deviceIds: readonly string[],
    options?: { admit?: (deviceIds: readonly string[]) => Promise<readonly string[]>; signal?: AbortSignal },
  ): Promise<{ sent: readonly string[]; result: BulkManagedDeviceActionResult }>;

  /**
   * Remediations (beta): find our script package by display name. The list call leaves the
   * script bodies empty: read the package with `healthScript` to compare them.
   */
  findHealthScript(displayName: string): Promise<DeviceHealthScript | undefined>;
  /** Remediations (beta): one script package by id, with its script bodies; undefined on 404. */
  healthScript(id: string): Promise<DeviceHealthScript | undefined>;
  /** Remediations (beta): upload a script package; returns it with its id. */
  createHealthScript(script: Omit<DeviceHealthScript, 'id'>): Promise<DeviceHealthScript>;
  /**
   * Remediations (beta): assign a script package to an Entra ID group, run daily (the admin
   * center's "Assign"); devices report on their own schedule, without an on-demand run each.
   */
  assignHealthScript(scriptId: string, groupId: string): Promise<void>;
  /** Remediations (beta): run a script on one device now (initiateOnDemandProactiveRemediation, 204). */
  runHealthScriptOnDevice(
    deviceId: string,
    scriptId: string,
    beforeSend?: () => Promise<void>,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Remediations (beta): every device's last run of a script, pages. */
  healthScriptRunStates(scriptId: string): AsyncIterable<DeviceHealthScriptRunState[]>;

  /**
   * An Intune report export (v1.0 deviceManagement/reports/exportJobs: create, poll, download the
   * zip): the report's rows with the columns asked for. Graph's refusal (403: the app may not
   * export) propagates as a GraphError, an export over the reader's caps as a ReportTooLargeError,
   * for the caller to fall back to per-call reads.
   */
  exportReport(request: {
    reportName: string;
    filter?: string;
    select: readonly string[];
    /** The columns kept, by their received names (default: `select`); the others are skipped. */
    read?: readonly string[];
    /** Keep only the rows whose value in `column` is one of `oneOf`. */
    where?: { column: string; oneOf: ReadonlySet<string> };
  }): Promise<CsvTable>;
}

/** A per-id outcome of a batched read. */
export type Result<T> = { ok: true; value: T } | { ok: false; status: number; code: string; message: string };
