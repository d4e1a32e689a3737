/**
 * Re-running a campaign's command after a Ctrl-C must not send the same devices the same action
 * again: a device open in an unfinished campaign with the same action, in the same tenant, is
 * skipped with the exact `fleet resume ID` that continues it; and a stopped campaign's status says
 * that command. Real lab, real IntuneClient, real SQLite store.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { campaignStatus, renderCampaignStatus } from '../../../src/fleet/campaign/campaign-status.js';
import { createCampaign } from '../../../src/fleet/campaign/create-campaign.js';
import { type LabHarness, startLabHarness } from './support/lab-harness.js';

let h: LabHarness;
beforeAll(async () => {
  h = await startLabHarness({ devices: 300, seed: 12 });
});
afterAll(async () => {
  await h?.close();
});

it('a device open in a stopped campaign with the same action is not selected again; another action is', async () => {
  const ids = h.devicesIn('healthy', 3).slice(1);
  const target = `${h.tenant.url} tenant ${h.tenant.tenantId}`;
  const first = await createCampaign({
    intune: h.intune,
    store: h.store,
    action: 'reboot',
    selection: { kind: 'devices', deviceIds: ids },
    target,
  });
  await h.store.setCampaignStatus(first.campaign.id, 'stopped');

  await expect(
    createCampaign({
      intune: h.intune,
      store: h.store,
      action: 'reboot',
      selection: { kind: 'devices', deviceIds: ids },
      target,
    }),
  ).rejects.toThrow(
    new RegExp(
      `matched no devices \\(${ids.length} refused: already open in campaign ${first.campaign.id} \\(reboot, stopped\\): "tpm-doctor fleet resume ${first.campaign.id}" continues it`,
    ),
  );

  // One more device than before: only the new one is taken.
  const more = [...ids, ...h.devicesIn('healthy', 1)];
  expect(ids).not.toContain(more.at(-1));
  const second = await createCampaign({
    intune: h.intune,
    store: h.store,
    action: 'reboot',
    selection: { kind: 'devices', deviceIds: more },
    target,
  });
  expect((await h.store.campaignDevices(second.campaign.id)).map((d) => d.deviceId)).toEqual([more.at(-1)]);
  expect(second.skipped.map((s) => s.deviceId).sort()).toEqual([...ids].sort());

  // Another action on the same devices is another campaign's business.
  const sync = await createCampaign({
    intune: h.intune,
    store: h.store,
    action: 'sync',
    selection: { kind: 'devices', deviceIds: ids },
    target,
  });
  expect((await h.store.campaignDevices(sync.campaign.id)).length).toBe(ids.length);

  // The stopped campaign's status names the exact command that resumes it.
  const status = await campaignStatus(h.store, first.campaign.id);
  expect(renderCampaignStatus(status)).toContain(
    `Stopped: "tpm-doctor fleet resume ${first.campaign.id}" resumes it.`,
  );
});
