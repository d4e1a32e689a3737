import { afterEach, describe, expect, it } from 'vitest';
import { GraphClient, type GraphClientOptions } from '../../../src/fleet/graph/graph-client.js';
import { AmbiguousWriteError, GraphError } from '../../../src/fleet/graph/graph-error.js';
import type { GraphEvent } from '../../../src/fleet/graph/graph-events.js';
import {
  type Arrival,
  GraphTestServer,
  graphErrorBody,
  type Handler,
  sendJson,
} from './support/graph-test-server.js';
import { StaticCredential } from './support/static-credential.js';

let server: GraphTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler): Promise<GraphTestServer> {
  server = await GraphTestServer.start(handler);
  return server;
}

function client(target: GraphTestServer, options: Partial<GraphClientOptions> = {}): GraphClient {
  return new GraphClient({
    baseUrl: target.url,
    credential: new StaticCredential(),
    limits: { windowMs: 1_000, requestsPerWindow: 1_000, writesPerWindow: 500 },
    // Generous: a loaded CI machine must not turn an answered request into a timeout. The tests
    // of timeouts set their own against a server that never answers.
    timeoutMs: 5_000,
    maxRetries: 2,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    ...options,
  });
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const page of pages) items.push(...page);
    return { items, error: undefined };
  } catch (error) {
    return { items, error };
  }
}

const asId = (item: unknown) => (item as { id: string }).id;

describe('GraphClient requests', () => {
  it('sends Authorization, User-Agent and a fresh client-request-id on every request', async () => {
    const target = await serve((_request, response) => sendJson(response, 200, { ok: true }));
    const graph = client(target);
    await graph.get('v1.0', '/deviceManagement/managedDevices/a');
    await graph.get('beta', '/deviceManagement/managedDevices/b');
    const [first, second] = target.arrivals as [Arrival, Arrival];
    expect(first.url).toBe('/v1.0/deviceManagement/managedDevices/a');
    expect(second.url).toBe('/beta/deviceManagement/managedDevices/b');
    expect(first.headers.authorization).toBe('Bearer test-token-1');
    expect(first.headers['user-agent']).toBe('tpm-doctor/0.1.0');
    expect(first.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['client-request-id']).not.toBe(first.headers['client-request-id']);
    expect(graph.stats).toMatchObject({ httpRequests: 2, retries: 0, byMethod: { GET: 2 } });
  });

  it('caches the token, and on 401 InvalidAuthenticationToken asks for a new one once', async () => {
    const target = await serve((request, response) => {
      if (request.headers.authorization === 'Bearer stale') {
        sendJson(response, 401, graphErrorBody('InvalidAuthenticationToken', 'Access token has expired.'));
      } else sendJson(response, 200, { ok: true });
    });
    const credential = new StaticCredential(['stale', 'fresh']);
    const graph = client(target, { credential });
    await expect(graph.get('v1.0', '/x')).resolves.toEqual({ ok: true });
    await graph.get('v1.0', '/y');
    expect(credential.calls).toBe(2);
    expect(target.arrivals.map((a) => a.headers.authorization)).toEqual([
      'Bearer stale',
      'Bearer fresh',
      'Bearer fresh',
    ]);
  });

  it('a 401 that persists after the refresh is a GraphError, not a loop', async () => {
    const target = await serve((_r, response) =>
      sendJson(response, 401, graphErrorBody('InvalidAuthenticationToken', 'nope')),
    );
    const credential = new StaticCredential(['a', 'b', 'c']);
    const error = await client(target, { credential })
      .get('v1.0', '/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).status).toBe(401);
    expect(target.arrivals).toHaveLength(2);
  });
});

describe('GraphClient paging', () => {
  it('follows @odata.nextLink over 3 pages', async () => {
    const target = await serve((request, response) => {
      const page = Number(new URL(request.url, 'http://x').searchParams.get('page') ?? '1');
      sendJson(response, 200, {
        '@odata.context': `${target.url}/v1.0/$metadata#deviceManagement/managedDevices`,
        value: [{ id: `d${page}a` }, { id: `d${page}b` }],
        ...(page < 3
          ? { '@odata.nextLink': `${target.url}/v1.0/deviceManagement/managedDevices?page=${page + 1}` }
          : {}),
      });
    });
    const { items, error } = await collect(
      client(target).pages('v1.0', '/deviceManagement/managedDevices', asId),
    );
    expect(error).toBeUndefined();
    expect(items).toEqual(['d1a', 'd1b', 'd2a', 'd2b', 'd3a', 'd3b']);
    expect(target.arrivals).toHaveLength(3);
  });

  const brokenThirdPages: [string, (target: GraphTestServer) => Handler, RegExp][] = [
    [
      'value not an array',
      () => (_r, response) => sendJson(response, 200, { value: { id: 'x' } }),
      /MalformedResponse: expected an OData collection page with a "value" array, got an object, request-id req-test-0001/,
    ],
    [
      'invalid JSON',
      () => (_r, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'request-id': 'req-bad-json' });
        response.end('{"value": [');
      },
      /MalformedResponse: expected a JSON body, got 11 bytes that do not parse \(SyntaxError\), request-id req-bad-json/,
    ],
    [
      'a truncated body',
      () => (_r, response) => {
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': '500',
          'request-id': 'req-cut',
        });
        response.write('{"value": [{"id": "d3a"}');
        setTimeout(() => response.destroy(), 10);
      },
      /TruncatedResponse: the response body was cut off \(Content-Length 500\).*request-id req-cut/,
    ],
    [
      'a nextLink to another host',
      () => (_r, response) =>
        sendJson(response, 200, {
          value: [{ id: 'd3a' }],
          '@odata.nextLink': 'https://evil.example/v1.0/steal?x=1',
        }),
      /UnsafeNextLink: expected @odata.nextLink on http:\/\/127\.0\.0\.1:\d+, got one on https:\/\/evil\.example; refusing/,
    ],
  ];

  for (const [name, third, message] of brokenThirdPages) {
    it(`stops with a clear error on ${name}, keeping the pages already yielded`, async () => {
      const target = await serve((request, response, index) => {
        const page = Number(new URL(request.url, 'http://x').searchParams.get('page') ?? '1');
        if (page === 3) return third(target)(request, response, index);
        sendJson(response, 200, {
          value: [{ id: `d${page}` }],
          '@odata.nextLink': `${target.url}/v1.0/deviceManagement/managedDevices?page=${page + 1}`,
        });
      });
      const { items, error } = await collect(
        client(target).pages('v1.0', '/deviceManagement/managedDevices', asId),
      );
      expect(items).toEqual(['d1', 'd2', ...(name === 'a nextLink to another host' ? ['d3a'] : [])]);
      expect(error).toBeInstanceOf(GraphError);
      expect((error as Error).message).toMatch(message);
      // The path in the error names the query options, never their values.
      expect((error as Error).message).not.toMatch(/page=|steal|x=1/);
    });
  }
});

