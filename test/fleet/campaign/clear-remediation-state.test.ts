/**
 * On a real tenant Graph returns no output of a remediation script, only its remediationState, and
 * Intune's post-remediation detection runs before the restart a PPI clear waits for: an accepted
 * clear (tpm-doctor clear exits 12) and a refused one (exit 10) both report "remediationFailed"
 * with no clear report (remediationState: test/contract/graph/graph-metadata.json). The campaign
 * records "clear requested, restart pending", never `failed`; what happens after the restart
 * decides: compliance (accepted) or the deadline (refused: nothing ever proves it).
 * Real lab (simulated devices: one whose gate passes, one with no escrowed key whose gate refuses),
 * real IntuneClient, real SQLite store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCampaign } from '../../../src/fleet/campaign/campaign-runner.js';
import { findOrUploadClearScript } from '../../../src/fleet/campaign/clear-script.js';
import type { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import type { FleetStore } from '../../../src/fleet/store/fleet-store.js';
import { openFleetStore } from '../../../src/fleet/store/open-store.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { labIntune } from '../../support/lab-graph.js';

let lab: LabTenant;
let intune: IntuneClient;
let store: FleetStore;
let dir: string;

beforeAll(async () => {
  lab = await startLabTenant({
    devices: 400,
    seed: 6,
    windowMs: 200,
    syncDelayMs: 20,
    complianceDelayMs: 20,
  });
  intune = labIntune(lab);
  dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-clear-state-'));
  store = await openFleetStore(`sqlite:${path.join(dir, 'fleet.sqlite')}`);
});
afterAll(async () => {
  await store?.close();
  await lab?.close();
  await rm(dir, { recursive: true, force: true });
});

function firstWith(condition: string): number {
  for (let i = 0; i < lab.devices.size; i++) if (lab.devices.condition(i) === condition) return i;
  return -1;
}

it('remediationFailed before the restart is "clear requested, restart pending": proven by compliance, or timed out, never failed', async () => {
  const refusedIndex = firstWith('tpm-needs-clear-no-escrow');
  const acceptedIndex = firstWith('tpm-needs-clear');
  expect(refusedIndex).toBeGreaterThanOrEqual(0);
  expect(acceptedIndex).toBeGreaterThanOrEqual(0);
  const refusedId = lab.views.managedDevice(refusedIndex).id;
  const acceptedId = lab.views.managedDevice(acceptedIndex).id;
  const { script } = await findOrUploadClearScript(intune, '# detection', {
    approvedBy: 'A. Admin',
    ticket: 'CHG-9',
  });
  const campaign = await store.createCampaign({
    id: 'clear-pending',
    action: 'clear',
    target: 'lab',
    selection: 'test',
    deadline: new Date(Date.now() + 4_000).toISOString(),
    devices: [
      { deviceId: refusedId, deviceName: null, baselineSync: null },
      { deviceId: acceptedId, deviceName: null, baselineSync: null },
    ],
  });
  await store.setCampaignScript(campaign.id, script.id);

  const seen = new Map<string, Set<string>>();
  const result = await runCampaign({
    intune,
    store,
    campaignId: campaign.id,
    pollIntervalMs: 50,
    onProgress: async () => {
      for (const device of await store.campaignDevices(campaign.id)) {
        const phases = seen.get(device.deviceId) ?? new Set<string>();
        phases.add(
          `${device.phase}${device.error?.startsWith('clear requested, restart pending') ? ' (pending)' : ''}`,
        );
        seen.set(device.deviceId, phases);
      }
    },
  });
  expect(result.status).toBe('finished');
  expect(lab.devices.postCount(refusedIndex)).toBe(1);
  expect(lab.devices.postCount(acceptedIndex)).toBe(1);
  const devices = new Map((await store.campaignDevices(campaign.id)).map((d) => [d.deviceId, d]));
  // Both runs reported remediationFailed; neither device was ever called failed.
  for (const id of [refusedId, acceptedId]) expect([...(seen.get(id) ?? [])]).not.toContain('failed');
  // The accepted clear: restart, re-provisioning, TpmRequired compliant: proven.
  expect(devices.get(acceptedId)).toMatchObject({ phase: 'compliant', error: null });
  // The refused clear: nothing after the request ever proved it; the deadline says what it waited for.
  expect(devices.get(refusedId)?.phase).toBe('timed-out');
  expect(devices.get(refusedId)?.error).toMatch(
    /^clear requested, restart pending \(Intune reported remediationState remediationFailed before the restart.*not proven by a detection or compliance after the restart at the campaign deadline/,
  );
  // The lab device's TPM was never cleared: it is still non-compliant.
  expect(lab.views.complianceState(refusedIndex)).toBe('noncompliant');
});
