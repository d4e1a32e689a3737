import { afterEach, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { ManualClock } from '../../../src/lab/tenant/lab-clock.js';
import { graph, labToken } from './lab-http.js';

interface BatchResponse {
  responses: {
    id: string;
    status: number;
    headers: Record<string, string>;
    body?: Record<string, unknown>;
  }[];
}

const sync = (id: string, n: number) => ({
  id: String(n),
  method: 'POST',
  url: `/deviceManagement/managedDevices/${id}/syncDevice`,
});

describe('lab tenant: $batch and throttling', () => {
  let lab: LabTenant | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });

  it('routes each request of a $batch and answers by id, in any order', async () => {
    lab = await startLabTenant({ devices: 30, seed: 2 });
    const token = await labToken(lab);
    const [a, b] = [lab.devices.fleet.ids[0]!, lab.devices.fleet.ids[1]!];
    const aad = lab.devices.fleet.aadIds[2]!;
    const r = await graph<BatchResponse>(lab, token, '/beta/$batch', {
      method: 'POST',
      body: {
        requests: [
          {
            id: 'details',
            method: 'GET',
            url: `/deviceManagement/managedDevices/${a}?$select=id,hardwareInformation`,
          },
          { id: 'device', method: 'GET', url: `deviceManagement/managedDevices/${b}?$select=id,deviceName` },
          {
            id: 'keys',
            method: 'GET',
            url: `/informationProtection/bitlocker/recoveryKeys?$filter=deviceId eq '${aad}'`,
          },
          {
            id: 'bad',
            method: 'GET',
            url: '/deviceManagement/managedDevices/00000000-0000-4000-8000-000000000000',
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    const byId = new Map(r.body.responses.map((x) => [x.id, x]));
    expect(byId.get('details')).toMatchObject({
      status: 200,
      body: { id: a, hardwareInformation: { tpmVersion: expect.any(String) } },
    });
    expect(byId.get('device')).toMatchObject({
      status: 200,
      body: { id: b, deviceName: lab.devices.profile(1).deviceName },
    });
    expect(byId.get('keys')?.status).toBe(200);
    expect(byId.get('bad')).toMatchObject({ status: 404, body: { error: { code: 'ResourceNotFound' } } });
    expect(lab.stats().apps[lab.clientId]?.requests).toBe(4);
  });

  it('refuses a batch of more than 20, or a malformed one, with 400', async () => {
    lab = await startLabTenant({ devices: 30 });
    const token = await labToken(lab);
    const ids = lab.devices.fleet.ids;
    const tooMany = await graph(lab, token, '/v1.0/$batch', {
      method: 'POST',
      body: { requests: Array.from({ length: 21 }, (_, n) => sync(ids[n]!, n)) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({
      error: { code: 'BadRequest', message: expect.stringMatching(/1 to 20/) },
    });
    const malformed = await graph(lab, token, '/v1.0/$batch', {
      method: 'POST',
      body: { requests: [{ id: 1 }] },
    });
    expect(malformed.status).toBe(400);
    const notJson = await fetch(`${lab.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"requests": [',
    });
    expect(notJson.status).toBe(400);
    expect(lab.stats().apps[lab.clientId]?.requests ?? 0).toBe(0);
  });

  it('answers 429 TooManyRequests with Retry-After beyond 200 writes per window, inside a batch too', async () => {
    lab = await startLabTenant({ devices: 300, windowMs: 60_000, omitRetryAfterRate: 0 });
    const token = await labToken(lab);
    const ids = lab.devices.fleet.ids;
    for (let batch = 0; batch < 10; batch++) {
      const r = await graph<BatchResponse>(lab, token, '/v1.0/$batch', {
        method: 'POST',
        body: { requests: Array.from({ length: 20 }, (_, n) => sync(ids[batch * 20 + n]!, n)) },
      });
      expect(r.body.responses.every((x) => x.status === 204)).toBe(true);
    }
    const inner = await graph<BatchResponse>(lab, token, '/v1.0/$batch', {
      method: 'POST',
      body: { requests: [sync(ids[250]!, 1)] },
    });
    expect(inner.body.responses[0]).toMatchObject({
      status: 429,
      body: { error: { code: 'TooManyRequests' } },
    });
    const retry = Number(inner.body.responses[0]!.headers['retry-after']);
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);

    const direct = await graph(lab, token, `/v1.0/deviceManagement/managedDevices/${ids[251]}/syncDevice`, {
      method: 'POST',
    });
    expect(direct.status).toBe(429);
    expect(Number(direct.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Reads still have room: the all-requests window is 2,000.
    const read = await graph(lab, token, `/v1.0/deviceManagement/managedDevices/${ids[0]}`);
    expect(read.status).toBe(200);

    const stats = lab.stats().apps[lab.clientId]!;
    expect(stats).toMatchObject({
      writes: 202,
      throttled: 2,
      maxWritesInWindow: 200,
      throttledWithoutRetryAfter: 0,
    });
  });

  it('frees the window as it slides, and can omit Retry-After', async () => {
    const clock = new ManualClock(Date.parse('2025-01-15T12:00:00Z'));
    lab = await startLabTenant({ devices: 300, windowMs: 40, omitRetryAfterRate: 1, clock });
    const token = await labToken(lab);
    const ids = lab.devices.fleet.ids;
    const batchOf20 = (from: number) =>
      graph<BatchResponse>(lab!, token, '/v1.0/$batch', {
        method: 'POST',
        body: { requests: Array.from({ length: 20 }, (_, n) => sync(ids[from + n]!, n)) },
      });
    for (let b = 0; b < 5; b++) await batchOf20(b * 20);
    clock.advance(20);
    for (let b = 5; b < 10; b++) await batchOf20(b * 20);
    const refused = await graph(lab, token, `/v1.0/deviceManagement/managedDevices/${ids[0]}/syncDevice`, {
      method: 'POST',
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
    // The first 100 writes leave the window 40 ms after they were made: room for 100 more, not 101.
    clock.advance(20);
    const room = await batchOf20(200);
    expect(room.body.responses.every((x) => x.status === 204)).toBe(true);
    expect(lab.stats().apps[lab.clientId]).toMatchObject({
      throttled: 1,
      throttledWithoutRetryAfter: 1,
      maxWritesInWindow: 200,
    });
  });

  it('counts an executeAction as one write per device it names: a third call of 100 in a window is a 429 that acts on nothing', async () => {
    const clock = new ManualClock(Date.parse('2025-01-15T12:00:00Z'));
    lab = await startLabTenant({ devices: 400, windowMs: 1_000, omitRetryAfterRate: 0, clock });
    const token = await labToken(lab);
    const ids = lab.devices.fleet.ids;
    const bulk = (from: number, count = 100) =>
      graph<Record<string, string[]>>(lab!, token, '/beta/deviceManagement/managedDevices/executeAction', {
        method: 'POST',
        body: { actionName: 'syncDevice', deviceIds: ids.slice(from, from + count) },
      });
    expect((await bulk(0)).status).toBe(200);
    expect((await bulk(100)).status).toBe(200);
    const third = await bulk(200);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(lab.devices.postCount(200)).toBe(0);
    // 99 devices still do not fit beside 200 writes; once the window has slid, 100 do.
    expect((await bulk(200, 99)).status).toBe(429);
    clock.advance(1_000);
    expect((await bulk(200)).status).toBe(200);
    expect(lab.bulkActions.calls).toBe(3);
    expect(lab.stats().apps[lab.clientId]).toMatchObject({ throttled: 2, maxWritesInWindow: 200 });
    for (let i = 0; i < 300; i++) expect(lab.devices.postCount(i)).toBe(1);
  });

  it('injects transient 503/504s at the configured rate and counts them', async () => {
    lab = await startLabTenant({ devices: 10, transientErrorRate: 1 });
    const token = await labToken(lab);
    const r = await graph<{ error: { code: string } }>(lab, token, '/v1.0/deviceManagement/managedDevices');
    expect([503, 504]).toContain(r.status);
    expect(['ServiceUnavailable', 'GatewayTimeout']).toContain(r.body.error.code);
    expect(lab.stats().apps[lab.clientId]!.transientErrors).toBe(1);
  });
});
