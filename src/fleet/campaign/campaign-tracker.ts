import { GraphError } from '../graph/graph-error.js';
import { type DeviceHealthScriptRunState, TPM_RELATED_SETTINGS } from '../graph/graph-types.js';
import type { IntuneApi } from '../graph/intune-api.js';
import { ReportTooLargeError } from '../graph/report-export.js';
import type { Campaign, CampaignDevice, DevicePhase, FleetStore, PhaseChange } from '../store/fleet-store.js';
import { AWAITING_SYNC, openPhases } from './campaign-phases.js';
import { parseClearReport } from './clear-report.js';
import { NOT_INSTALLED_MESSAGE } from './clear-script.js';
import { CLOCK_SKEW_MS } from './receipt-report.js';
import { redactGraphError } from './redact-graph-error.js';
import { parseGraphTime, syncMovedPast } from './sync-time.js';

export interface TrackerOptions {
  intune: IntuneApi;
  store: FleetStore;
  campaign: Campaign;
  now: () => Date;
  /**
   * Devices read per tick at most. Each device read inside a $batch counts against the same
   * "all requests" budget as the campaign's POSTs (Intune service limits, 2,000 per 20 s per
   * app), so tracking a 10,000-device campaign in one go would starve the posts; a tick reads
   * the next slice in rotation instead.
   */
  maxReadsPerTick: number;
}

/** States Graph lists that do not hold a device back: only these count as "not failing". */
const SETTLED_STATES = new Set(['compliant', 'remediated', 'notApplicable', 'notAssigned']);

/** Remediations run states that are not a finished run (deviceHealthScriptDeviceState, beta). */
const UNFINISHED_RUN_STATES = new Set(['unknown', 'pending']);
/**
 * Intune's remediationState values for a remediation that did not remediate by the time the
 * detection ran again after it (deviceHealthScriptDeviceState, beta: `remediationFailed` "ran but
 * did not remediate", `scriptError` "error or timed out"). For a clear both are what an accepted
 * PPI clear reports too: `tpm-doctor clear` exits 12 (request accepted, the firmware clears at the
 * next restart) and Intune's post-remediation detection runs before that restart, still finding
 * the problem. So for a clear they mean "requested, restart pending", never "failed".
 */
const REMEDIATION_NOT_YET = new Set(['remediationFailed', 'scriptError']);

/**
 * The Intune report export that carries a Remediations package's script outputs for every device
 * (Intune admin center: Reports > Endpoint analytics > Proactive remediations > a package >
 * Device status; "Export Intune reports using Graph APIs"), by the column names its exports carry.
 */
const RUN_STATES_REPORT = 'DeviceRunStatesByProactiveRemediation';
const RUN_STATES_SELECT = [
  'DeviceId',
  'ModifiedTime',
  'PreRemediationDetectionScriptOutput',
  'PostRemediationDetectionScriptOutput',
] as const;

/** One device's script outputs, from the export or from its run state. */
interface RunOutputs {
  pre: string | null;
  post: string | null;
  /** Where they were read, for the device's note. */
  source: 'export' | 'run state';
  /** When the export's row was last modified (its ModifiedTime), if it came from the export. */
  modifiedAt?: string | null;
}

/**
 * How far a clear report's finishedAt may lie after the time Intune recorded the run: the device's
 * clock may be ahead of the service's by Windows' default tolerance ("Maximum tolerance for
 * computer clock synchronization", 5 minutes,
 * https://learn.microsoft.com/previous-versions/windows/it-pro/windows-10/security/threat-protection/security-policy-settings/maximum-tolerance-for-computer-clock-synchronization).
 * A run cannot have ended after the output that reports it was recorded: a later time is a receipt
 * dated ahead to outrank the real ones (docs/security.md).
 */
const REPORT_CLOCK_SKEW_MS = CLOCK_SKEW_MS;

/** The note a clear device carries while its restart is pending (docs/campaigns.md). */
const CLEAR_RESTART_PENDING = 'clear requested, restart pending';

/**
 * Tracks a campaign's posted devices to their end, one tick per poll interval:
 * posted/unconfirmed → `synced` when the device's lastSyncDateTime moved past its baseline (for
 * remediate: when the script reported a run newer than the campaign), synced → `compliant` when
 * no TPM-related setting lists the device as failing, and anything still open at the deadline →
 * `timed-out`. Every change is a compare-and-set, so a tick racing the post phase never
 * overwrites a newer phase.
 */
