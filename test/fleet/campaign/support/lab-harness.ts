/**
 * The real parts a campaign test needs: the lab tenant over loopback HTTP (small window and
 * delays), the real Graph client with the lab's client-credentials endpoint, and a real SQLite
 * store in a temp dir. The lab's device state is observed (not replaced) to count the actions
 * each device received, which is what "never posted twice" is about.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GraphClient } from '../../../../src/fleet/graph/graph-client.js';
import { IntuneClient } from '../../../../src/fleet/graph/intune-client.js';
import { LabCredential } from '../../../../src/fleet/graph/lab-credential.js';
import type { AccessToken, TokenCredential } from '../../../../src/fleet/graph/token-credential.js';
import type { NewCampaign } from '../../../../src/fleet/store/fleet-store.js';
import { SqliteFleetStore } from '../../../../src/fleet/store/sqlite-store.js';
import { type LabCondition, type LabTenant, startLabTenant } from '../../../../src/lab/tenant/index.js';

export interface LabHarness {
  tenant: LabTenant;
  intune: IntuneClient;
  store: SqliteFleetStore;
  storeDir: string;
  /** Every access token the client was given: none may end up stored or printed. */
  tokens: string[];
  /** Actions the lab received per device id (syncDevice, rebootNow, on-demand runs). */
  actions: Map<string, number>;
  /** Seeded device ids in a condition, in index order. */
  devicesIn(condition: LabCondition, count?: number): string[];
  /** A campaign row for these devices, baselines as the lab holds them now. */
  newCampaign(id: string, deviceIds: readonly string[], deadlineMs?: number): NewCampaign;
  /** The store's bytes (database, WAL), for secret checks. */
  storeBytes(): string;
  close(): Promise<void>;
}

export async function startLabHarness(options: { devices: number; seed: number }): Promise<LabHarness> {
  const tenant = await startLabTenant({
    devices: options.devices,
    seed: options.seed,
    // 200 writes per 250 ms: Intune's counts, time scaled so a few hundred posts take a second.
    windowMs: 250,
    syncDelayMs: 30,
    complianceDelayMs: 30,
  });
  const storeDir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-campaign-'));
  let store: SqliteFleetStore | undefined;
  try {
    store = await SqliteFleetStore.open(path.join(storeDir, 'fleet.sqlite'));
    const tokens: string[] = [];
    const lab = new LabCredential({
      labUrl: tenant.url,
      tenantId: tenant.tenantId,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
    });
    const credential: TokenCredential = {
      async getToken(scopes, getOptions): Promise<AccessToken | null> {
        const token = await lab.getToken(scopes, getOptions);
        tokens.push(token.token);
        return token;
      },
    };
    const graph = new GraphClient({
      baseUrl: tenant.url,
      credential,
      // The lab is Graph at a loopback origin; the token's audience is still Graph's.
      scopes: ['https://graph.microsoft.com/.default'],
      limits: tenant.limits,
      timeoutMs: 5_000,
      backoffBaseMs: 20,
      backoffMaxMs: 500,
    });
    const intune = new IntuneClient(graph);

    const actions = new Map<string, number>();
    const count = (index: number): void => {
      const id = tenant.devices.fleet.ids[index]!;
      actions.set(id, (actions.get(id) ?? 0) + 1);
    };
    const devices = tenant.devices;
    const syncDevice = devices.syncDevice.bind(devices);
    const rebootNow = devices.rebootNow.bind(devices);
    const runScript = devices.runScript.bind(devices);
    devices.syncDevice = (index) => {
      count(index);
      syncDevice(index);
    };
    devices.rebootNow = (index) => {
      count(index);
      rebootNow(index);
    };
    devices.runScript = (index, scriptId) => {
      count(index);
      runScript(index, scriptId);
    };

    const opened = store;
    return {
      tenant,
      intune,
      store: opened,
      storeDir,
      tokens,
      actions,
      devicesIn(condition, limit = Number.POSITIVE_INFINITY) {
        const ids: string[] = [];
        for (let index = 0; index < devices.size && ids.length < limit; index++) {
          if (devices.condition(index) === condition) ids.push(devices.fleet.ids[index]!);
        }
        return ids;
      },
      newCampaign(id, deviceIds, deadlineMs = 3_600_000) {
        return {
          id,
          action: 'sync',
          target: `${tenant.url} tenant ${tenant.tenantId}`,
          selection: `${deviceIds.length} lab devices`,
          deadline: new Date(Date.now() + deadlineMs).toISOString(),
          devices: deviceIds.map((deviceId) => {
            const index = devices.indexOf(deviceId);
            const device = index === undefined ? undefined : tenant.views.managedDevice(index);
            return {
              deviceId,
              deviceName: device?.deviceName ?? null,
              baselineSync: device?.lastSyncDateTime ?? null,
            };
          }),
        };
      },
      storeBytes() {
        return readdirSync(storeDir)
          .map((file) => readFileSync(path.join(storeDir, file)).toString('latin1'))
          .join('\n');
      },
      async close() {
        await opened.close();
        await tenant.close();
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await store?.close();
    await tenant.close();
    rmSync(storeDir, { recursive: true, force: true });
    throw error;
  }
}