describe('GraphClient throttling and failures', () => {
  it('honours Retry-After in seconds on a 429 and pauses the budget meanwhile', async () => {
    const target = await serve((_r, response, index) =>
      index === 0
        ? sendJson(response, 429, graphErrorBody('TooManyRequests', 'slow down'), { 'Retry-After': '1' })
        : sendJson(response, 200, { ok: 1 }),
    );
    const events: GraphEvent[] = [];
    const graph = client(target, { onEvent: (event) => events.push(event) });
    await expect(graph.get('v1.0', '/x')).resolves.toEqual({ ok: 1 });
    const [first, second] = target.arrivals as [Arrival, Arrival];
    expect(second.at - first.at).toBeGreaterThanOrEqual(990);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'throttled', pauseMs: 1_000, fromRetryAfter: true }),
    );
    expect(graph.stats).toMatchObject({ httpRequests: 2, retries: 1, throttled: 1 });
  });

  it('honours Retry-After as an HTTP-date', async () => {
    let retryAt = 0;
    const target = await serve((_r, response, index) => {
      if (index > 0) return sendJson(response, 200, { ok: 2 });
      retryAt = Math.ceil((Date.now() + 1_000) / 1_000) * 1_000; // HTTP-dates have whole seconds
      sendJson(response, 429, graphErrorBody('TooManyRequests', 'wait'), {
        'Retry-After': new Date(retryAt).toUTCString(),
      });
    });
    await expect(client(target).get('v1.0', '/x')).resolves.toEqual({ ok: 2 });
    expect(target.arrivals).toHaveLength(2);
    expect(Date.now()).toBeGreaterThanOrEqual(retryAt - 5);
  });

  it('backs off when a 429 has no Retry-After', async () => {
    const target = await serve((_r, response, index) =>
      index < 2
        ? sendJson(response, 429, graphErrorBody('TooManyRequests', 'no header'))
        : sendJson(response, 200, {}),
    );
    const events: GraphEvent[] = [];
    const graph = client(target, { onEvent: (event) => events.push(event) });
    await graph.get('v1.0', '/x');
    expect(target.arrivals).toHaveLength(3);
    const pauses = events.filter((event) => event.type === 'throttled');
    expect(pauses).toHaveLength(2);
    expect(pauses.every((event) => event.type === 'throttled' && !event.fromRetryAfter)).toBe(true);
  });

  it('retries 5xx a bounded number of times, then fails with Graph’s error', async () => {
    const target = await serve((_r, response) =>
      sendJson(response, 503, graphErrorBody('ServiceUnavailable', 'try later'), { 'request-id': 'req-503' }),
    );
    const error = await client(target)
      .get('v1.0', '/deviceManagement/managedDevices?$top=5')
      .catch((e: unknown) => e);
    expect(target.arrivals).toHaveLength(3); // 1 + maxRetries (2)
    expect(error).toBeInstanceOf(GraphError);
    expect(error).not.toBeInstanceOf(AmbiguousWriteError);
    expect(error).toMatchObject({ status: 503, graphCode: 'ServiceUnavailable', requestId: 'req-503' });
    expect((error as Error).message).toBe(
      'GET /v1.0/deviceManagement/managedDevices?$top: HTTP 503 ServiceUnavailable: try later (after 2 retries)., request-id req-503',
    );
  });

  it('a server that never answers times out, with bounded retries', async () => {
    const target = await serve(() => undefined);
    const error = await client(target, { timeoutMs: 500 })
      .get('v1.0', '/x')
      .catch((e: unknown) => e);
    expect(target.arrivals).toHaveLength(3);
    expect(error).toMatchObject({ graphCode: 'Timeout', status: 0 });
  });

  it('a POST that times out is an AmbiguousWriteError and is not sent again', async () => {
    const target = await serve(() => undefined);
    const error = await client(target, { timeoutMs: 500 })
      .post('v1.0', '/deviceManagement/managedDevices/d1/syncDevice')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousWriteError);
    expect((error as Error).message).toMatch(/may or may not have been applied/);
    expect(target.arrivals).toHaveLength(1);
  });

  it('a POST answered 500/502/504 is ambiguous and not resent; 503 and 429 are resent', async () => {
    for (const status of [500, 502, 504]) {
      const target = await serve((_r, response) =>
        sendJson(response, status, graphErrorBody('InternalError', 'oops')),
      );
      const error = await client(target)
        .post('v1.0', '/a/rebootNow')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AmbiguousWriteError);
      expect(target.arrivals).toHaveLength(1);
      await target.close();
      server = undefined;
    }
    const target = await serve((_r, response, index) => {
      if (index === 0) return sendJson(response, 503, graphErrorBody('ServiceUnavailable', 'busy'));
      if (index === 1)
        return sendJson(response, 429, graphErrorBody('TooManyRequests', 'busy'), { 'Retry-After': '0' });
      response.writeHead(204);
      response.end();
    });
    await expect(client(target).post('v1.0', '/a/syncDevice')).resolves.toBeUndefined();
    expect(target.arrivals).toHaveLength(3);
  });
});

