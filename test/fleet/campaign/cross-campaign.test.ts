/**
 * Re-running a campaign's command after a Ctrl-C must not send the same devices the same action
 * again: a device open in an unfinished campaign with the same action, in the same tenant, is
 * skipped with the exact `fleet resume ID` that continues it; and a stopped campaign's status says
 * that command. Real lab, real IntuneClient, real SQLite store.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCampaign } from '../../../src/fleet/campaign/campaign-runner.js';
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

it('an abandoned campaign frees the devices it never posted, keeps those it posted, and is never run again', async () => {
  const ids = h.devicesIn('healthy', 8).slice(4);
  const target = `${h.tenant.url} tenant ${h.tenant.tenantId}`;
  const first = await createCampaign({
    intune: h.intune,
    store: h.store,
    action: 'reboot',
    selection: { kind: 'devices', deviceIds: ids },
    target,
  });
  const [sent, ...neverSent] = [...ids].sort();
  // One device went out (as a run killed after its first POST leaves it), then the abandon.
  expect(
    await h.store.changePhases(first.campaign.id, [{ deviceId: sent!, from: ['pending'], to: 'posting' }]),
  ).toEqual([sent]);
  await h.store.changePhases(first.campaign.id, [{ deviceId: sent!, from: ['posting'], to: 'posted' }]);
  await h.store.setCampaignStatus(first.campaign.id, 'abandoned');

  await expect(
    runCampaign({ intune: h.intune, store: h.store, campaignId: first.campaign.id }),
  ).rejects.toThrow(/was abandoned/);
  expect((await h.store.campaignDevices(first.campaign.id, ['pending'])).length).toBe(neverSent.length);

  const second = await createCampaign({
    intune: h.intune,
    store: h.store,
    action: 'reboot',
    selection: { kind: 'devices', deviceIds: ids },
    target,
  });
  expect((await h.store.campaignDevices(second.campaign.id)).map((d) => d.deviceId)).toEqual(neverSent);
  expect(second.skipped).toEqual([
    {
      deviceId: sent,
      reason: `already sent reboot by abandoned campaign ${first.campaign.id}, not done yet: it is not posted twice before that campaign's deadline (${first.campaign.deadline})`,
    },
  ]);
  expect(renderCampaignStatus(await campaignStatus(h.store, first.campaign.id))).toContain(
    `Abandoned: never posted again, never resumed; ${ids.length} devices not done.`,
  );
});

it('a runner going when its campaign is abandoned elsewhere stops tracking instead of running to the deadline', async () => {
  const ids = h.devicesIn('healthy', 12).slice(8);
  const created = await createCampaign({
    intune: h.intune,
    store: h.store,
    action: 'sync',
    selection: { kind: 'devices', deviceIds: ids },
    target: `${h.tenant.url} tenant ${h.tenant.tenantId}`,
    deadlineMs: 24 * 60 * 60 * 1000,
  });
  // "Another process" abandons the campaign after the runner read it and before its tracker's
  // first round: a state of the run, not a time.
  let reads = 0;
  const store = new Proxy(h.store, {
    get(target, property, receiver) {
      if (property !== 'getCampaign') {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (id: string) => {
        reads += 1;
        if (reads === 2) await target.setCampaignStatus(id, 'abandoned');
        return target.getCampaign(id);
      };
    },
  });
  const result = await runCampaign({
    intune: h.intune,
    store,
    campaignId: created.campaign.id,
    pollIntervalMs: 10,
  });
  expect(reads).toBeGreaterThanOrEqual(2);
  expect(result.status).toBe('stopped');
  expect((await h.store.getCampaign(created.campaign.id))?.status).toBe('abandoned');
}, 60_000);
