import type { FleetStore, TriageRow, TriageRun } from '../fleet/store/fleet-store.js';
import {
  CLEAR_SAFETIES,
  TRIAGE_CLASS_INFO,
  TRIAGE_CLASSES,
  type TriageClass,
} from '../fleet/triage/triage-class.js';
import { storedBlockers } from '../fleet/triage/triage-row-blockers.js';
import { SYNC_AGE_BUCKETS } from '../fleet/triage/triage-summary.js';
import { classRemedy, classTitle, safetyTitle, syncAgeTitle } from '../fleet/triage/triage-words.js';
import { type TenantIdentity, tenantPinRefusal } from '../plan/tenant-pinning.js';
import type { UiMessages } from '../text/messages/en.js';
import type {
  ApiEnvelope,
  CampaignInfo,
  CampaignsResponse,
  DeviceCampaign,
  DeviceResponse,
  DeviceRow,
  FleetFigures,
  FleetResponse,
} from './api-types.js';
import { actionTitle, noteText, phaseTitle, statusTitle } from './campaign-words.js';
import type { DeviceQuery } from './device-query.js';
import { factsOf, TriageIndex } from './triage-index.js';

/** How many of a device's campaigns its page lists (newest first). */
const DEVICE_CAMPAIGN_LIMIT = 20;

export interface ConsoleTenant {
  identity: TenantIdentity;
  lab: boolean;
}

function isClass(value: string): value is TriageClass {
  return (TRIAGE_CLASSES as readonly string[]).includes(value);
}

function counts(value: unknown, keys: readonly string[]): Record<string, number> {
  const source = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return Object.fromEntries(
    keys.map((k) => [k, Number.isSafeInteger(source[k]) ? (source[k] as number) : 0]),
  );
}

/**
 * The figures `fleet triage` stored with the run (TriageSummary), read defensively: the store may
 * hold a run written by another build, so only known fields of the right type are passed on.
 */
function figuresOf(summary: unknown, devices: number): FleetFigures {
  const s = (typeof summary === 'object' && summary !== null ? summary : {}) as Record<string, unknown>;
  const byClass = counts(s.byClass, TRIAGE_CLASSES);
  return {
    devices: Number.isSafeInteger(s.devices) ? (s.devices as number) : devices,
    needingAction: Number.isSafeInteger(s.needingAction)
      ? (s.needingAction as number)
      : devices - (byClass.healthy ?? 0),
    byClass,
    byClearSafety: counts(s.byClearSafety, CLEAR_SAFETIES),
    lastSyncAge: counts(s.lastSyncAge, SYNC_AGE_BUCKETS),
    finishedAt: typeof s.finishedAt === 'string' ? s.finishedAt : null,
    warnings: Array.isArray(s.warnings) ? s.warnings.filter((w): w is string => typeof w === 'string') : [],
  };
}

/**
 * What the console's API answers, from the same store, vocabulary and tenant pinning as the
 * fleet commands (src/fleet/, src/plan/tenant-pinning.ts): the latest finished triage of the
 * console's own tenant, its devices, one device, and the tenant's campaigns.
 */
export class FleetApi {
  #index: Promise<TriageIndex> | undefined;
  #indexRun: number | undefined;

  constructor(
    private readonly store: FleetStore,
    private readonly tenant: ConsoleTenant,
    /** The console's language: the display texts next to every code (the CLI's catalogs). */
    private readonly ui: UiMessages,
  ) {}

  get envelope(): ApiEnvelope {
    return {
      lab: this.tenant.lab,
      labLabel: this.tenant.lab ? this.ui['lab.tenant-label'] : null,
      tenant: this.tenant.identity.display,
    };
  }

