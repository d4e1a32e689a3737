/**
 * The beforeSend hook campaigns use to mark a device "posting": it runs once the budget admits the
 * POST and before anything leaves; if it throws, nothing is sent and the budget is not held; it
 * runs once across a 429 retry; once it has run, the caller's stop signal no longer cuts the POST
 * off (its answer must be recorded). Real HTTP against a small loopback server.
 */
import { afterEach, expect, it } from 'vitest';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import { GraphTestServer, graphErrorBody, sendJson } from './support/graph-test-server.js';
import { StaticCredential } from './support/static-credential.js';

let server: GraphTestServer | undefined;

function noContent(response: import('node:http').ServerResponse): void {
  response.writeHead(204);
  response.end();
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(target: GraphTestServer, writesPerWindow = 1): GraphClient {
  return new GraphClient({
    baseUrl: target.url,
    credential: new StaticCredential(),
    limits: { windowMs: 200, requestsPerWindow: 100, writesPerWindow },
    timeoutMs: 2_000,
    maxRetries: 2,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
  });
}

it('a hook that throws sends nothing, and the next POST still gets through the budget', async () => {
  server = await GraphTestServer.start((_request, response) => noContent(response));
  const graph = client(server, 5);
  await expect(
    graph.post('v1.0', '/x/syncDevice', {
      beforeSend: async () => {
        throw new Error('not ours');
      },
    }),
  ).rejects.toThrow('not ours');
  expect(server.arrivals).toHaveLength(0);
  let ran = 0;
  await graph.post('v1.0', '/y/syncDevice', {
    beforeSend: async () => {
      ran++;
    },
  });
  expect(ran).toBe(1);
  expect(server.arrivals.map((a) => a.url)).toEqual(['/v1.0/y/syncDevice']);
});

it('runs once across a 429 retry, and only after the budget admitted the request', async () => {
  server = await GraphTestServer.start((_request, response, index) =>
    index === 0
      ? sendJson(response, 429, graphErrorBody('TooManyRequests', 'slow down'), { 'retry-after': '0' })
      : noContent(response),
  );
  const graph = client(server);
  const order: string[] = [];
  await graph.post('v1.0', '/a/syncDevice', {
    beforeSend: async () => {
      order.push(`hook (arrivals so far: ${server?.arrivals.length})`);
    },
  });
  expect(order).toEqual(['hook (arrivals so far: 0)']);
  expect(server.arrivals).toHaveLength(2);
});

it('a stop signal ends a wait in the budget without sending, but not a POST already marked', async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  server = await GraphTestServer.start(async (_request, response) => {
    await held;
    noContent(response);
  });
  const graph = client(server, 1);
  const stop = new AbortController();
  let firstMarked = false;
  const first = graph.post('v1.0', '/first/syncDevice', {
    signal: stop.signal,
    beforeSend: async () => {
      firstMarked = true;
    },
  });
  // One write per window: the second waits in the budget.
  let secondMarked = false;
  const second = graph
    .post('v1.0', '/second/syncDevice', {
      signal: stop.signal,
      beforeSend: async () => {
        secondMarked = true;
      },
    })
    .then(
      () => 'sent',
      (error: unknown) => error,
    );
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(firstMarked).toBe(true);
  stop.abort();
  release();
  await expect(first).resolves.toBeUndefined();
  expect(await second).toBeInstanceOf(Error);
  expect(secondMarked).toBe(false);
  expect(server.arrivals.map((a) => a.url)).toEqual(['/v1.0/first/syncDevice']);
});
