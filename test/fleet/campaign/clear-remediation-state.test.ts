/**
 * On a real tenant Graph returns no output of a remediation script, only its remediationState: a
 * device whose own gate refused the clear (tpm-doctor clear exited non-zero) reports
 * "remediationFailed" with no clear report. The campaign must call that `failed`, not `synced`.
 * Real lab (a simulated device with no escrowed key, whose lab gate refuses), real IntuneClient,
 * real SQLite store.
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

it('a device whose clear was refused on the device (remediationFailed, no report) ends failed', async () => {
  let index = -1;
  for (let i = 0; i < lab.devices.size; i++) {
    if (lab.devices.condition(i) === 'tpm-needs-clear-no-escrow') {
      index = i;
      break;
    }
  }
  expect(index).toBeGreaterThanOrEqual(0);
  const deviceId = lab.views.managedDevice(index).id;
  const { script } = await findOrUploadClearScript(intune, '# detection', {
    approvedBy: 'A. Admin',
    ticket: 'CHG-9',
  });
  const campaign = await store.createCampaign({
    id: 'clear-refused',
    action: 'clear',
    target: 'lab',
    selection: 'test',
    deadline: new Date(Date.now() + 20_000).toISOString(),
    devices: [{ deviceId, deviceName: null, baselineSync: null }],
  });
  await store.setCampaignScript(campaign.id, script.id);

  const result = await runCampaign({ intune, store, campaignId: campaign.id, pollIntervalMs: 50 });
  expect(result.status).toBe('finished');
  expect(lab.devices.postCount(index)).toBe(1);
  const [device] = await store.campaignDevices(campaign.id);
  expect(device?.phase).toBe('failed');
  expect(device?.error).toMatch(/^clear remediationFailed on the device/);
  // The lab device's TPM was never cleared: it is still non-compliant.
  expect(lab.views.complianceState(index)).toBe('noncompliant');
});