  /** The latest finished triage of this tenant, or why there is none. */
  async #latestRun(): Promise<{ run: TriageRun } | { message: string }> {
    const run = await this.store.latestTriage(this.tenant.identity.display);
    if (run === undefined) {
      return {
        message: this.ui['console.no-triage']({ tenant: this.tenant.identity.display }),
      };
    }
    const refusal = tenantPinRefusal(
      { kind: 'triage', id: run.id },
      { display: run.target, key: run.tenantKey },
      this.tenant.identity,
    );
    return refusal === undefined ? { run } : { message: refusal };
  }

  /** The run's devices, read once per run (a finished run never changes). */
  async #indexOf(run: TriageRun): Promise<TriageIndex> {
    if (this.#index === undefined || this.#indexRun !== run.id) {
      this.#indexRun = run.id;
      this.#index = TriageIndex.load(this.store, run);
      this.#index.catch(() => {
        if (this.#indexRun === run.id) this.#index = undefined;
      });
    }
    return this.#index;
  }

  async fleet(): Promise<FleetResponse> {
    const latest = await this.#latestRun();
    const vocabulary = {
      classes: TRIAGE_CLASSES.map((id) => ({
        id,
        title: classTitle(this.ui, id),
        remedy: classRemedy(this.ui, id),
        needsAction: TRIAGE_CLASS_INFO[id].needsAction,
      })),
      clearSafeties: CLEAR_SAFETIES.map((id) => ({ id, title: safetyTitle(this.ui, id) })),
      syncAges: SYNC_AGE_BUCKETS.map((id) => ({ id, title: syncAgeTitle(this.ui, id) })),
    };
    if ('message' in latest) {
      return {
        ...this.envelope,
        store: this.store.description,
        run: null,
        message: latest.message,
        figures: null,
        ...vocabulary,
        blockers: [],
        facts: { models: [], tpmManufacturers: [], firmwares: [], errorCodes: [] },
      };
    }
    const { run } = latest;
    const index = await this.#indexOf(run);
    return {
      ...this.envelope,
      store: this.store.description,
      run: { id: run.id, createdAt: run.createdAt, target: run.target },
      message: null,
      figures: figuresOf(run.summary, index.size),
      ...vocabulary,
      blockers: index.blockerCounts(),
      facts: index.factCounts(),
    };
  }

  /**
   * One page of the latest triage's devices: the page's rows are yielded one at a time for the
   * caller to stream, after the head (counts) is known. Undefined when there is no triage.
   */
  async devices(query: DeviceQuery): Promise<
    | {
        head: { run: number; total: number; page: number; pageSize: number; pages: number };
        rows: DeviceRow[];
      }
    | undefined
  > {
    const latest = await this.#latestRun();
    if ('message' in latest) return undefined;
    const index = await this.#indexOf(latest.run);
    const { total, rows } = index.query(query.filter, query.page, query.pageSize);
    return {
      head: {
        run: latest.run.id,
        total,
        page: query.page,
        pageSize: query.pageSize,
        pages: Math.ceil(total / query.pageSize),
      },
      rows: rows.map(({ row, blockers }) => deviceRow(row, blockers)),
    };
  }

  async device(deviceId: string): Promise<DeviceResponse | undefined> {
    const latest = await this.#latestRun();
    if ('message' in latest) return undefined;
    const row = (await this.#indexOf(latest.run)).find(deviceId);
    if (row === undefined) return undefined;
    const { reasons, blockers } = storedBlockers(row);
    const cls = isClass(row.triageClass) ? row.triageClass : undefined;
    const safety = (CLEAR_SAFETIES as readonly string[]).includes(row.clearSafety)
      ? safetyTitle(this.ui, row.clearSafety as (typeof CLEAR_SAFETIES)[number])
      : row.clearSafety;
    return {
      ...this.envelope,
      run: latest.run.id,
      device: {
        deviceId: row.deviceId,
        deviceName: row.deviceName,
        azureAdDeviceId: row.azureAdDeviceId,
        triageClass: row.triageClass,
        classTitle: cls === undefined ? row.triageClass : classTitle(this.ui, cls),
        remedy: cls === undefined ? null : classRemedy(this.ui, cls),
        clearSafety: row.clearSafety,
        clearSafetyTitle: safety,
        lastSync: row.lastSync,
        reasons,
        blockers,
        facts: factsOf(row),
      },
      campaigns: await this.#deviceCampaigns(deviceId),
    };
  }

  async #ownCampaigns() {
    const all = await this.store.listCampaigns();
    return all
      .filter(
        (c) =>
          tenantPinRefusal(
            { kind: 'campaign', id: c.id },
            { display: c.target, key: c.tenantKey },
            this.tenant.identity,
          ) === undefined,
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  async #deviceCampaigns(deviceId: string): Promise<DeviceCampaign[]> {
    const found: DeviceCampaign[] = [];
    for (const c of await this.#ownCampaigns()) {
      if (found.length >= DEVICE_CAMPAIGN_LIMIT) break;
      const device = (await this.store.campaignDevices(c.id)).find((d) => d.deviceId === deviceId);
      if (device === undefined) continue;
      found.push({
        id: c.id,
        action: c.action,
        actionTitle: actionTitle(this.ui, c.action),
        status: c.status,
        statusTitle: statusTitle(this.ui, c.status),
        createdAt: c.createdAt,
        phase: device.phase,
        phaseTitle: phaseTitle(this.ui, device.phase),
        postedAt: device.postedAt,
        compliantAt: device.compliantAt,
        error: device.error,
        errorText: noteText(this.ui, device.error),
      });
    }
    return found;
  }

  async campaigns(): Promise<CampaignsResponse> {
    const campaigns: CampaignInfo[] = [];
    for (const c of await this.#ownCampaigns()) {
      const byPhase = await this.store.phaseCounts(c.id);
      campaigns.push({
        id: c.id,
        action: c.action,
        actionTitle: actionTitle(this.ui, c.action),
        status: c.status,
        statusTitle: statusTitle(this.ui, c.status),
        selection: c.selection,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        deadline: c.deadline,
        devices: Object.values(byPhase).reduce((a, b) => a + b, 0),
        byPhase,
      });
    }
    return { ...this.envelope, campaigns };
  }
}

function deviceRow(row: TriageRow, blockers: readonly string[]): DeviceRow {
  return {
    deviceId: row.deviceId,
    deviceName: row.deviceName,
    triageClass: row.triageClass,
    clearSafety: row.clearSafety,
    lastSync: row.lastSync,
    blockers: [...blockers],
    model: factsOf(row).model,
    tpmManufacturer: factsOf(row).tpmManufacturer,
    firmware: factsOf(row).firmware,
  };
}
