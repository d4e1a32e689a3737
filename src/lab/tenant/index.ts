import type { AddressInfo } from 'node:net';
import { type GraphLimits, INTUNE_LIMITS, serviceLimits } from '../../fleet/graph/graph-limits.js';
import { type BulkActionRefusal, BulkActions } from './bulk-actions.js';
import { DeviceSimulation } from './device-simulation.js';
import { DEFAULT_MIX, LAB_CONDITIONS } from './fleet-mix.js';
import { GraphViews } from './graph-views.js';
import { type LabClock, systemClock } from './lab-clock.js';
import { ReportExports } from './report-exports.js';
import { ScriptCatalog, SEEDED_EVIDENCE_SCRIPT_NAME } from './script-catalog.js';
import { seedFleet } from './seed-fleet.js';
import { LabServer, type LabStats } from './server.js';
import type { SwtpmDevice, SwtpmDevices } from './swtpm-devices.js';
import { TokenIssuer } from './token-issuer.js';

export type { DeviceSimulation } from './device-simulation.js';
export type { LabCondition } from './fleet-mix.js';
export type { GraphViews } from './graph-views.js';
export { type ScriptCatalog, SEEDED_EVIDENCE_SCRIPT_NAME } from './script-catalog.js';
export type { LabStats } from './server.js';
export type { SwtpmDevice } from './swtpm-devices.js';

export interface LabTenantOptions {
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /**
   * Serve https with this PEM key and certificate (default: plain http). The browser sign-in needs
   * it: MSAL refuses an http authority (docs/graph-auth.md).
   */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Loopback only: '127.0.0.1' (default) or '::1'. */
  host?: '127.0.0.1' | '::1';
  /** Seeded devices (default 5,000). */
  devices?: number;
  /** PRNG seed (default 1): the same seed gives the same fleet. */
  seed?: number;
  /** The throttling window (default 20,000 ms as Intune); the per-window counts stay Intune's. */
  windowMs?: number;
  /** From an action (sync, reboot, Remediations run) to the device doing it (default 2,000 ms). */
  syncDelayMs?: number;
  /** From the fixing event to the settings turning compliant (default 5,000 ms). */
  complianceDelayMs?: number;
  /** Share of 429s without Retry-After (default 0.1). */
  omitRetryAfterRate?: number;
  /** Share of requests answered 503/504 (default 0). */
  transientErrorRate?: number;
  /** Added to every Graph answer (default 0 ms). */
  latencyMs?: number;
  /**
   * Refuse every executeAction with this status, acting on no device (default: none; settable
   * later through `bulkActions.refusedWith`): the case a campaign falls back to per-device POSTs.
   */
  refuseBulkActions?: BulkActionRefusal;
  /** Largest page the lab sends (default 1,000, Graph's managedDevices maximum). */
  pageSize?: number;
  /** Access token lifetime (default 3,599 s, as Entra's). */
  tokenLifetimeMs?: number;
  /** The clock device state evolves by (default the system clock). */
  clock?: LabClock;
  /**
   * The time the seeded fleet's ages (last sync, evidence) count back from (epoch ms; default:
   * now). Two labs with the same seed and the same `seededAt` hold the same fleet to the
   * millisecond, so a campaign run against a second lab finds the baselines a triage of the
   * first recorded.
   */
  seededAt?: number;
  /**
   * How many tpm-needs-clear devices (with their key escrowed) get a real provisioned swtpm with
   * stale owner objects, so that a clear script run on them really clears a TPM (default 0;
   * swtpm-devices.ts). Each swtpm is stopped by its PID on close.
   */
  swtpmDevices?: number;
}

/**
 * A running lab tenant. `clientSecret` is a getter on the class, so the secret never shows in
 * JSON.stringify or util.inspect of this object: only code that asks for it gets it.
 */
export class LabTenant {
  readonly url: string;
  readonly limits: GraphLimits;
  /** The simulated devices: their facts, the actions on them and how they evolve. */
  readonly devices: DeviceSimulation;
  /** The Remediations scripts and their runs. */
  readonly scripts: ScriptCatalog;
  /** The devices and scripts as Graph shows them. */
  readonly views: GraphViews;
  /** Report export jobs (`refused` makes them 403). */
  readonly exports: ReportExports;
  /** executeAction's calls, and `refusedWith` to refuse them. */
  readonly bulkActions: BulkActions;
  readonly #issuer: TokenIssuer;
  readonly #server: LabServer;
  readonly #swtpm: SwtpmDevices | null;

  constructor(
    url: string,
    limits: GraphLimits,
    tenant: {
      devices: DeviceSimulation;
      scripts: ScriptCatalog;
      views: GraphViews;
      exports: ReportExports;
      bulkActions: BulkActions;
    },
    issuer: TokenIssuer,
    server: LabServer,
    swtpm: SwtpmDevices | null = null,
  ) {
    this.url = url;
    this.limits = limits;
    this.devices = tenant.devices;
    this.scripts = tenant.scripts;
    this.views = tenant.views;
    this.exports = tenant.exports;
    this.bulkActions = tenant.bulkActions;
    this.#issuer = issuer;
    this.#server = server;
    this.#swtpm = swtpm;
  }

  /** The devices backed by a real swtpm (none unless `swtpmDevices` was given). */
  get swtpmDevices(): SwtpmDevice[] {
    return this.#swtpm?.list() ?? [];
  }

