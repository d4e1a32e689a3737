/**
 * A clear campaign that really clears TPMs: a lab tenant whose two devices are backed by real
 * swtpm instances, the real Graph client over loopback, a real SQLite store. tpm2-tools, not the
 * code under test, sets up the refusal (disableClear on the second TPM) and checks the result on
 * the TPMs themselves.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCampaign } from '../../../src/fleet/campaign/campaign-runner.js';
import { parseClearReport } from '../../../src/fleet/campaign/clear-report.js';
import { clearScriptName } from '../../../src/fleet/campaign/clear-script.js';
import { createCampaign } from '../../../src/fleet/campaign/create-campaign.js';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import type { DeviceHealthScriptRunState } from '../../../src/fleet/graph/graph-types.js';
import { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import { LabCredential } from '../../../src/fleet/graph/lab-credential.js';
import type { AccessToken, TokenCredential } from '../../../src/fleet/graph/token-credential.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { triageFleet } from '../../../src/fleet/triage/triage.js';
import { toTriageRow } from '../../../src/fleet/triage/triage-result.js';
import { type LabTenant, type SwtpmDevice, startLabTenant } from '../../../src/lab/tenant/index.js';
import { assertSwtpmAvailable } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';

const STALE_HANDLES = ['0x81000010', '0x81000011'];
const APPROVAL = { approvedBy: 'A. Admin', ticket: 'CHG-4711' };

let lab: LabTenant;
let store: SqliteFleetStore;
let intune: IntuneClient;
let storeDir: string;
const tokens: string[] = [];
let pids: number[] = [];

beforeAll(async () => {
  assertSwtpmAvailable();
  lab = await startLabTenant({
    devices: 600,
    seed: 1,
    swtpmDevices: 2,
    windowMs: 250,
    syncDelayMs: 30,
    complianceDelayMs: 30,
  });
  pids = lab.swtpmDevices.map((d) => d.pid);
  storeDir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-clear-campaign-'));
  store = await SqliteFleetStore.open(path.join(storeDir, 'fleet.sqlite'));
  const labCredential = new LabCredential({
    labUrl: lab.url,
    tenantId: lab.tenantId,
    clientId: lab.clientId,
    clientSecret: lab.clientSecret,
  });
  const credential: TokenCredential = {
    async getToken(scopes, options): Promise<AccessToken | null> {
      const token = await labCredential.getToken(scopes, options);
      tokens.push(token.token);
      return token;
    },
  };
  intune = new IntuneClient(
    new GraphClient({
      baseUrl: lab.url,
      credential,
      scopes: ['https://graph.microsoft.com/.default'],
      limits: lab.limits,
      timeoutMs: 10_000,
      backoffBaseMs: 20,
      backoffMaxMs: 500,
    }),
  );
}, 120_000);

afterAll(async () => {
  await store?.close();
  await lab?.close();
  await rm(storeDir, { recursive: true, force: true });
  // Every swtpm the lab started is gone: stopped by its PID.
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function persistentHandles(device: SwtpmDevice): Promise<string[]> {
  const handles = parse((await tpm2(device, ['tpm2_getcap', 'handles-persistent'])).stdout) as
    | number[]
    | null;
  return (handles ?? []).map((h) => `0x${h.toString(16)}`);
}

/**
 * The public key (x) of an ECC storage primary under the owner hierarchy, made by tpm2-tools: a
 * primary key is derived from the hierarchy's seed and the template, so it changes exactly when
 * the storage seed does (TPM2_Clear, Part 3 §24.6; Part 1 §14.2).
 */
async function ownerPrimaryKey(device: SwtpmDevice, dir: string): Promise<string> {
  const out = (
    await tpm2(device, [
      'tpm2_createprimary',
      '-C',
      'o',
      '-G',
      'ecc256:aes128cfb',
      '-c',
      path.join(dir, 'p.ctx'),
    ])
  ).stdout;
  // No resource manager behind swtpm: flush the transient object, or it takes a slot.
  await tpm2(device, ['tpm2_flushcontext', '-t']);
  const x = /^x:\s*([0-9a-f]+)/m.exec(out)?.[1];
  if (x === undefined) throw new Error(`tpm2_createprimary printed no ECC point:\n${out}`);
  return x;
}

