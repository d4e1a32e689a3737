import { randomBytes } from 'node:crypto';
import { ALL_PHASES } from '../fleet/campaign/campaign-phases.js';
import { clearPlan, postingPlan, selectedDevices } from '../fleet/campaign/campaign-plan.js';
import { type CampaignProgress, formatProgressLine } from '../fleet/campaign/campaign-progress.js';
import { type EarlierWriteBudget, runCampaign } from '../fleet/campaign/campaign-runner.js';
import type { CampaignSelection } from '../fleet/campaign/campaign-selection.js';
import { campaignStatus, phaseLabel } from '../fleet/campaign/campaign-status.js';
import { checkApproval } from '../fleet/campaign/clear-script.js';
import { selectClearSafe } from '../fleet/campaign/clear-selection.js';
import {
  createCampaign,
  DEFAULT_DEADLINE_MS,
  LAB_DEFAULT_DEADLINE_MS,
} from '../fleet/campaign/create-campaign.js';
import { openDeviceLines, openDevices } from '../fleet/campaign/open-devices.js';
import { redactGraphError } from '../fleet/campaign/redact-graph-error.js';
import { remedyMisfits, remedyWarnings } from '../fleet/campaign/remedy-fit.js';
import { pinSelectionToTriage } from '../fleet/campaign/triage-pin.js';
import type { GraphStats } from '../fleet/graph/graph-events.js';
import type { GraphLimits } from '../fleet/graph/graph-limits.js';
import type { IntuneApi } from '../fleet/graph/intune-api.js';
import type { Campaign, CampaignAction, DevicePhase, FleetStore } from '../fleet/store/fleet-store.js';
import { storedTriage } from '../fleet/triage/stored-triage.js';
import {
  CLEAR_SAFETIES,
  type ClearSafety,
  TRIAGE_CLASSES,
  type TriageClass,
} from '../fleet/triage/triage-class.js';
import {
  describeTriageFilter,
  hasTriageFilter,
  isBlockerCode,
  isErrorCodeValue,
  isFactValue,
  parseNotSyncedFor,
  type TriageFilter,
} from '../fleet/triage/triage-filter.js';
import { classTitle, safetyTitle } from '../fleet/triage/triage-words.js';
import { type TenantIdentity, tenantPinRefusal } from '../plan/tenant-pinning.js';
import { formatDuration, parseDurationText } from '../text/duration.js';
import { formatLocalTime } from '../text/local-time.js';
import type { UiMessages } from '../text/messages/en.js';
import type { Language } from '../text/messages/language.js';
import { CLEAR_WORD, isTypedWord } from '../text/typed-word.js';
import type {
  AbandonResponse,
  CampaignDetailResponse,
  CampaignDeviceState,
  CampaignEndEvent,
  CampaignPlanResponse,
  CampaignProgressEvent,
  CampaignRunningEvent,
  ConsoleCampaignAction,
  PlanDevice,
  StartedResponse,
  TriageEndEvent,
  TriageProgressEvent,
} from './api-types.js';
import { actionTitle, noteText, phaseTitle, phaseTitles, statusTitle } from './campaign-words.js';
import { EventLog } from './event-log.js';

/**
 * The tenant the console was started with, as the fleet commands connect to it
 * (src/cli/fleet/graph-connection.ts): what campaigns and triages started here post to and read.
 */
export interface ConsoleGraph {
  intune: IntuneApi;
  limits: GraphLimits;
  /** For people: the Graph origin and tenant, never a credential. */
  target: string;
  tenant: TenantIdentity;
  isLab: boolean;
  /** Between tracking rounds, as `fleet sync` polls on this tenant. */
  pollIntervalMs: number;
  /** How long the next `writes` writes would wait for the write budget (the progress line's "write window"). */
  writeWindowWaitMs: (writes: number) => number | null;
  /** The devices write budget, to count earlier processes' writes (campaign-runner.ts `writeBudget`). */
  writeBudget?: EarlierWriteBudget;
  /**
   * Devices per executeAction call, as `fleet sync` posts them in bulk by default
   * (src/fleet/campaign/bulk-post-phase.ts; one POST per device when Graph refuses it).
   */
  bulkBatchSize: number;
  requestStats: () => GraphStats;
  /** scripts/collect-evidence.ps1 of this install (evidence and clear campaigns); throws when missing. */
  detectionScript: () => string;
  /**
   * The console's connection options, stored with each campaign it creates so that `fleet status
   * ID` prints the full `fleet resume` command (src/cli/fleet/resume-command-line.ts: never a secret).
   */
  resumeOptions?: Readonly<Record<string, string>>;
}