describe('GraphClient $batch', () => {
  it('splits 45 requests into 3 envelopes and retries inner 429s after their Retry-After', async () => {
    const throttledOnce = new Set<string>();
    const target = await serve((request, response) => {
      const { requests } = JSON.parse(request.body) as {
        requests: { id: string; url: string; method: string }[];
      };
      const responses = requests.map((inner) => {
        if (inner.url.endsWith('/d7') && !throttledOnce.has(inner.url)) {
          throttledOnce.add(inner.url);
          return {
            id: inner.id,
            status: 429,
            headers: { 'Retry-After': '0' },
            body: graphErrorBody('TooManyRequests', 'x'),
          };
        }
        if (inner.url.endsWith('/d9'))
          return { id: inner.id, status: 404, body: graphErrorBody('ResourceNotFound', 'gone') };
        return { id: inner.id, status: 200, body: { id: inner.url.split('/').pop() } };
      });
      sendJson(response, 200, { responses: responses.reverse() }); // any order, as Graph may answer
    });
    const graph = client(target, { batchConcurrency: 1 });
    const requests = Array.from({ length: 45 }, (_, i) => ({
      key: `k${i}`,
      method: 'GET' as const,
      url: `/deviceManagement/managedDevices/d${i}`,
    }));
    const results = await graph.batch('beta', requests);
    const envelopes = target.arrivals.map(
      (a) => (JSON.parse(a.body) as { requests: unknown[] }).requests.length,
    );
    expect(envelopes).toEqual([20, 1, 20, 5]); // the throttled d7 went again on its own, after its Retry-After
    expect(target.arrivals.every((a) => a.method === 'POST' && a.url === '/beta/$batch')).toBe(true);
    expect([...results.keys()]).toEqual(requests.map((r) => r.key));
    expect(results.get('k7')).toMatchObject({ status: 200, body: { id: 'd7' } });
    expect(results.get('k9')).toMatchObject({ status: 404 });
    expect(results.get('k44')).toMatchObject({ status: 200, body: { id: 'd44' } });
    expect(graph.stats).toMatchObject({ httpRequests: 4, innerRequests: 46, throttled: 1, retries: 1 });
  });

  it('a malformed $batch answer is a GraphError naming what was expected', async () => {
    const target = await serve((_r, response) =>
      sendJson(response, 200, { responses: [{ id: 1, status: 200 }] }),
    );
    const error = await client(target)
      .batch('v1.0', [{ key: 'a', method: 'GET', url: '/x' }])
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /MalformedResponse: expected a \$batch response item with a string "id"/,
    );
  });
});

