import { afterEach, expect, it } from 'vitest';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import { GraphTestServer, sendJson } from './support/graph-test-server.js';
import { StaticCredential } from './support/static-credential.js';

let server: GraphTestServer | undefined;
afterEach(async () => {
  await server?.close();
});

/** The most arrivals any window of `windowMs` holds (sliding: a window starts at every arrival). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

it('700 requests fired at once never put more than the limits into any window, as the server counts them', async () => {
  // A window of 2 s, not less: the server runs in this process, and on a loaded machine a short
  // window would measure the event loop's stalls rather than the budget's packing.
  const limits = { windowMs: 2_000, requestsPerWindow: 100, writesPerWindow: 20 };
  const target = await GraphTestServer.start((request, response) => {
    if (request.url.endsWith('/$batch')) {
      const { requests } = JSON.parse(request.body) as { requests: { id: string }[] };
      sendJson(response, 200, {
        responses: requests.map((inner) => ({ id: inner.id, status: 200, body: {} })),
      });
    } else if (request.method === 'POST') {
      response.writeHead(204);
      response.end();
    } else sendJson(response, 200, { ok: true });
  });
  server = target;
  const graph = new GraphClient({
    baseUrl: target.url,
    credential: new StaticCredential(),
    limits,
    timeoutMs: 30_000,
  });
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 560; i++) work.push(graph.get('v1.0', `/deviceManagement/managedDevices/d${i}`));
  for (let i = 0; i < 100; i++)
    work.push(graph.post('v1.0', `/deviceManagement/managedDevices/d${i}/syncDevice`));
  // Two batches of 20 GETs: 40 more requests, each counted on its own.
  const batch = (offset: number) =>
    Array.from({ length: 20 }, (_, i) => ({
      key: `b${offset + i}`,
      method: 'GET' as const,
      url: `/x/${offset + i}`,
    }));
  work.push(graph.batch('beta', batch(0)), graph.batch('beta', batch(20)));
  await Promise.all(work);

  // Each arrival with its weight: a $batch envelope is 20 requests arriving together.
  const requestTimes: number[] = [];
  const writeTimes: number[] = [];
  for (const arrival of target.arrivals) {
    if (arrival.url.endsWith('/$batch')) {
      const inner = (JSON.parse(arrival.body) as { requests: unknown[] }).requests.length;
      for (let i = 0; i < inner; i++) requestTimes.push(arrival.at);
    } else {
      requestTimes.push(arrival.at);
      if (arrival.method === 'POST') writeTimes.push(arrival.at);
    }
  }
  expect(requestTimes).toHaveLength(700);
  expect(writeTimes).toHaveLength(100);
  expect(busiestWindow(requestTimes, limits.windowMs)).toBeLessThanOrEqual(limits.requestsPerWindow);
  expect(busiestWindow(writeTimes, limits.windowMs)).toBeLessThanOrEqual(limits.writesPerWindow);
  // And the budget packed them: full windows, not a trickle.
  expect(busiestWindow(requestTimes, limits.windowMs)).toBeGreaterThanOrEqual(limits.requestsPerWindow - 20);
  expect(graph.stats.throttled).toBe(0);
});
