/**
 * One contract, two backends: every FleetStore behaviour checked against a SQLite temp file and a
 * real PostgreSQL server (test/support/postgres-harness.ts), each test on a fresh store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStore, NewCampaign, TriageRow } from '../../../src/fleet/store/fleet-store.js';
import { PostgresFleetStore } from '../../../src/fleet/store/postgres-store.js';
import { SqliteFleetStore } from '../../../src/fleet/store/sqlite-store.js';
import { FleetStoreError } from '../../../src/fleet/store/store-error.js';
import { usePostgres } from '../../support/postgres-harness.js';

const postgres = usePostgres();
let tempDir: string;
let opened = 0;
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-store-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

const backends: Array<{ name: string; open: () => Promise<FleetStore> }> = [
  { name: 'sqlite', open: () => SqliteFleetStore.open(path.join(tempDir, `store-${++opened}.sqlite`)) },
  { name: 'postgres', open: async () => PostgresFleetStore.open(await postgres.freshDatabase()) },
];

function campaign(id: string, deviceIds: string[]): NewCampaign {
  return {
    id,
    action: 'sync',
    target: 'https://graph.microsoft.com tenant 0000-lab',
    selection: 'triage 1, class tpm-clear-safe',
    deadline: '2030-01-01T00:00:00.000Z',
    devices: deviceIds.map((deviceId) => ({ deviceId, deviceName: `PC-${deviceId}`, baselineSync: null })),
  };
}

function row(deviceId: string, triageClass: string, clearSafety: string): TriageRow {
  return {
    deviceId,
    deviceName: `PC-${deviceId}`,
    azureAdDeviceId: `aad-${deviceId}`,
    triageClass,
    clearSafety,
    lastSync: '2025-01-01T00:00:00Z',
    reasons: [`reason for ${deviceId}`],
    facts: {
      manufacturer: 'Dell Inc.',
      model: `Latitude ${deviceId}`,
      tpmManufacturer: 'NTC',
      tpmVersion: '7.2.3.1',
      firmware: '1.14.1',
      settingErrors: [
        {
          setting: 'Windows10CompliancePolicy.TpmRequired',
          status: 'nonCompliant',
          errorCode: '-2016281112',
        },
      ],
    },
  };
}

describe.each(backends)('FleetStore contract: $name', ({ name, open }) => {
  let store: FleetStore;
  afterEach(async () => {
    await store?.close();
  });

  it('creates, gets and lists campaigns, every device pending', async () => {
    store = await open();
    const created = await store.createCampaign(campaign('c1', ['d2', 'd1']));
    expect(created).toMatchObject({ id: 'c1', action: 'sync', status: 'running', scriptId: null });
    expect(created.createdAt).toBe(created.updatedAt);
    await store.createCampaign({ ...campaign('c2', []), action: 'remediate' });
    expect(await store.getCampaign('c1')).toEqual(created);
    expect(await store.getCampaign('nope')).toBeUndefined();
    expect((await store.listCampaigns()).map((c) => c.id)).toEqual(['c1', 'c2']);
    const devices = await store.campaignDevices('c1');
    expect(devices.map((d) => [d.deviceId, d.phase, d.deviceName])).toEqual([
      ['d1', 'pending', 'PC-d1'],
      ['d2', 'pending', 'PC-d2'],
    ]);
    await store.setCampaignStatus('c1', 'stopped');
    await store.setCampaignScript('c1', 'script-42');
    expect(await store.getCampaign('c1')).toMatchObject({ status: 'stopped', scriptId: 'script-42' });
    await expect(store.setCampaignStatus('missing', 'finished')).rejects.toThrow(/no campaign missing/);
    await expect(store.createCampaign(campaign('c1', []))).rejects.toThrow(/already exists/);
  });

  it('refuses bad input with what was expected, writing nothing', async () => {
    store = await open();
    await expect(
      store.createCampaign({ ...campaign('bad', ['a']), action: 'wipe' as never }),
    ).rejects.toThrow(/expected one of sync, reboot, remediate/);
    await expect(store.createCampaign(campaign('dup', ['a', 'a']))).rejects.toThrow(/listed twice/);
    expect(await store.listCampaigns()).toEqual([]);
    await store.createCampaign(campaign('c', ['a']));
    await expect(
      store.changePhases('c', [{ deviceId: 'a', from: ['pending'], to: 'done' as never }]),
    ).rejects.toThrow(FleetStoreError);
    await expect(
      store.addTriageRows(await store.beginTriage('t'), [
        { ...row('x', 'healthy', 'unknown'), reasons: 'no' as never },
      ]),
    ).rejects.toThrow(/reasons: expected an array of strings/);
  });

  it('changes phases by compare-and-set: a change from the wrong phase does nothing and is not reported', async () => {
    store = await open();
    await store.createCampaign(campaign('c', ['a', 'b', 'c']));
    const changed = await store.changePhases('c', [
      { deviceId: 'a', from: ['pending'], to: 'posting' },
      { deviceId: 'b', from: ['posted'], to: 'synced', lastSync: '2025-02-02T00:00:00Z' },
      { deviceId: 'zz', from: ['pending'], to: 'posting' },
    ]);
    expect(changed).toEqual(['a']);
    const [a, b] = await store.campaignDevices('c');
    expect(a?.phase).toBe('posting');
    expect(b).toMatchObject({ phase: 'pending', lastSync: null });

    // The second claimer of the same device loses: `posting` is taken once only.
    expect(await store.changePhases('c', [{ deviceId: 'a', from: ['pending'], to: 'posting' }])).toEqual([]);

    // Optional fields: undefined leaves a column alone, null clears it.
    expect(
      await store.changePhases('c', [
        { deviceId: 'a', from: ['posting'], to: 'posted', postedAt: '2025-03-03T00:00:00Z', error: 'x' },
      ]),
    ).toEqual(['a']);
    await store.changePhases('c', [{ deviceId: 'a', from: ['posted'], to: 'synced', error: null }]);
    expect((await store.campaignDevices('c', ['synced']))[0]).toMatchObject({
      deviceId: 'a',
      postedAt: '2025-03-03T00:00:00Z',
      error: null,
    });

    // Same phase in and out: the row is updated but its phase did not change, so it is not reported.
    expect(
      await store.changePhases('c', [
        { deviceId: 'a', from: ['synced'], to: 'synced', lastSync: '2025-04-04T00:00:00Z' },
      ]),
    ).toEqual([]);
    expect((await store.campaignDevices('c', ['synced']))[0]?.lastSync).toBe('2025-04-04T00:00:00Z');
    expect(await store.campaignDevices('c', [])).toEqual([]);
    expect((await store.campaignDevices('c', ['pending', 'synced'])).map((d) => d.deviceId)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('lists the post times since a time in every campaign of the tenant, answered or not', async () => {
    store = await open();
    const base = campaign('k1', ['a', 'b', 'c', 'd', 'e']);
    await store.createCampaign({ ...base, tenantKey: 'key-1' });
    // Same tenant key under another display target; another tenant; an older build's campaign
    // without a key (told apart by its target).
    await store.createCampaign({ ...campaign('k2', ['f']), tenantKey: 'key-1', target: 'renamed display' });
    await store.createCampaign({ ...campaign('k3', ['g']), tenantKey: 'key-2' });
    await store.createCampaign(campaign('k4', ['h']));
    // Earlier than any row's own change time, which is "now" (so the two are told apart).
    const recent = new Date(Date.now() - 5_000).toISOString();
    await store.changePhases('k1', [
      { deviceId: 'a', from: ['pending'], to: 'posting' },
      { deviceId: 'b', from: ['pending'], to: 'posting' },
      { deviceId: 'c', from: ['pending'], to: 'posting' },
      { deviceId: 'e', from: ['pending'], to: 'posting' },
    ]);
    await store.changePhases('k1', [
      { deviceId: 'a', from: ['posting'], to: 'posted', postedAt: recent },
      { deviceId: 'c', from: ['posting'], to: 'failed', error: 'HTTP 400' },
      { deviceId: 'e', from: ['posting'], to: 'posted', postedAt: '2020-01-01T00:00:00.000Z' },
    ]);
    for (const id of ['k2', 'k3', 'k4'] as const) {
      const deviceId = { k2: 'f', k3: 'g', k4: 'h' }[id];
      await store.changePhases(id, [{ deviceId, from: ['pending'], to: 'posting' }]);
      await store.changePhases(id, [{ deviceId, from: ['posting'], to: 'posted', postedAt: recent }]);
    }
    const since = new Date(Date.parse(recent) - 60_000).toISOString();
    const times = await store.postTimesSince({ target: base.target, tenantKey: 'key-1' }, since);
    // a, f and h by their postedAt; b (posting) and c (failed) by when their row changed; not d
    // (never sent), e (posted long ago) nor g (another tenant).
    expect(times).toHaveLength(5);
    expect(times.filter((time) => time === recent)).toHaveLength(3);
    expect(times.every((time) => time >= since)).toBe(true);
    // Without a key, by the target alone: a, b, c, g and h (k3 shares the target), not f.
    expect(await store.postTimesSince({ target: base.target }, since)).toHaveLength(5);
  });

  it('records every Graph write of a tenant and lists one time per write since a time, per service', async () => {
    store = await open();
    const target = 'https://graph.microsoft.com tenant 0000-lab';
    const now = Date.now();
    const at = (agoMs: number) => new Date(now - agoMs).toISOString();
    // A triage's export job and a bulk action of 3 devices, under the tenant's key; one under the
    // same key and another display target; one in another tenant; one of another service; one
    // before `since`; one an older build's way, without a key (told apart by its target).
    await store.recordGraphWrite({
      target,
      tenantKey: 'key-1',
      service: 'devices',
      writes: 1,
      sentAt: at(1_000),
    });
    await store.recordGraphWrite({
      target,
      tenantKey: 'key-1',
      service: 'devices',
      writes: 3,
      sentAt: at(2_000),
    });
    await store.recordGraphWrite({
      target: 'renamed display',
      tenantKey: 'key-1',
      service: 'devices',
      writes: 1,
      sentAt: at(3_000),
    });
    await store.recordGraphWrite({
      target,
      tenantKey: 'key-2',
      service: 'devices',
      writes: 1,
      sentAt: at(1_000),
    });
    await store.recordGraphWrite({
      target,
      tenantKey: 'key-1',
      service: 'deviceConfiguration',
      writes: 1,
      sentAt: at(1_000),
    });
    await store.recordGraphWrite({
      target,
      tenantKey: 'key-1',
      service: 'devices',
      writes: 1,
      sentAt: at(90_000),
    });
    await store.recordGraphWrite({ target, service: 'devices', writes: 1, sentAt: at(1_000) });
    const since = at(60_000);
    const times = expandedTimes(
      await store.graphWritesSince({ target, tenantKey: 'key-1' }, 'devices', since),
    );
    expect(times.sort()).toEqual([at(3_000), at(2_000), at(2_000), at(2_000), at(1_000), at(1_000)].sort());
    // Without a key, by the target alone: every record of that target, keyed or not.
    expect(expandedTimes(await store.graphWritesSince({ target }, 'devices', since))).toHaveLength(6);
    expect(
      expandedTimes(
        await store.graphWritesSince({ target, tenantKey: 'key-1' }, 'deviceConfiguration', since),
      ),
    ).toEqual([at(1_000)]);
    // A record more than an hour older than a new one is deleted when the new one arrives.
    await store.recordGraphWrite({
      target,
      tenantKey: 'key-3',
      service: 'devices',
      writes: 1,
      sentAt: at(3_700_000),
    });
    await store.recordGraphWrite({
      target,
      tenantKey: 'key-3',
      service: 'devices',
      writes: 1,
      sentAt: at(0),
    });
    expect(
      expandedTimes(
        await store.graphWritesSince({ target: 'tenant 3', tenantKey: 'key-3' }, 'devices', at(4_000_000)),
      ),
    ).toEqual([at(0)]);
    await expect(
      store.recordGraphWrite({ target, service: 'devices', writes: 0, sentAt: at(0) }),
    ).rejects.toThrow(/writes: expected a positive integer/);
    await expect(
      store.recordGraphWrite({ target, service: 'devices', writes: 1, sentAt: 'yesterday' }),
    ).rejects.toThrow(/sentAt: expected an ISO time/);
  });

  it('reads a hostile Graph write record as one record: a huge count is not expanded, a future one is deleted', async () => {
    store = await open();
    const target = 'https://graph.microsoft.com tenant 0000-lab';
    const now = Date.now();
    const at = (agoMs: number) => new Date(now - agoMs).toISOString();
    const tenant = { target, tenantKey: 'key-1' };
    // Someone who can write the store: 300,000,000 writes now, and a record dated 2099 (it would
    // count as "now" on every start and never be deleted by age).
    await store.recordGraphWrite({ ...tenant, service: 'devices', writes: 300_000_000, sentAt: at(1_000) });
    await store.recordGraphWrite({
      ...tenant,
      service: 'devices',
      writes: 5,
      sentAt: '2099-01-01T00:00:00.000Z',
    });
    // A clock a minute ahead of ours (another machine writing the same store) is kept.
    await store.recordGraphWrite({ ...tenant, service: 'devices', writes: 2, sentAt: at(-60_000) });
    const { records, ignored } = await store.graphWritesSince(tenant, 'devices', at(60_000));
    expect(records.sort((a, b) => a.sentAt.localeCompare(b.sentAt))).toEqual([
      { sentAt: at(1_000), writes: 300_000_000 },
      { sentAt: at(-60_000), writes: 2 },
    ]);
    expect(ignored).toBe(1);
    // Asked again from before 2099: the 2099 record is gone, deleted by the first read
    // (test/fleet/store/sqlite-store.test.ts also reads the file).
    expect(await store.graphWritesSince(tenant, 'devices', '2098-01-01T00:00:00.000Z')).toEqual({
      records: [],
      ignored: 0,
    });
  });

  it("keeps a campaign's resume options; a campaign created without them has none", async () => {
    store = await open();
    const options = { 'graph-url': 'https://graph.microsoft.com', 'client-id': 'app-1', auth: 'browser' };
    const created = await store.createCampaign({ ...campaign('r1', ['a']), resumeOptions: options });
    expect(created.resumeOptions).toEqual(options);
    expect((await store.getCampaign('r1'))?.resumeOptions).toEqual(options);
    expect((await store.createCampaign(campaign('r2', ['b']))).resumeOptions).toBeUndefined();
    await expect(
      store.createCampaign({ ...campaign('r3', ['c']), resumeOptions: { 'Client Id': 'x' } }),
    ).rejects.toThrow(/resumeOptions: expected option names/);
    expect(await store.getCampaign('r3')).toBeUndefined();
  });

  it('applies a batch all or nothing: a bad change rolls back the good ones before it', async () => {
    store = await open();
    await store.createCampaign(campaign('c', ['a', 'b']));
    await expect(
      store.changePhases('c', [
        { deviceId: 'a', from: ['pending'], to: 'posting' },
        { deviceId: 'b', from: ['pending'], to: 'posting', postedAt: 42 as never },
      ]),
    ).rejects.toThrow(/expected a string or null/);
    expect((await store.phaseCounts('c')).pending).toBe(2);
  });

  it('an abandoned campaign stays abandoned and never has a device marked posting again', async () => {
    store = await open();
    await store.createCampaign(campaign('c1', ['d1', 'd2', 'd3']));
    await store.createCampaign(campaign('c2', ['d1']));
    expect(await store.changePhases('c1', [{ deviceId: 'd1', from: ['pending'], to: 'posting' }])).toEqual([
      'd1',
    ]);
    await store.setCampaignStatus('c1', 'abandoned');
    expect(await store.getCampaign('c1')).toMatchObject({ status: 'abandoned' });
    // A runner that started before the abandon cannot mark another device...
    expect(
      await store.changePhases('c1', [
        { deviceId: 'd2', from: ['pending'], to: 'posting' },
        { deviceId: 'd1', from: ['posting'], to: 'posted', postedAt: '2026-01-01T00:00:00.000Z' },
      ]),
    ).toEqual(['d1']);
    expect((await store.campaignDevices('c1')).map((d) => [d.deviceId, d.phase])).toEqual([
      ['d1', 'posted'],
      ['d2', 'pending'],
      ['d3', 'pending'],
    ]);
    // ...nor write its end status over the abandon.
    await store.setCampaignStatus('c1', 'stopped');
    await store.setCampaignStatus('c1', 'finished');
    expect(await store.getCampaign('c1')).toMatchObject({ status: 'abandoned' });
    // Another campaign is untouched.
    expect(await store.changePhases('c2', [{ deviceId: 'd1', from: ['pending'], to: 'posting' }])).toEqual([
      'd1',
    ]);
  });

  it('sets a new deadline, an ISO time only', async () => {
    store = await open();
    await store.createCampaign(campaign('c1', ['d1']));
    await store.setCampaignDeadline('c1', '2031-06-01T12:00:00.000Z');
    expect(await store.getCampaign('c1')).toMatchObject({ deadline: '2031-06-01T12:00:00.000Z' });
    await expect(store.setCampaignDeadline('c1', 'tomorrow')).rejects.toThrow(/ISO time/);
    await expect(store.setCampaignDeadline('missing', '2031-06-01T12:00:00.000Z')).rejects.toThrow(
      /no campaign missing/,
    );
    expect(await store.getCampaign('c1')).toMatchObject({ deadline: '2031-06-01T12:00:00.000Z' });
  });

  it('counts devices per phase, every phase present', async () => {
    store = await open();
    await store.createCampaign(campaign('c', ['a', 'b', 'c', 'd']));
    await store.changePhases('c', [
      { deviceId: 'a', from: ['pending'], to: 'posting' },
      { deviceId: 'b', from: ['pending'], to: 'failed', error: 'Graph 403 Forbidden' },
    ]);
    expect(await store.phaseCounts('c')).toEqual({
      pending: 2,
      posting: 1,
      posted: 0,
      unconfirmed: 0,
      synced: 0,
      compliant: 0,
      failed: 1,
      'timed-out': 0,
    });
  });

  it('writes a triage run in chunks, filters its rows, and ignores an unfinished run', async () => {
    store = await open();
    expect(await store.latestTriage()).toBeUndefined();
    const first = await store.beginTriage('tenant A');
    await store.addTriageRows(first, [
      row('d3', 'healthy', 'not-the-remedy'),
      row('d1', 'tpm-clear-safe', 'safe'),
    ]);
    await store.addTriageRows(first, [
      row('d2', 'tpm-clear-blocked', 'blocked'),
      row('d1', 'tpm-clear-blocked', 'blocked'), // a device seen again: the later row wins
    ]);
    expect(await store.latestTriage()).toBeUndefined();
    const finished = await store.finishTriage(first, { total: 3, classes: { healthy: 1 } });
    expect(finished).toMatchObject({
      id: first,
      target: 'tenant A',
      summary: { total: 3, classes: { healthy: 1 } },
    });
    await expect(store.addTriageRows(first, [row('d9', 'healthy', 'unknown')])).rejects.toThrow(
      /is finished/,
    );
    await expect(store.finishTriage(first, {})).rejects.toThrow(/is finished/);
    await expect(store.addTriageRows(first + 100, [])).rejects.toThrow(/no triage run/);

    const unfinished = await store.beginTriage('tenant A');
    expect(unfinished).toBeGreaterThan(first);
    await store.addTriageRows(unfinished, [row('d1', 'healthy', 'unknown')]);
    expect((await store.latestTriage())?.id).toBe(first);

    expect((await store.triageRows(first)).map((r) => [r.deviceId, r.triageClass])).toEqual([
      ['d1', 'tpm-clear-blocked'],
      ['d2', 'tpm-clear-blocked'],
      ['d3', 'healthy'],
    ]);
    expect((await store.triageRows(first, { classes: ['healthy'] }))[0]).toEqual(
      row('d3', 'healthy', 'not-the-remedy'),
    );
    expect(
      (
        await store.triageRows(first, { classes: ['tpm-clear-blocked', 'healthy'], clearSafety: ['blocked'] })
      ).map((r) => r.deviceId),
    ).toEqual(['d1', 'd2']);
    expect(await store.triageRows(first, { clearSafety: [] })).toEqual([]);
  });

  it("keeps each row's facts; a row written without them, or a fact not read, reads back as unknown", async () => {
    store = await open();
    const run = await store.beginTriage('tenant A');
    const { facts: _omitted, ...bare } = row('d2', 'unknown', 'unknown');
    const partial = row('d3', 'tpm-clear-candidate', 'unknown');
    partial.facts = {
      ...partial.facts!,
      tpmManufacturer: 'unknown',
      settingErrors: [
        { setting: 'Windows10CompliancePolicy.TpmRequired', status: 'error', errorCode: 'unknown' },
      ],
    };
    await store.addTriageRows(run, [row('d1', 'tpm-clear-candidate', 'safe'), bare, partial]);
    await store.finishTriage(run, {});
    const rows = await store.triageRows(run);
    expect(rows[0]).toEqual(row('d1', 'tpm-clear-candidate', 'safe'));
    expect(rows[1]?.facts).toEqual({
      manufacturer: 'unknown',
      model: 'unknown',
      tpmManufacturer: 'unknown',
      tpmVersion: 'unknown',
      firmware: 'unknown',
      settingErrors: [],
    });
    expect(rows[2]?.facts).toEqual(partial.facts);
    // A fact is Graph's text: an empty one is refused (not read is `unknown`), a secret redacted.
    const next = await store.beginTriage('tenant A');
    await expect(
      store.addTriageRows(next, [
        { ...row('d4', 'unknown', 'unknown'), facts: { ...partial.facts!, model: '' } },
      ]),
    ).rejects.toThrow(/facts\.model: expected a non-empty string/);
    await store.addTriageRows(next, [
      {
        ...row('d5', 'unknown', 'unknown'),
        facts: { ...partial.facts!, firmware: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA' },
      },
    ]);
    // A fact from the device is stored as triage reads it: no control characters, at most 200.
    await store.addTriageRows(next, [
      {
        ...row('d6', 'unknown', 'unknown'),
        facts: { ...partial.facts!, model: `Model\tX\u0007${'y'.repeat(500)}` },
      },
    ]);
    await store.finishTriage(next, {});
    expect((await store.triageRows(next))[0]?.facts?.firmware).not.toContain('eyJhbGciOiJub25lIn0');
    expect((await store.triageRows(next))[1]?.facts?.model).toBe(`Model X ${'y'.repeat(191)}…`);
  });

  it('finds the latest finished triage of one target, and a finished run by id', async () => {
    store = await open();
    const a = await store.beginTriage('tenant A');
    await store.finishTriage(a, {});
    const b = await store.beginTriage('tenant B');
    await store.finishTriage(b, {});
    const unfinishedA = await store.beginTriage('tenant A');
    expect((await store.latestTriage())?.id).toBe(b);
    expect((await store.latestTriage('tenant A'))?.id).toBe(a);
    expect((await store.latestTriage('tenant B'))?.id).toBe(b);
    expect(await store.latestTriage('tenant C')).toBeUndefined();
    expect((await store.triageRun(a))?.target).toBe('tenant A');
    expect(await store.triageRun(unfinishedA)).toBeUndefined();
    expect(await store.triageRun(a + 1000)).toBeUndefined();
  });

  it('reopens with the data kept and the schema not applied twice', async () => {
    if (name === 'postgres') {
      const url = await postgres.freshDatabase();
      store = await PostgresFleetStore.open(url);
      await store.createCampaign(campaign('kept', ['a']));
      await store.close();
      store = await PostgresFleetStore.open(url);
    } else {
      const file = path.join(tempDir, 'reopen.sqlite');
      store = await SqliteFleetStore.open(file);
      await store.createCampaign(campaign('kept', ['a']));
      await store.close();
      store = await SqliteFleetStore.open(file);
    }
    expect((await store.campaignDevices('kept')).length).toBe(1);
  });

  it('is closed by close(): a later call fails clearly', async () => {
    store = await open();
    await store.close();
    await expect(store.listCampaigns()).rejects.toThrow(/is closed/);
    await store.close();
  });
});

/** One ISO time per write, as the budget counts them. */
function expandedTimes({ records }: { records: readonly { sentAt: string; writes: number }[] }): string[] {
  return records.flatMap((record) => Array.from({ length: record.writes }, () => record.sentAt));
}