export class CampaignTracker {
  readonly #options: TrackerOptions;
  /** Rotation point: the last device id read by the previous tick. */
  #cursor = '';
  /** Graph refused the report export (403): this run reads the per-device run states only. */
  #exportRefused = false;

  constructor(options: TrackerOptions) {
    this.#options = options;
  }

  /** One round of tracking. Returns how many devices are still open (not final). */
  async tick(): Promise<number> {
    const { campaign } = this.#options;
    if (campaign.action === 'remediate') await this.#trackRemediationRuns();
    else if (campaign.action === 'clear') {
      await this.#trackClearRuns();
      await this.#trackCompliance();
    } else {
      await this.#trackSyncs();
      await this.#trackCompliance();
    }
    await this.#applyDeadline();
    return this.openCount();
  }

  /** Devices not final for this campaign's action. */
  async openCount(): Promise<number> {
    const counts = await this.#options.store.phaseCounts(this.#options.campaign.id);
    return openPhases(this.#options.campaign.action).reduce((sum, phase) => sum + counts[phase], 0);
  }

  /** posted/unconfirmed → synced, from the devices' list fields (docs/graph-calls.md #3). */
  async #trackSyncs(): Promise<void> {
    const { intune, store, campaign } = this.#options;
    const devices = this.#nextSlice(await store.campaignDevices(campaign.id, AWAITING_SYNC));
    if (devices.length === 0) return;
    const read = await intune.managedDevicesById(devices.map((device) => device.deviceId));
    const changes: PhaseChange[] = [];
    for (const device of devices) {
      const result = read.get(device.deviceId);
      if (result === undefined) continue; // not answered this time: read again next tick
      if (!result.ok) {
        // Gone from Intune (deleted or retired): it will never sync.
        if (result.status === 404) {
          changes.push({
            deviceId: device.deviceId,
            from: [device.phase],
            to: 'failed',
            error: redactGraphError(`HTTP 404 ${result.code}: device no longer in Intune: ${result.message}`),
          });
        }
        continue;
      }
      const lastSync = result.value.lastSyncDateTime;
      if (syncMovedPast(device.baselineSync, lastSync)) {
        changes.push({ deviceId: device.deviceId, from: [device.phase], to: 'synced', lastSync });
      }
    }
    if (changes.length > 0) await store.changePhases(campaign.id, changes);
  }