/** An answer of an action endpoint: a status and a value, or a status and one sentence. */
export type ActionOutcome<T> = { status: number; value: T } | { status: number; error: string };

const ACTIONS: readonly ConsoleCampaignAction[] = ['sync', 'reboot', 'remediate', 'clear'];
/** A plan is quoted by its start within this time, or the dry run is run again. */
const PLAN_LIFETIME_MS = 15 * 60_000;
const MAX_PLANS = 100;
/** Devices a dry run lists by name in its answer (the count is always the whole). */
const SAMPLE = 200;
/** Device ids one request may name (a selection by class has no such bound). */
const MAX_DEVICE_IDS = 1_000;
/** Per-device events are sent for campaigns up to this size; larger ones report phase counts only. */
const DEVICE_EVENTS_LIMIT = 2_000;
/** The devices a campaign's page lists. */
const DETAIL_DEVICES = 500;
/** A clear decides on a triage at most this old, as `fleet clear` by default (--max-triage-age 24h). */
const CLEAR_MAX_TRIAGE_AGE_MS = 24 * 3_600_000;
/** Intune device ids, as `fleet sync --devices FILE` accepts them. */
const DEVICE_ID = /^[0-9a-fA-F-]{8,64}$/;
const APPROVAL_CHARS = 200;

interface StoredPlan {
  id: string;
  action: CampaignAction;
  selection: CampaignSelection;
  expires: number;
  confirmWord: string | null;
  deadlineMs: number;
}

interface LiveRun {
  controller: AbortController;
  done: Promise<void>;
}

function refuse<T>(status: number, error: string): ActionOutcome<T> {
  return { status, error };
}

function stringList(
  value: unknown,
  name: string,
  known: readonly string[] | RegExp,
  max: number,
): string[] | string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > max)
    return `"${name}" must be a list of 1 to ${max} values.`;
  for (const item of value) {
    const ok =
      typeof item === 'string' &&
      (Array.isArray(known) ? known.includes(item) : (known as RegExp).test(item));
    if (!ok)
      return `"${name}" holds a value that is not one of ${Array.isArray(known) ? known.join(', ') : 'the Intune device ids'}.`;
  }
  return [...new Set(value as string[])];
}

function onlyKeys(body: Record<string, unknown>, keys: readonly string[]): string | undefined {
  const unknown = Object.keys(body).find((key) => !keys.includes(key));
  return unknown === undefined
    ? undefined
    : `Unknown field in the request (allowed: ${keys.join(', ') || 'none'}).`;
}

/** The triage filters a dry run may name beside class and clear safety (triage-filter.ts). */
const FACT_FIELDS = [
  ['blockers', isBlockerCode],
  ['models', isFactValue],
  ['tpmManufacturers', isFactValue],
  ['firmwares', isFactValue],
  ['errorCodes', isErrorCodeValue],
] as const;
/** As many values of one filter as the fleet view's query takes (device-query.ts). */
const MAX_FILTER_VALUES = 50;
const SELECTION_FIELDS = ['classes', 'clearSafety', ...FACT_FIELDS.map(([name]) => name), 'notSyncedFor'];

/**
 * The selection a dry run asks for: by the fleet view's filters (the same rule as the table and
 * `fleet sync --class --model ...`: fleet/triage/triage-filter.ts), or by id.
 */