describe('GraphClient caps every JSON answer', () => {
  const cap = 64 * 1024;
  /** Writes `{"value":[` then device objects for as long as the connection stays open. */
  const endless: Handler = (_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json', 'request-id': 'req-endless' });
    response.write('{"value":[');
    const item = Buffer.from(`${JSON.stringify({ id: 'd'.repeat(1_000) })},`);
    const pump = () => {
      while (!response.destroyed && response.write(item)) {
        // until the socket's buffer is full
      }
      if (!response.destroyed) response.once('drain', pump);
    };
    pump();
  };

  const oversizedAnswers: [string, Handler][] = [
    [
      'a Content-Length above the cap',
      (_request, response) => {
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Length': String(cap + 1),
          'request-id': 'req-big',
        });
        response.end(`{"value":[${' '.repeat(cap - 11)}]}`);
      },
    ],
    [
      'a chunked body past the cap',
      (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'request-id': 'req-big' });
        response.end(`{"value":[${' '.repeat(cap)}]}`);
      },
    ],
    ['a body that never ends', endless],
  ];

  for (const [name, handler] of oversizedAnswers) {
    it(`stops reading ${name} at the cap: one line, the path without its query values, not retried`, async () => {
      const target = await serve(handler);
      const error = await client(target, { maxResponseBytes: cap })
        .get('v1.0', "/deviceManagement/managedDevices?$filter=deviceName eq 'SECRET-PC'")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphError);
      expect(error).not.toBeInstanceOf(AmbiguousWriteError);
      const message = (error as Error).message;
      expect(message).toMatch(
        /^GET \/v1\.0\/deviceManagement\/managedDevices\?\$filter: HTTP 200 ResponseTooLarge: the answer is larger than the 64 KiB allowed for a Graph JSON answer/,
      );
      expect(message).not.toMatch(/\n|SECRET-PC/);
      expect(error).toMatchObject({ graphCode: 'ResponseTooLarge', code: 'graph-request', status: 200 });
      expect(target.arrivals).toHaveLength(1);
    });
  }

  it('the default cap is 64 MiB: a never-ending body stops there', async () => {
    const target = await serve(endless);
    const error = await client(target)
      .get('v1.0', '/deviceManagement/managedDevices')
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /ResponseTooLarge: the answer is larger than the 64 MiB allowed/,
    );
  });

  it('a POST answered 200 with an oversized body may have run: ambiguous, never resent', async () => {
    const target = await serve(endless);
    const error = await client(target, { maxResponseBytes: cap })
      .post('v1.0', '/deviceManagement/managedDevices/d1/syncDevice')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousWriteError);
    expect((error as Error).message).toMatch(/ResponseTooLarge: .*may or may not have been applied/);
    expect(target.arrivals).toHaveLength(1);
  });

  it('a POST refused 400 with an oversized body did not run: a plain GraphError', async () => {
    const target = await serve((_request, response) => {
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end(' '.repeat(cap + 1));
    });
    const error = await client(target, { maxResponseBytes: cap })
      .post('v1.0', '/deviceManagement/managedDevices/d1/syncDevice')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).not.toBeInstanceOf(AmbiguousWriteError);
    expect(error).toMatchObject({ graphCode: 'ResponseTooLarge', status: 400 });
  });

  it('a body under the cap is read whole, a byte-order mark dropped as Response.text() does', async () => {
    const target = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(`\uFEFF${JSON.stringify({ value: [{ id: 'é' }] })}`);
    });
    const { items, error } = await collect(
      client(target, { maxResponseBytes: cap }).pages('v1.0', '/deviceManagement/managedDevices', asId),
    );
    expect(error).toBeUndefined();
    expect(items).toEqual(['é']);
  });

  it('a complete answer holding truncated JSON is MalformedResponse, in one line', async () => {
    const target = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'request-id': 'req-half' });
      response.end('{"value": [{"id": "d1"}, {"id": "d');
    });
    const error = await client(target, { maxResponseBytes: cap })
      .get('v1.0', '/deviceManagement/managedDevices')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ graphCode: 'MalformedResponse' });
    expect((error as Error).message).not.toMatch(/\n/);
  });
});