  /**
   * synced → compliant when none of the TPM-related settings lists the device as failing
   * (docs/graph-calls.md #4: tenant-wide, a few pages per setting, rather than a call per device).
   */
  async #trackCompliance(): Promise<void> {
    const { intune, store, campaign, now } = this.#options;
    const synced = await store.campaignDevices(campaign.id, ['synced']);
    if (synced.length === 0) return;
    const failing = new Set<string>();
    for (const setting of TPM_RELATED_SETTINGS) {
      for await (const page of intune.nonCompliantSettingStates(setting)) {
        for (const state of page) if (!SETTLED_STATES.has(state.state)) failing.add(state.deviceId);
      }
    }
    const compliantAt = now().toISOString();
    const changes: PhaseChange[] = synced
      .filter((device) => !failing.has(device.deviceId))
      .map((device) => ({
        deviceId: device.deviceId,
        from: ['synced'],
        to: 'compliant',
        compliantAt,
        // A clear that was pending its restart is proven now: its note is no longer true.
        ...(device.error?.startsWith(CLEAR_RESTART_PENDING) ? { error: null } : {}),
      }));
    if (changes.length > 0) await store.changePhases(campaign.id, changes);
  }

  /**
   * Remediate: posted/unconfirmed → synced when the device reported a finished run of our
   * detection script newer than the campaign (docs/graph-calls.md #11): its evidence is in.
   */
  async #trackRemediationRuns(): Promise<void> {
    const { store, campaign } = this.#options;
    const changes: PhaseChange[] = [];
    for await (const { run, device } of this.#finishedRuns()) {
      const scriptError =
        run.detectionState === 'scriptError'
          ? redactGraphError(
              `detection script error: ${run.preRemediationDetectionScriptError ?? 'no message'}`,
            )
          : null;
      changes.push({
        deviceId: device.deviceId,
        from: [device.phase],
        to: 'synced',
        lastSync: run.lastStateUpdateDateTime,
        error: scriptError,
      });
    }
    if (changes.length > 0) await store.changePhases(campaign.id, changes);
  }

  /**
   * The campaign's script runs that finished after the campaign was created, each with the
   * awaiting (posted/unconfirmed) device it belongs to, once per device (docs/graph-calls.md #11).
   */
  async *#finishedRuns(): AsyncGenerator<{ run: DeviceHealthScriptRunState; device: CampaignDevice }> {
    const { intune, store, campaign } = this.#options;
    if (campaign.scriptId === null) return;
    const awaiting = new Map(
      (await store.campaignDevices(campaign.id, AWAITING_SYNC)).map((device) => [device.deviceId, device]),
    );
    if (awaiting.size === 0) return;
    // Graph reports run times to the second (sometimes less precisely than it stores them), so a
    // run in the campaign's first second must count: compare with the creation time cut to seconds.
    const since = Math.floor((parseGraphTime(campaign.createdAt) ?? 0) / 1000) * 1000;
    for await (const page of intune.healthScriptRunStates(campaign.scriptId)) {
      for (const run of page) {
        const deviceId = run.managedDevice?.id ?? run.id.split(':').at(-1) ?? run.id;
        const device = awaiting.get(deviceId);
        const reportedAt = parseGraphTime(run.lastStateUpdateDateTime);
        if (device === undefined || reportedAt === undefined || reportedAt < since) continue;
        if (UNFINISHED_RUN_STATES.has(run.detectionState)) continue;
        awaiting.delete(deviceId);
        yield { run, device };
      }
    }
  }

  /**
   * Clear: posted/unconfirmed → `synced` when the device reported a finished run of the clear
   * package newer than the campaign and its clear report says cleared (the proof held), or `failed`
   * with the reason when its own gate refused or the run failed (its TPM untouched or not proven).
   * A run without a report (a device that ran the script but printed only evidence) counts as
   * run: compliance, or the deadline, settles it.
   */
  async #trackClearRuns(): Promise<void> {
    const { store, campaign } = this.#options;
    const changes: PhaseChange[] = [];
    const finished: Array<{ run: DeviceHealthScriptRunState; device: CampaignDevice }> = [];
    for await (const found of this.#finishedRuns()) finished.push(found);
    const exported = finished.length > 0 ? await this.#exportedOutputs() : undefined;
    for (const { run, device } of finished) {
      const { deviceId } = device;
      const change = { deviceId, from: [device.phase], lastSync: run.lastStateUpdateDateTime };
      if (run.detectionState === 'scriptError') {
        changes.push({
          ...change,
          to: 'failed',
          error: redactGraphError(
            `clear script error: ${run.preRemediationDetectionScriptError ?? 'no message'}`,
          ),
        });
        continue;
      }
      // The device's clear report, where its script outputs carry one: read from the
      // DeviceRunStatesByProactiveRemediation export where the app may export, else from the run
      // state. Graph returns no output of a remediation script, only its outcome and error.
      const outputs: RunOutputs = exported?.get(deviceId.toLowerCase()) ?? {
        pre: run.preRemediationDetectionScriptOutput,
        post: run.postRemediationDetectionScriptOutput ?? null,
        source: 'run state',
      };
      let report: ReturnType<typeof parseClearReport>;
      try {
        report = parseClearReport(outputs.pre) ?? parseClearReport(outputs.post);
        // The evidence script prints the device's latest receipt (receipt-report.ts): one from a
        // run that ended before this campaign posted to the device is an earlier clear's proof.
        if (report !== null && isBefore(report.finishedAt, device.postedAt)) report = null;
        const recordedAt = latestTime(run.lastStateUpdateDateTime, outputs.modifiedAt);
        if (report?.finishedAt !== undefined && recordedAt !== undefined) {
          if (Date.parse(report.finishedAt) > recordedAt + REPORT_CLOCK_SKEW_MS) {
            throw new Error(
              `its run ended at ${report.finishedAt}, after Intune recorded the output (${new Date(recordedAt).toISOString()}): not a time the device could report`,
            );
          }
        }
      } catch (e) {
        changes.push({
          ...change,
          to: 'failed',
          error: redactGraphError(`unreadable clear report: ${(e as Error).message}`),
        });
        continue;
      }
      if (report === null && run.remediationScriptError?.includes(NOT_INSTALLED_MESSAGE)) {
        // The script found no tpm-doctor.exe (exit 127): nothing was suspended or run, and no
        // restart will change that (docs/deploy-windows.md).
        changes.push({
          ...change,
          to: 'failed',
          error: redactGraphError(`clear not run: ${run.remediationScriptError.trim()}`),
        });
        continue;
      }
      if (report === null && REMEDIATION_NOT_YET.has(run.remediationState ?? '')) {
        // Accepted and waiting for its restart (exit 12), or refused/failed (10, 11): Graph cannot
        // tell them apart before the restart. The first detection after the restart, or the TPM
        // settings turning compliant, decides; the deadline ends it otherwise. Never `failed` here.
        changes.push({
          ...change,
          to: 'synced',
          error: `${CLEAR_RESTART_PENDING} (Intune reported remediationState ${run.remediationState} before the restart${
            run.remediationScriptError ? `: ${redactGraphError(run.remediationScriptError)}` : ''
          })`,
        });
        continue;
      }
      if (report === null) {
        changes.push({ ...change, to: 'synced', error: null });
      } else if (report.result === 'cleared') {
        // The receipt stays on the device with its journal; the store keeps its summary as the note.
        changes.push({
          ...change,
          to: 'synced',
          error: redactGraphError(
            `clear report (${outputs.source === 'export' ? `${RUN_STATES_REPORT} export` : 'run state'}): cleared, ${
              report.proven ? 'proven' : 'not proven'
            }; SRK Name ${report.srkNameBefore ?? '?'} -> ${report.srkNameAfter ?? '?'}`,
          ),
        });
      } else {
        changes.push({
          ...change,
          to: 'failed',
          error: redactGraphError(
            `clear ${report.result} on the device (${report.reason ?? 'no reason given'}${
              report.blocking.length > 0 ? `; blocking: ${report.blocking.join(', ')}` : ''
            }): ${report.message}`,
          ),
        });
      }
    }
    await this.#decidePendingClears(changes);
    if (changes.length > 0) await store.changePhases(campaign.id, changes);
  }

  /**
   * Every device's script outputs of the campaign's package, from one report export
   * (docs/graph-calls.md calls 16-18), keyed by lower-case device id; undefined when the export is
   * not available: Graph refused it (403, remembered for the run: the app may not export), it was
   * larger than the reader keeps (remembered too), or the export failed this round. The run states read per device are the fallback.
   */
  async #exportedOutputs(): Promise<Map<string, RunOutputs> | undefined> {
    const { intune, campaign } = this.#options;
    if (this.#exportRefused || campaign.scriptId === null) return undefined;
    let table: Awaited<ReturnType<IntuneApi['exportReport']>>;
    try {
      table = await intune.exportReport({
        reportName: RUN_STATES_REPORT,
        filter: `PolicyId eq '${campaign.scriptId}'`,
        select: RUN_STATES_SELECT,
      });
    } catch (error) {
      // Refused (403), or larger than the reader keeps: either stays so for the run.
      if ((error instanceof GraphError && error.status === 403) || error instanceof ReportTooLargeError)
        this.#exportRefused = true;
      return undefined;
    }
    const outputs = new Map<string, RunOutputs>();
    for (const row of table.rows) {
      const deviceId = row.DeviceId;
      if (!deviceId) continue;
      outputs.set(deviceId.toLowerCase(), {
        pre: row.PreRemediationDetectionScriptOutput || null,
        post: row.PostRemediationDetectionScriptOutput || null,
        source: 'export',
        modifiedAt: row.ModifiedTime || null,
      });
    }
    return outputs;
  }

  /**
   * A clear pending its restart is decided by the first finished run of the package after the one
   * that requested it: detection finding nothing (`success`) proves the clear took; detection still
   * finding the problem means it did not (refused or failed on the device; its journal says why).
   * Compliance (#trackCompliance) settles it too, whichever comes first.
   */
  async #decidePendingClears(changes: PhaseChange[]): Promise<void> {
    const { intune, store, campaign, now } = this.#options;
    if (campaign.scriptId === null) return;
    const pending = new Map(
      (await store.campaignDevices(campaign.id, ['synced']))
        .filter((device) => device.error?.startsWith(CLEAR_RESTART_PENDING))
        .map((device) => [device.deviceId, device]),
    );
    if (pending.size === 0) return;
    for await (const page of intune.healthScriptRunStates(campaign.scriptId)) {
      for (const run of page) {
        const deviceId = run.managedDevice?.id ?? run.id.split(':').at(-1) ?? run.id;
        const device = pending.get(deviceId);
        const reportedAt = parseGraphTime(run.lastStateUpdateDateTime);
        const requestedAt = parseGraphTime(device?.lastSync ?? null);
        if (device === undefined || reportedAt === undefined || requestedAt === undefined) continue;
        if (reportedAt <= requestedAt || UNFINISHED_RUN_STATES.has(run.detectionState)) continue;
        const change = { deviceId, from: ['synced' as const], lastSync: run.lastStateUpdateDateTime };
        if (run.detectionState === 'success') {
          changes.push({ ...change, to: 'compliant', compliantAt: now().toISOString(), error: null });
        } else if (run.detectionState === 'fail') {
          changes.push({
            ...change,
            to: 'failed',
            error:
              'the first detection after the clear request still finds the problem: the clear did not take ' +
              "(refused or failed on the device; tpm-doctor's journal on the device says why)",
          });
        }
      }
    }
  }

  /** Past the deadline, every open device ends `timed-out`, with what it was still waiting for. */
  async #applyDeadline(): Promise<void> {
    const { store, campaign, now } = this.#options;
    if (now().getTime() < (parseGraphTime(campaign.deadline) ?? Number.POSITIVE_INFINITY)) return;
    // `posting` is left alone: that POST is in flight and its answer is recorded first.
    const open = openPhases(campaign.action).filter((phase) => phase !== 'posting');
    const devices = await store.campaignDevices(campaign.id, open);
    if (devices.length === 0) return;
    await store.changePhases(
      campaign.id,
      devices.map((device) => ({
        deviceId: device.deviceId,
        from: [device.phase],
        to: 'timed-out',
        error: `${
          device.phase === 'synced' && device.error?.startsWith(CLEAR_RESTART_PENDING)
            ? `${device.error}, not proven by a detection or compliance after the restart`
            : (WAITING_FOR[device.phase] ?? 'not finished')
        } at the campaign deadline ${campaign.deadline}`,
      })),
    );
  }

  /** The next `maxReadsPerTick` devices after the cursor, wrapping around. */
  #nextSlice(devices: readonly CampaignDevice[]): CampaignDevice[] {
    const limit = this.#options.maxReadsPerTick;
    if (devices.length <= limit) return [...devices];
    const start = devices.findIndex((device) => device.deviceId > this.#cursor);
    const rotated = start <= 0 ? [...devices] : [...devices.slice(start), ...devices.slice(0, start)];
    const slice = rotated.slice(0, limit);
    this.#cursor = slice.at(-1)?.deviceId ?? '';
    return slice;
  }
}

/** What a device in each open phase was still waiting for, for its timed-out error. */
const WAITING_FOR: Partial<Record<DevicePhase, string>> = {
  pending: 'not posted',
  posted: 'posted, no sync seen',
  unconfirmed: 'post unconfirmed, no sync seen',
  synced: 'synced, TPM settings still not compliant',
};

/** The later of two Graph times in milliseconds; undefined when neither is a time. */
function latestTime(a: string | null | undefined, b: string | null | undefined): number | undefined {
  const times = [parseGraphTime(a), parseGraphTime(b)].filter((t): t is number => t !== undefined);
  return times.length === 0 ? undefined : Math.max(...times);
}

/** Whether `time` (a report's finishedAt) is known and earlier than `reference` (when it was posted). */
function isBefore(time: string | undefined, reference: string | null): boolean {
  if (time === undefined || reference === null) return false;
  const t = Date.parse(time);
  const r = Date.parse(reference);
  return !Number.isNaN(t) && !Number.isNaN(r) && t < r;
}