function selectionOf(body: Record<string, unknown>): CampaignSelection | string {
  const classes = stringList(body.classes, 'classes', TRIAGE_CLASSES, TRIAGE_CLASSES.length);
  const clearSafety = stringList(body.clearSafety, 'clearSafety', CLEAR_SAFETIES, CLEAR_SAFETIES.length);
  const deviceIds = stringList(body.deviceIds, 'deviceIds', DEVICE_ID, MAX_DEVICE_IDS);
  for (const value of [classes, clearSafety, deviceIds]) if (typeof value === 'string') return value;
  const filter: TriageFilter = {
    ...(classes !== undefined ? { classes: classes as string[] } : {}),
    ...(clearSafety !== undefined ? { clearSafety: clearSafety as string[] } : {}),
  };
  for (const [name, valid] of FACT_FIELDS) {
    const value = body[name];
    if (value === undefined) continue;
    if (
      !Array.isArray(value) ||
      value.length === 0 ||
      value.length > MAX_FILTER_VALUES ||
      !value.every((v) => typeof v === 'string' && valid(v))
    )
      return `"${name}" must be a list of 1 to ${MAX_FILTER_VALUES} values as /api/fleet lists them.`;
    filter[name] = [...new Set(value as string[])];
  }
  if (body.notSyncedFor !== undefined) {
    if (typeof body.notSyncedFor !== 'string' || parseNotSyncedFor(body.notSyncedFor) === undefined)
      return '"notSyncedFor" must be a number of days or hours (7d, 12h) or unknown.';
    filter.notSyncedFor = body.notSyncedFor;
  }
  if (deviceIds !== undefined) {
    if (hasTriageFilter(filter))
      return 'Choose devices either by id or by class, clear safety and the other fleet filters, not both.';
    return { kind: 'devices', deviceIds: deviceIds as string[] };
  }
  if (!hasTriageFilter(filter))
    return `Say which devices: deviceIds or a filter (${SELECTION_FIELDS.join(', ')}).`;
  return { kind: 'triage', ...filter };
}

/** The selection for people, in the console's language: the codes in English, the titles in Japanese. */
function describeSelection(selection: CampaignSelection, ui: UiMessages): string {
  if (selection.kind === 'devices')
    return ui['console.selection.by-id']({ count: selection.deviceIds.length });
  const classes = selection.classes as TriageClass[] | undefined;
  const safeties = selection.clearSafety as ClearSafety[] | undefined;
  // The other filters are the triage's own values (models, codes...), said as the CLI says them.
  const others = describeTriageFilter({ ...selection, classes: undefined, clearSafety: undefined });
  return ui['console.selection.triage']({
    filters: describeTriageFilter(selection).join('; '),
    classTitles: classes?.map((c) => classTitle(ui, c)).join(', ') ?? null,
    safetyTitles: safeties?.map((c) => safetyTitle(ui, c)).join(', ') ?? null,
    others: others.length > 0 ? others.join('; ') : null,
    run: selection.runId === undefined ? ui['console.selection.latest'] : String(selection.runId),
  });
}

function progressEvent(progress: CampaignProgress, ui: UiMessages): CampaignProgressEvent {
  return {
    statusTitle: statusTitle(ui, 'running'),
    // The line `fleet sync` keeps on its terminal (posting rate, time to post, the write-window
    // wait), without the time left, which the page's deadline says and which would change every second.
    line: formatProgressLine({ ...progress, deadlineInSeconds: null }, ui),
    devicesText: ui['fleet.campaign.device-count']({
      total: progress.total,
      done: progress.done,
      open: progress.total - progress.done,
    }),
    counts: progress.counts,
    total: progress.total,
    done: progress.done,
    postsPerSecond: progress.postsPerSecond,
    postingEtaSeconds: progress.postingEtaSeconds,
    writeWindowWaitSeconds: progress.writeWindowWaitSeconds,
  };
}

/**
 * What the console starts: dry runs, campaigns (sync, reboot, evidence, clear) and triages, run
 * in this process with the same modules as `fleet sync|remediate|clear|resume|abandon|triage`
 * (src/fleet/campaign/, src/fleet/triage/), against the tenant the console was started with.
 * Every campaign starts from a dry run of its own (its plan id), a clear also from an approval
 * and the typed word CLEAR, checked here, not only on the page (docs/console.md).
 */
export class ConsoleActions {
  readonly #store: FleetStore;
  readonly #graph: ConsoleGraph;
  readonly #log: (line: string) => void;
  readonly #ui: UiMessages;
  readonly #plans = new Map<string, StoredPlan>();
  readonly #runs = new Map<string, LiveRun>();
  readonly #logs = new Map<string, EventLog>();
  readonly #phases = new Map<string, Map<string, string>>();
  readonly #diffing = new Set<string>();
  /** Each running campaign's action, for what its phases mean (phaseLabel). */
  readonly #actions = new Map<string, CampaignAction>();
  #triage: { id: string; progress: TriageProgressEvent | null; done: Promise<void> } | undefined;
  #triageCount = 0;