describe('GraphClient records its writes', () => {
  it('each attempt of a write before it leaves, with its service and writes; reads and self-recorded POSTs not', async () => {
    const target = await serve((request, response, index) => {
      if (request.url.endsWith('/$batch')) {
        const { requests } = JSON.parse(request.body) as { requests: Array<{ id: string }> };
        return sendJson(response, 200, {
          responses: requests.map(({ id }) => ({ id, status: 204, body: null })),
        });
      }
      // The first export job POST is throttled once (Retry-After 0): resent, and recorded again.
      if (index === 1)
        return sendJson(response, 429, graphErrorBody('TooManyRequests', 'again'), { 'Retry-After': '0' });
      sendJson(response, 200, { value: [] });
    });
    const writes: Array<{ service: string; writes: number; arrivalsBefore: number }> = [];
    const graph = client(target, {
      recordWrite: async (write) => {
        writes.push({ ...write, arrivalsBefore: target.arrivals.length });
      },
    });
    await graph.get('v1.0', '/deviceManagement/managedDevices');
    await graph.post('beta', '/deviceManagement/reports/exportJobs', { body: { reportName: 'x' } });
    await graph.post('v1.0', '/deviceManagement/managedDevices/d1/syncDevice', {
      beforeSend: async () => undefined,
    });
    await graph.batch('v1.0', [
      { key: 'a', method: 'POST', url: '/deviceManagement/managedDevices/d2/syncDevice' },
      { key: 'b', method: 'POST', url: '/deviceManagement/managedDevices/d3/syncDevice' },
      { key: 'c', method: 'GET', url: '/deviceManagement/managedDevices/d4' },
    ]);
    expect(writes).toEqual([
      { service: 'devices', writes: 1, arrivalsBefore: 1 },
      { service: 'devices', writes: 1, arrivalsBefore: 2 },
      { service: 'devices', writes: 2, arrivalsBefore: 4 },
    ]);
  });

  it('a recorder that fails sends nothing', async () => {
    const target = await serve((_request, response) => sendJson(response, 200, {}));
    const graph = client(target, {
      recordWrite: async () => {
        throw new Error('store is gone');
      },
    });
    await expect(graph.post('v1.0', '/deviceManagement/managedDevices/d1/syncDevice')).rejects.toThrow(
      'store is gone',
    );
    expect(target.arrivals).toHaveLength(0);
  });
});