async function disableClear(device: SwtpmDevice): Promise<boolean> {
  const out = parse((await tpm2(device, ['tpm2_getcap', 'properties-variable'])).stdout) as Record<
    string,
    Record<string, unknown>
  >;
  return out.TPM2_PT_PERMANENT?.disableClear === 1;
}

async function runStates(scriptId: string): Promise<DeviceHealthScriptRunState[]> {
  const all: DeviceHealthScriptRunState[] = [];
  for await (const page of intune.healthScriptRunStates(scriptId)) all.push(...page);
  return all;
}

describe('fleet clear campaign on swtpm-backed lab devices', () => {
  it('clears the safe device for real, refuses the one whose TPM disables clears, and tracks both to their end', async () => {
    const [safe, refused] = lab.swtpmDevices;
    expect(safe).toBeDefined();
    expect(refused).toBeDefined();
    if (safe === undefined || refused === undefined) return;
    const work = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-clear-names-'));
    try {
      // Both TPMs start with a previous owner's keys, as the lab put them there.
      for (const device of [safe, refused])
        expect(await persistentHandles(device)).toEqual(expect.arrayContaining(STALE_HANDLES));
      const keysBefore = [await ownerPrimaryKey(safe, work), await ownerPrimaryKey(refused, work)];
      // The second device's owner set disableClear (lockout authorisation, empty on this TPM).
      await tpm2(refused, ['tpm2_clearcontrol', '-C', 'l', 's']);
      expect(await disableClear(refused)).toBe(true);

      // Triage, as `fleet triage` stores it.
      const triageRun = await store.beginTriage(`${lab.url} tenant ${lab.tenantId}`);
      const rows: ReturnType<typeof toTriageRow>[] = [];
      const summary = await triageFleet(intune, {
        onResult: (result) => {
          if (result.class !== 'healthy') rows.push(toTriageRow(result));
        },
      });
      await store.addTriageRows(triageRun, rows);
      await store.finishTriage(triageRun, summary);
      const row = (id: string) => rows.find((r) => r.deviceId === id);
      expect(row(safe.deviceId)?.clearSafety).toBe('safe');
      expect(row(refused.deviceId)?.clearSafety).toBe('safe');
      const blocked = rows.find((r) => r.clearSafety === 'blocked');
      expect(blocked).toBeDefined();

      const created = await createCampaign({
        intune,
        store,
        action: 'clear',
        selection: { kind: 'devices', deviceIds: [safe.deviceId, refused.deviceId, blocked!.deviceId] },
        target: `${lab.url} tenant ${lab.tenantId}`,
        detectionScript: '# LAB: scripts/collect-evidence.ps1',
        approval: APPROVAL,
      });
      // The guard rail: the device triage did not call safe is refused with the triage's reason.
      expect(created.skipped).toEqual([
        { deviceId: blocked!.deviceId, reason: expect.stringMatching(/clear safety "blocked"/) },
      ]);
      expect(created.campaign.action).toBe('clear');
      expect((await store.campaignDevices(created.campaign.id)).map((d) => d.deviceId).sort()).toEqual(
        [safe.deviceId, refused.deviceId].sort(),
      );

      const result = await runCampaign({
        intune,
        store,
        campaignId: created.campaign.id,
        pollIntervalMs: 40,
      });
      expect(result.status).toBe('finished');
      // The devices' clear reports were read back through the documented report export
      // (DeviceRunStatesByProactiveRemediation, docs/graph-calls.md calls 16-18).
      expect(lab.exports.counts.created).toBeGreaterThan(0);
      expect(lab.exports.counts.downloaded).toBe(lab.exports.counts.created);
      const devices = new Map((await store.campaignDevices(created.campaign.id)).map((d) => [d.deviceId, d]));
      expect(devices.get(safe.deviceId)?.phase).toBe('compliant');
      expect(devices.get(refused.deviceId)?.phase).toBe('failed');
      expect(devices.get(refused.deviceId)?.error).toMatch(
        /clear refused on the device \(gate-not-passed; blocking: [^)]*blocker\.disable-clear[^)]*\): /,
      );

      // Exactly one clear script run per device, and one clear run journaled on the cleared one.
      for (const device of [safe, refused]) expect(lab.devices.postCount(device.index)).toBe(1);
      await lab.clearsSettled();
      const journals = (await readdir(safe.journalDir)).filter((f) => f.endsWith('.jsonl'));
      expect(journals).toHaveLength(1);
      await expect(readdir(refused.journalDir)).rejects.toThrow(/ENOENT/);

      // The TPMs themselves, read by tpm2-tools: the safe one really cleared, the refused one untouched.
      expect(await persistentHandles(safe)).toEqual([]);
      expect(await persistentHandles(refused)).toEqual(expect.arrayContaining(STALE_HANDLES));
      const keysAfter = [await ownerPrimaryKey(safe, work), await ownerPrimaryKey(refused, work)];
      expect(keysAfter[0]).not.toBe(keysBefore[0]);
      expect(keysAfter[1]).toBe(keysBefore[1]);
      expect(await disableClear(refused)).toBe(true);

      // What Graph reports: the receipt's summary for the cleared one, the reason for the other.
      const script = await intune.findHealthScript(clearScriptName(APPROVAL, created.campaign.id));
      expect(script?.id).toBe(created.campaign.scriptId);
      const states = await runStates(created.campaign.scriptId!);
      const reportOf = (id: string) =>
        parseClearReport(states.find((s) => s.managedDevice?.id === id)?.preRemediationDetectionScriptOutput);
      const clearedReport = reportOf(safe.deviceId);
      expect(clearedReport).toMatchObject({ result: 'cleared', proven: true, reason: null });
      expect(clearedReport?.srkNameBefore).toMatch(/^000b[0-9a-f]{64}$/);
      expect(clearedReport?.srkNameAfter).toMatch(/^000b[0-9a-f]{64}$/);
      expect(clearedReport?.srkNameAfter).not.toBe(clearedReport?.srkNameBefore);
      expect(clearedReport?.runId).toBe(journals[0]!.replace(/\.jsonl$/, ''));
      const refusedReport = reportOf(refused.deviceId);
      expect(refusedReport).toMatchObject({ result: 'refused', reason: 'gate-not-passed', proven: null });
      expect(refusedReport?.blocking).toContain('blocker.disable-clear');
      expect(states.find((s) => s.managedDevice?.id === refused.deviceId)?.detectionState).toBe('fail');

      // The journal and receipt hold the approval, and no secret reached any output.
      const journalText = await readFile(path.join(safe.journalDir, journals[0]!), 'utf8');
      expect(journalText).toContain(APPROVAL.ticket);
      const receipt = JSON.parse(
        await readFile(path.join(safe.journalDir, journals[0]!.replace(/\.jsonl$/, '.receipt.json')), 'utf8'),
      ) as { proof: { proven: boolean }; approvedBy: string };
      expect(receipt).toMatchObject({ proof: { proven: true }, approvedBy: APPROVAL.approvedBy });
      const storeBytes = (
        await Promise.all((await readdir(storeDir)).map((f) => readFile(path.join(storeDir, f), 'latin1')))
      ).join('\n');
      const outputs = states.map((s) => s.preRemediationDetectionScriptOutput ?? '').join('\n');
      expect(tokens.length).toBeGreaterThan(0);
      for (const secret of [lab.clientSecret, ...tokens]) {
        for (const text of [storeBytes, outputs, journalText]) expect(text.includes(secret)).toBe(false);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 120_000);
});