  readonly #language: Language;

  /**
   * `ui`: the console's language, for every sentence it answers (the CLI's catalogs); `language`
   * for its times, which `fleet status` writes in the admin's time zone with the zone named.
   */
  constructor(
    store: FleetStore,
    graph: ConsoleGraph,
    log: (line: string) => void,
    ui: UiMessages,
    language: Language = 'en',
  ) {
    this.#store = store;
    this.#graph = graph;
    this.#log = log;
    this.#ui = ui;
    this.#language = language;
  }

  /** POST /api/campaigns/plan: the dry run. Nothing is posted, nothing stored but the plan in memory. */
  async plan(
    body: Record<string, unknown>,
  ): Promise<ActionOutcome<Omit<CampaignPlanResponse, keyof import('./api-types.js').ApiEnvelope>>> {
    const extra = onlyKeys(body, ['action', ...SELECTION_FIELDS, 'deviceIds', 'deadline']);
    if (extra !== undefined) return refuse(400, extra);
    const action = body.action;
    if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action))
      return refuse(400, `"action" must be one of ${ACTIONS.join(', ')}.`);
    // As `--deadline` takes it (the same parser and bounds); by default as the CLI: 24 h, 15 min on the lab.
    let deadlineMs = this.#graph.isLab ? LAB_DEFAULT_DEADLINE_MS : DEFAULT_DEADLINE_MS;
    if (body.deadline !== undefined) {
      const parsed =
        typeof body.deadline === 'string' && body.deadline.length <= 20
          ? parseDurationText(body.deadline, '"deadline"')
          : { error: '"deadline" expects a duration such as 90s, 45m, 24h or 2d.' };
      if (typeof parsed !== 'number') return refuse(400, `${parsed.error}.`);
      deadlineMs = parsed;
    }
    const asked = selectionOf(body);
    if (typeof asked === 'string') return refuse(400, asked);
    const isClear = action === 'clear';
    const pinned = await pinSelectionToTriage(
      this.#store,
      asked,
      this.#graph.tenant,
      isClear ? { maxAgeMs: CLEAR_MAX_TRIAGE_AGE_MS, pinDevices: true } : {},
    );
    if ('refusal' in pinned) return refuse(409, pinned.refusal);
    const selection = pinned.selection;
    let cliPlan: unknown;
    let devices: PlanDevice[];
    let refused: PlanDevice[] = [];
    // For people, in the console's language; `plan` keeps the CLI's own words (a contract for scripts).
    const selectionText = describeSelection(selection, this.#ui);
    if (isClear) {
      const chosen = await selectClearSafe(this.#store, selection, this.#graph.tenant);
      const plan = clearPlan(chosen, undefined);
      cliPlan = plan;
      devices = plan.devices;
      refused = plan.refused;
    } else {
      const listed = await selectedDevices(this.#store, selection);
      if (listed === undefined) return refuse(409, this.#ui['console.refuse.no-finished-triage']);
      devices = listed.map(({ deviceId, deviceName }) => ({ deviceId, deviceName }));
      cliPlan = postingPlan(action as CampaignAction, devices.length, this.#graph.limits);
    }
    const posting = postingPlan(action as CampaignAction, devices.length, this.#graph.limits);
    // The dry run's sentences as `fleet sync|clear --dry-run` prints them (the same catalog keys).
    const summary = [
      this.#ui['fleet.dry-run.campaign']({
        action: this.#ui[`fleet.action.${action as CampaignAction}`],
        devices: devices.length,
        writes: posting.limits.writesPerWindow,
        seconds: posting.limits.windowMs / 1000,
        minimumSeconds: posting.minimumPostingSeconds,
      }),
      ...(isClear ? [this.#ui['fleet.clear-plan.would-clear']({ count: devices.length })] : []),
    ];
    // Devices whose class this action cannot help, as the CLI's dry run warns (remedy-fit.ts).
    const warnings = remedyWarnings(
      this.#ui,
      action as CampaignAction,
      await remedyMisfits(this.#store, selection, action as CampaignAction),
    );
    const confirmWord = isClear ? CLEAR_WORD : action !== 'sync' && !this.#graph.isLab ? 'yes' : null;
    const id = randomBytes(16).toString('base64url');
    const now = Date.now();
    for (const [key, stored] of this.#plans) if (stored.expires < now) this.#plans.delete(key);
    if (this.#plans.size >= MAX_PLANS) this.#plans.delete(this.#plans.keys().next().value as string);
    this.#plans.set(id, {
      id,
      action: action as CampaignAction,
      selection,
      expires: now + PLAN_LIFETIME_MS,
      confirmWord,
      deadlineMs,
    });
    return {
      status: 200,
      value: {
        planId: id,
        expiresAt: new Date(now + PLAN_LIFETIME_MS).toISOString(),
        action: action as ConsoleCampaignAction,
        selection: selectionText,
        summary,
        remedyWarnings: warnings,
        devices: devices.length,
        sample: devices.slice(0, SAMPLE),
        refused: refused.slice(0, SAMPLE),
        refusedCount: refused.length,
        minimumPostingSeconds: posting.minimumPostingSeconds,
        limits: { windowMs: posting.limits.windowMs, writesPerWindow: posting.limits.writesPerWindow },
        needsApproval: isClear,
        confirmWord,
        deadlineMs,
        deadlineText: formatDuration(deadlineMs / 1000, this.#language),
        plan: cliPlan,
      },
    };
  }

  /** POST /api/campaigns: starts the campaign a dry run planned; it runs in this process. */
  async start(body: Record<string, unknown>): Promise<ActionOutcome<{ id: string }>> {
    const extra = onlyKeys(body, ['planId', 'approvedBy', 'ticket', 'confirm']);
    if (extra !== undefined) return refuse(400, extra);
    if (typeof body.planId !== 'string' || body.planId.length > 100)
      return refuse(400, this.#ui['console.refuse.no-plan-id']);
    const plan = this.#plans.get(body.planId);
    if (plan === undefined || plan.expires < Date.now())
      return refuse(404, this.#ui['console.refuse.plan-lapsed']);
    let approval: { approvedBy: string; ticket: string } | undefined;
    if (plan.action === 'clear') {
      const approvedBy = typeof body.approvedBy === 'string' ? body.approvedBy.trim() : '';
      const ticket = typeof body.ticket === 'string' ? body.ticket.trim() : '';
      if (
        approvedBy === '' ||
        ticket === '' ||
        approvedBy.length > APPROVAL_CHARS ||
        ticket.length > APPROVAL_CHARS
      )
        return refuse(400, this.#ui['console.refuse.approval-missing']);
      approval = { approvedBy, ticket };
      try {
        checkApproval(approval);
      } catch {
        // checkApproval's rule; its message names the CLI's flags and quotes the value back.
        return refuse(400, this.#ui['console.refuse.approval-text']);
      }
    } else if (body.approvedBy !== undefined || body.ticket !== undefined) {
      return refuse(400, this.#ui['console.refuse.approval-not-clear']);
    }
    if (plan.confirmWord !== null) {
      if (
        typeof body.confirm !== 'string' ||
        body.confirm.length > 100 ||
        !isTypedWord(body.confirm, plan.confirmWord)
      )
        return refuse(400, this.#ui['console.refuse.not-confirmed']({ word: plan.confirmWord }));
    }
    this.#plans.delete(plan.id);
    let detectionScript: string | undefined;
    if (plan.action === 'remediate' || plan.action === 'clear') {
      try {
        detectionScript = this.#graph.detectionScript();
      } catch (e) {
        return refuse(409, (e as Error).message);
      }
    }
    let created: Awaited<ReturnType<typeof createCampaign>>;
    try {
      created = await createCampaign({
        intune: this.#graph.intune,
        store: this.#store,
        action: plan.action,
        selection: plan.selection,
        target: this.#graph.target,
        tenantKey: this.#graph.tenant.key,
        deadlineMs: plan.deadlineMs,
        ...(detectionScript !== undefined ? { detectionScript } : {}),
        ...(approval !== undefined ? { approval } : {}),
        ...(this.#graph.resumeOptions === undefined ? {} : { resumeOptions: this.#graph.resumeOptions }),
      });
    } catch (e) {
      if ((e as { code?: unknown }).code === 'fleet-campaign') return refuse(409, (e as Error).message);
      throw e;
    }
    this.#run(created.campaign.id);
    return { status: 202, value: { id: created.campaign.id } };
  }

  /** The campaign when it is one of this tenant's; another tenant's is as unknown as a wrong id. */
  async #campaign(id: string): Promise<Campaign | undefined> {
    const campaign = await this.#store.getCampaign(id);
    if (campaign === undefined) return undefined;
    const refusal = tenantPinRefusal(
      { kind: 'campaign', id },
      { display: campaign.target, key: campaign.tenantKey },
      this.#graph.tenant,
    );
    return refusal === undefined ? campaign : undefined;
  }

  #logFor(id: string): EventLog {
    let log = this.#logs.get(id);
    if (log === undefined) {
      log = new EventLog();
      this.#logs.set(id, log);
    }
    return log;
  }

  /** Runs (or resumes) a stored campaign in this process, as `fleet resume` runs one. */
  #run(id: string): void {
    const log = this.#logFor(id);
    log.reopen();
    // Every page that follows the campaign learns at once that it runs again, whoever resumed it.
    log.push('running', {
      status: 'running',
      statusTitle: statusTitle(this.#ui, 'running'),
    } satisfies CampaignRunningEvent);
    const controller = new AbortController();
    let lastProgress = '';
    const done = runCampaign({
      intune: this.#graph.intune,
      store: this.#store,
      campaignId: id,
      signal: controller.signal,
      pollIntervalMs: this.#graph.pollIntervalMs,
      writeWindowWaitMs: this.#graph.writeWindowWaitMs,
      ...(this.#graph.writeBudget === undefined ? {} : { writeBudget: this.#graph.writeBudget }),
      bulk: { batchSize: this.#graph.bulkBatchSize },
      onProgress: (progress) => {
        // The runner reports every second so a terminal line keeps moving; a page needs only changes.
        const event = progressEvent(progress, this.#ui);
        const text = JSON.stringify(event);
        if (text !== lastProgress) log.push('progress', event);
        lastProgress = text;
        if (progress.total <= DEVICE_EVENTS_LIMIT) void this.#deviceChanges(id, log);
      },
    })
      .then(
        (result): CampaignEndEvent => {
          if (result.bulk?.refused)
            this.#log(
              `console: campaign ${id}: Graph refused executeAction (${result.bulk.refused}); the devices were posted one by one`,
            );
          return { status: result.status, statusTitle: statusTitle(this.#ui, result.status), error: null };
        },
        (e: unknown): CampaignEndEvent => {
          const message = redactGraphError((e as Error).message ?? String(e));
          this.#log(`console: campaign ${id}: ${message}`);
          return { status: 'stopped', statusTitle: statusTitle(this.#ui, 'stopped'), error: message };
        },
      )
      .then(async (end) => {
        await this.#deviceChanges(id, log, true).catch(() => undefined);
        this.#runs.delete(id);
        log.end('end', end);
      });
    this.#runs.set(id, { controller, done });
  }

  /** A `device` event for each device whose phase or note changed since the last look. */
  async #deviceChanges(id: string, log: EventLog, force = false): Promise<void> {
    if (this.#diffing.has(id) && !force) return;
    this.#diffing.add(id);
    try {
      const known = this.#phases.get(id) ?? new Map<string, string>();
      this.#phases.set(id, known);
      const devices = await this.#store.campaignDevices(id);
      if (devices.length > DEVICE_EVENTS_LIMIT) return;
      let action = this.#actions.get(id);
      if (action === undefined) {
        action = (await this.#store.getCampaign(id))?.action ?? 'sync';
        this.#actions.set(id, action);
      }
      for (const device of devices) {
        const state = deviceState(device, this.#ui, action);
        const key = `${state.phase}\u0000${state.note ?? ''}`;
        if (known.get(device.deviceId) === key) continue;
        known.set(device.deviceId, key);
        log.push('device', state);
      }
    } finally {
      this.#diffing.delete(id);
    }
  }

  async detail(
    id: string,
  ): Promise<ActionOutcome<Omit<CampaignDetailResponse, 'lab' | 'labLabel' | 'tenant'>>> {
    if ((await this.#campaign(id)) === undefined) return refuse(404, this.#ui['console.refuse.no-campaign']);
    const status = await campaignStatus(this.#store, id);
    const devices = (await this.#store.campaignDevices(id))
      .slice(0, DETAIL_DEVICES)
      .map((device) => deviceState(device, this.#ui, status.action));
    const ui = this.#ui;
    const when = (iso: string) => formatLocalTime(iso, this.#language);
    return {
      status: 200,
      value: {
        running: this.#runs.has(id),
        status: {
          id: status.id,
          action: status.action,
          actionTitle: actionTitle(this.#ui, status.action),
          status: status.status,
          statusTitle: statusTitle(this.#ui, status.status),
          selection: status.selection,
          createdAt: status.createdAt,
          deadline: status.deadline,
          total: status.total,
          done: status.done,
          open: status.open,
          counts: status.counts,
        },
        // The lines of `fleet status ID` above its phase counts, with its labels and formatters.
        fields: [
          { label: ui['fleet.campaign.created'], value: when(status.createdAt) },
          { label: ui['fleet.campaign.deadline'], value: when(status.deadline) },
          {
            label: ui['fleet.campaign.devices'],
            value: ui['fleet.campaign.device-count']({
              total: status.total,
              done: status.done,
              open: status.open,
            }),
          },
        ],
        phases: phaseTitles(this.#ui, status.action),
        devices,
      },
    };
  }

  /** GET /api/campaigns/ID/events: the campaign's events, a snapshot first for a new page. */
  async watchCampaign(id: string): Promise<ActionOutcome<{ log: EventLog; snapshot: unknown }>> {
    const detail = await this.detail(id);
    if ('error' in detail) return detail;
    const log = this.#logFor(id);
    if (!this.#runs.has(id) && !log.ended) {
      // Not running here: the snapshot, then the end, so the page stops listening.
      log.end('end', {
        status: detail.value.status.status,
        statusTitle: detail.value.status.statusTitle,
        error: null,
      } satisfies CampaignEndEvent);
    }
    return { status: 200, value: { log, snapshot: detail.value } };
  }

  /** POST /api/campaigns/ID/stop: as Ctrl-C in `fleet sync`: posts in flight are recorded, then it stops. */
  async stop(id: string): Promise<ActionOutcome<{ id: string }>> {
    if ((await this.#campaign(id)) === undefined) return refuse(404, this.#ui['console.refuse.no-campaign']);
    const run = this.#runs.get(id);
    if (run === undefined) return refuse(409, this.#ui['console.refuse.not-running']);
    run.controller.abort();
    await run.done;
    return { status: 200, value: { id } };
  }

  /** POST /api/campaigns/ID/resume: as `fleet resume ID`; nothing already posted is posted again. */
  async resume(id: string): Promise<ActionOutcome<{ id: string }>> {
    const campaign = await this.#campaign(id);
    if (campaign === undefined) return refuse(404, this.#ui['console.refuse.no-campaign']);
    if (this.#runs.has(id)) return refuse(409, this.#ui['console.refuse.already-running']);
    if (campaign.status === 'abandoned') return refuse(409, this.#ui['console.refuse.abandoned']);
    if (campaign.status === 'finished') return refuse(409, this.#ui['console.refuse.finished']);
    this.#run(id);
    return { status: 202, value: { id } };
  }

  /** POST /api/campaigns/ID/abandon: as `fleet abandon ID`; a run here is stopped first. */
  async abandon(id: string): Promise<ActionOutcome<Omit<AbandonResponse, 'lab' | 'labLabel' | 'tenant'>>> {
    const campaign = await this.#campaign(id);
    if (campaign === undefined) return refuse(404, this.#ui['console.refuse.no-campaign']);
    if (campaign.status === 'finished') return refuse(409, this.#ui['console.refuse.finished-abandon']);
    const run = this.#runs.get(id);
    if (run !== undefined) {
      run.controller.abort();
      await run.done;
    }
    await this.#store.setCampaignStatus(id, 'abandoned');
    const notDone = await openDevices(this.#store, id, campaign.action);
    // What `fleet abandon` prints below the status: the same lines, from the same module and catalog.
    const ui = this.#ui;
    const notDoneLines = openDeviceLines(
      notDone,
      ui['fleet.abandon.heading'],
      {
        posted: ui['fleet.open.no-longer-followed'],
        notPosted: ui['fleet.open.never-posted'],
        phase: (phase) => phaseLabel(ui, campaign.action, phase as DevicePhase),
      },
      ui,
    )
      .map((line) => line.trim())
      .filter((line) => line !== '');
    this.#logFor(id).end('end', {
      status: 'abandoned',
      statusTitle: statusTitle(this.#ui, 'abandoned'),
      error: null,
    } satisfies CampaignEndEvent);
    return {
      status: 200,
      value: {
        notDone,
        abandonedText: ui['fleet.campaign.abandoned']({ open: notDone.length }),
        notDoneLines,
      },
    };
  }

  /** POST /api/triage: a new triage of the tenant into the store, as `fleet triage` runs it. */
  startTriage(
    body: Record<string, unknown>,
  ): ActionOutcome<Omit<StartedResponse, 'lab' | 'labLabel' | 'tenant'>> {
    const extra = onlyKeys(body, []);
    if (extra !== undefined) return refuse(400, extra);
    if (this.#triage !== undefined) return refuse(409, this.#ui['console.refuse.triage-running']);
    this.#triageCount += 1;
    const id = `triage-${this.#triageCount}`;
    const log = this.#logFor(id);
    const graph = this.#graph;
    const ui = this.#ui;
    const live: { id: string; progress: TriageProgressEvent | null; done: Promise<void> } = {
      id,
      progress: null,
      done: Promise.resolve(),
    };
    live.done = storedTriage(graph.intune, {
      store: this.#store,
      target: graph.target,
      tenantKey: graph.tenant.key,
      requestStats: graph.requestStats,
      // As `fleet triage` reads by default: the report exports first, per-call reads when refused.
      reportExports: true,
      onProgress: (p) => {
        const graphRequests = graph.requestStats().httpRequests;
        live.progress = {
          listed: p.listed,
          classified: p.classified,
          detailsFetched: p.detailsFetched,
          graphRequests,
          // The line `fleet triage` prints on its terminal for the same counts.
          text: ui['triage.progress']({
            listed: p.listed,
            classified: p.classified,
            detailed: p.detailsFetched,
            requests: graphRequests,
          }),
        };
        log.push('progress', live.progress);
      },
    })
      .then(
        ({ summary, run }): TriageEndEvent => ({
          runId: run?.id ?? null,
          devices: summary.devices,
          needingAction: summary.needingAction,
          text: ui['console.triage.finished']({
            id: String(run?.id ?? ''),
            devices: String(summary.devices),
            needingAction: String(summary.needingAction),
          }),
          error: null,
        }),
        (e: unknown): TriageEndEvent => {
          const message = redactGraphError((e as Error).message ?? String(e));
          this.#log(`console: ${id}: ${message}`);
          return {
            runId: null,
            devices: 0,
            needingAction: 0,
            text: null,
            error: ui['console.triage.failed']({ message }),
          };
        },
      )
      .then((end) => {
        this.#triage = undefined;
        log.end('end', end);
      });
    this.#triage = live;
    return { status: 202, value: { id } };
  }

  /** GET /api/triage/ID/events. */
  watchTriage(id: string): ActionOutcome<{ log: EventLog; snapshot: unknown }> {
    const log = /^triage-\d{1,9}$/.test(id) ? this.#logs.get(id) : undefined;
    if (log === undefined) return refuse(404, this.#ui['console.refuse.no-triage-here']);
    const running = this.#triage?.id === id;
    return {
      status: 200,
      value: { log, snapshot: { running, progress: running ? this.#triage?.progress : null } },
    };
  }

  /** The console stops: every run here stops as Ctrl-C stops it (resumable), every stream closes. */
  async close(): Promise<void> {
    for (const run of this.#runs.values()) run.controller.abort();
    await Promise.all([...this.#runs.values()].map((run) => run.done));
    await this.#triage?.done.catch(() => undefined);
    for (const log of this.#logs.values()) log.closeAll();
  }
}

function deviceState(
  device: { deviceId: string; deviceName: string | null; phase: string; error: string | null },
  ui: UiMessages,
  action: CampaignAction,
): CampaignDeviceState {
  return {
    deviceId: device.deviceId,
    deviceName: device.deviceName,
    phase: device.phase,
    // What the phase means for this action, as `fleet status ID` says it ("cleared and proven, ...").
    phaseTitle: (ALL_PHASES as readonly string[]).includes(device.phase)
      ? phaseLabel(ui, action, device.phase as DevicePhase)
      : phaseTitle(ui, device.phase),
    note: device.error === null ? null : redactGraphError(device.error),
    noteText: noteText(ui, device.error),
  };
}