  /**
   * What a swtpm-backed device's simulated firmware answers to GetPhysicalPresenceTransition
   * (swtpm-devices.ts setFirmwareTransition; default 2, a restart).
   */
  setFirmwareTransition(deviceId: string, transition: number | null): void {
    const device = this.swtpmDevices.find((d) => d.deviceId === deviceId);
    if (device === undefined || this.#swtpm === null)
      throw new Error(`${deviceId} is not a swtpm-backed lab device`);
    this.#swtpm.setFirmwareTransition(device.index, transition);
  }

  /** Resolves once no real clear is running on a swtpm-backed device (so tpm2-tools may use it). */
  async clearsSettled(): Promise<void> {
    await this.#swtpm?.idle();
  }

  get tenantId(): string {
    return this.#issuer.tenantId;
  }

  get clientId(): string {
    return this.#issuer.clientId;
  }

  get clientSecret(): string {
    return this.#issuer.clientSecret;
  }

  /** The token endpoint, in Entra ID's form. */
  get tokenUrl(): string {
    return `${this.url}/${this.tenantId}/oauth2/v2.0/token`;
  }

  stats(): LabStats {
    return this.#server.stats();
  }

  /** Stops the server, then every swtpm by its PID (after any clear still running on it). */
  async close(): Promise<void> {
    try {
      await this.#server.close();
    } finally {
      await this.#swtpm?.close();
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      lab: true,
      url: this.url,
      tenantId: this.tenantId,
      clientId: this.clientId,
      limits: this.limits,
      swtpmDevices: this.swtpmDevices.map(({ deviceId, deviceName, uri }) => ({ deviceId, deviceName, uri })),
    };
  }
}

/** Starts a lab tenant on a loopback port (docs/lab-tenant.md). */
export async function startLabTenant(options: LabTenantOptions = {}): Promise<LabTenant> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') {
    throw new RangeError(
      `startLabTenant: host must be 127.0.0.1 or ::1 (loopback only), got ${String(host)}`,
    );
  }
  const rate = (name: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`startLabTenant: ${name} must be from 0 to 1, got ${v}`);
    return v;
  };
  const nonNegative = (name: string, value: number | undefined, fallback: number, min = 0) => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < min)
      throw new RangeError(`startLabTenant: ${name} must be a number >= ${min}, got ${v}`);
    return v;
  };
  const clock = options.clock ?? systemClock;
  const limits: GraphLimits = Object.freeze({
    ...INTUNE_LIMITS,
    windowMs: nonNegative('windowMs', options.windowMs, INTUNE_LIMITS.windowMs, 1),
  });
  const timings = {
    syncDelayMs: nonNegative('syncDelayMs', options.syncDelayMs, 2_000),
    complianceDelayMs: nonNegative('complianceDelayMs', options.complianceDelayMs, 5_000),
  };
  const faults = {
    omitRetryAfterRate: rate('omitRetryAfterRate', options.omitRetryAfterRate, 0.1),
    transientErrorRate: rate('transientErrorRate', options.transientErrorRate, 0),
    latencyMs: nonNegative('latencyMs', options.latencyMs, 0),
  };
  const pageSize = nonNegative('pageSize', options.pageSize, 1000, 1);
  const fleet = seedFleet({
    devices: options.devices ?? 5000,
    seed: options.seed ?? 1,
    now: options.seededAt ?? clock.now(),
  });
  const scripts = new ScriptCatalog(fleet.seed);
  const devices = new DeviceSimulation(fleet, clock, timings, scripts);
  const views = new GraphViews(devices, scripts);
  const tenant = {
    devices,
    scripts,
    views,
    exports: new ReportExports(devices, views),
    bulkActions: new BulkActions(options.refuseBulkActions ?? null),
  };
  const swtpmCount = nonNegative('swtpmDevices', options.swtpmDevices, 0);
  let swtpm: SwtpmDevices | null = null;
  if (swtpmCount > 0) {
    // Loaded only when asked: it brings tpm-doctor's clear run, diagnosis and TPM client.
    const { SwtpmDevices } = await import('./swtpm-devices.js');
    swtpm = await SwtpmDevices.start(devices, swtpmCount);
    devices.attachRealClearer(swtpm);
  }
  const issuer = new TokenIssuer(nonNegative('tokenLifetimeMs', options.tokenLifetimeMs, 3_599_000, 1), () =>
    clock.now(),
  );

  let url = '';
  const server = new LabServer({
    tenant,
    issuer,
    limits,
    faults,
    pageSize,
    ...(options.tls ? { tls: options.tls } : {}),
    info: () => ({
      lab: true,
      name: 'tpm-doctor LAB tenant: simulated devices, not a real Microsoft tenant',
      graph: { v1: `${url}/v1.0`, beta: `${url}/beta` },
      tokenUrl: `${url}/${issuer.tenantId}/oauth2/v2.0/token`,
      tenantId: issuer.tenantId,
      clientId: issuer.clientId,
      limits,
      // Per Intune service (docs/graph-calls.md): `limits` above is the devices service's.
      serviceLimits: serviceLimits(limits),
      windowMs: limits.windowMs,
      pageSize,
      devices: fleet.size,
      seed: fleet.seed,
      mix: Object.fromEntries(
        LAB_CONDITIONS.map((c) => [c, { devices: fleet.counts[c], share: DEFAULT_MIX[c] }]),
      ),
      timings,
      faults,
      evidenceScript: SEEDED_EVIDENCE_SCRIPT_NAME,
      swtpmDevices: (swtpm?.list() ?? []).map(({ deviceId, deviceName, uri }) => ({
        deviceId,
        deviceName,
        uri,
      })),
    }),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port ?? 0, host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await swtpm?.close();
    throw e;
  }
  const { port } = server.server.address() as AddressInfo;
  url = `${options.tls ? 'https' : 'http'}://${host === '::1' ? '[::1]' : host}:${port}`;
  server.baseUrl = url;
  return new LabTenant(url, limits, tenant, issuer, server, swtpm);
}
