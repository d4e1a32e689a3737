/**
 * `tpm-doctor fleet triage` when Graph misbehaves: the built CLI against a lab tenant with
 * injected 503/504s, seen through a small HTTP proxy in this file that can break the answers on
 * their way back (a managedDevices page cut in half, or with `value` not an array) or fill the
 * app's throttling window just before the CLI's first Graph call, so the lab answers 429 with no
 * Retry-After (Graph does not always send one: "Microsoft Graph throttling guidance" says to back
 * off exponentially then).
 *
 * What must hold: a malformed page is exit 14 with an error naming what was expected and the
 * request; the `--out` report is never left half-written (no FILE, no FILE.partial); the store
 * keeps no finished run from the failed triage, so campaigns still select from the previous one;
 * and throttling and transient errors are absorbed (exit 0, retries counted in the report).
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCredential } from '../../src/fleet/graph/lab-credential.js';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { type CliResult, runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-triage-failures-');

type Corruption = 'truncated-json' | 'value-not-an-array' | 'endless-body';

/** What the proxy does to the traffic it forwards; set per test. */
interface ProxyMode {
  /** Break every managedDevices list page after the first `corruptAfter` pages. */
  corruption: Corruption | null;
  corruptAfter: number;
  /**
   * Run before each Graph call (not the token or /lab/ endpoints) is forwarded, until a Graph
   * answer that went back to the CLI was a 429.
   */
  beforeFirstGraphCall: (() => Promise<void>) | null;
}

let lab: LabTenant;
let proxy: http.Server;
let proxyUrl: string;
let mode: ProxyMode = { corruption: null, corruptAfter: 0, beforeFirstGraphCall: null };
let managedDevicePages = 0;
let corruptedPages = 0;
/** 429s without Retry-After the lab sent back to the CLI (the burst's own are not counted). */
let throttledToCliWithoutRetryAfter = 0;

/** Headers not forwarded as they came: hop-by-hop ones, and those the body rewrite invalidates. */
const DROPPED_HEADERS = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** 429s in one answer (the answer itself, or items of a $batch) that came without Retry-After. */
function countThrottledWithoutRetryAfter(answer: Response, text: string): number {
  if (answer.status === 429) return answer.headers.has('retry-after') ? 0 : 1;
  if (answer.status !== 200 || !text.includes('"responses"')) return 0;
  let body: { responses?: Array<{ status?: number; headers?: Record<string, string> }> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return 0;
  }
  return (body.responses ?? []).filter(
    (item) =>
      item.status === 429 &&
      !Object.keys(item.headers ?? {}).some((name) => name.toLowerCase() === 'retry-after'),
  ).length;
}

function isManagedDevicesPage(method: string, url: string): boolean {
  return method === 'GET' && /^\/v1\.0\/deviceManagement\/managedDevices(?:\?|$)/.test(url);
}

/**
 * The page's first half, then device objects for as long as the client reads (no Content-Length):
 * a Graph answer that never ends.
 */
function sendEndlessPage(res: http.ServerResponse, text: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write(text.slice(0, text.indexOf('[') + 1));
  const item = Buffer.from(`${JSON.stringify({ id: 'x'.repeat(4_000) })},`);
  const pump = (): void => {
    while (!res.destroyed && res.write(item)) {
      // until the socket's buffer is full
    }
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const isGraphCall = /^\/(v1\.0|beta)\//.test(url);
  if (isGraphCall && mode.beforeFirstGraphCall) await mode.beforeFirstGraphCall();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && !DROPPED_HEADERS.has(name)) headers[name] = value;
  }
  const answer = await fetch(new URL(url, lab.url), {
    method,
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  // nextLinks are absolute under the lab's origin; the client pages only within its own origin.
  let text = (await answer.text()).split(lab.url).join(proxyUrl);
  // The hook fills the throttling window before each Graph call until one of the CLI's own
  // requests (or an item of its $batch) was answered 429: on a loaded machine the window can slide
  // between the fill and the request, so one fill alone does not make the 429 certain.
  if (isGraphCall) {
    const throttledWithoutRetryAfter = countThrottledWithoutRetryAfter(answer, text);
    throttledToCliWithoutRetryAfter += throttledWithoutRetryAfter;
    if (throttledWithoutRetryAfter > 0) mode.beforeFirstGraphCall = null;
  }
  if (isManagedDevicesPage(method, url) && answer.status === 200) {
    managedDevicePages++;
    if (mode.corruption === 'endless-body' && managedDevicePages > mode.corruptAfter) {
      corruptedPages++;
      sendEndlessPage(res, text);
      return;
    }
    if (mode.corruption !== null && managedDevicePages > mode.corruptAfter) {
      corruptedPages++;
      text =
        mode.corruption === 'truncated-json'
          ? text.slice(0, Math.floor(text.length / 2))
          : JSON.stringify({ ...(JSON.parse(text) as object), value: { devices: 'not a list' } });
    }
  }
  const outHeaders: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!DROPPED_HEADERS.has(name) && name !== 'content-encoding') outHeaders[name] = value;
  });
  outHeaders['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(answer.status, outHeaders);
  res.end(text);
}

beforeAll(async () => {
  lab = await startLabTenant({
    devices: 600,
    seed: 5,
    // Pages of 100: a corrupted page comes after rows were already written to the report.
    pageSize: 100,
    windowMs: 2_000,
    // Every 429 without Retry-After, and some 503/504s: the client's backoff must absorb both.
    omitRetryAfterRate: 1,
    transientErrorRate: 0.03,
  });
  proxy = http.createServer((req, res) => {
    forward(req, res).catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`test proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await lab?.close();
});

function connect(): string[] {
  return ['--graph-url', proxyUrl, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
function triage(args: string[]): Promise<CliResult> {
  return runCli(['fleet', 'triage', ...connect(), ...args], {
    env: { AZURE_CLIENT_SECRET: lab.clientSecret },
    timeoutMs: 60_000,
  });
}
async function latestTriageId(store: string): Promise<number | null> {
  const status = await runCli(['fleet', 'status', '--store', `sqlite:${store}`, '--json']);
  expect(status.code).toBe(0);
  return (JSON.parse(status.stdout) as { latestTriage: { id: number } | null }).latestTriage?.id ?? null;
}

describe('fleet triage against a Graph that breaks', () => {
  const cases: Array<{ corruption: Corruption; expected: RegExp }> = [
    { corruption: 'truncated-json', expected: /expected a JSON body, got \d+ bytes that do not parse/ },
    {
      corruption: 'value-not-an-array',
      expected: /expected an OData collection page with a "value" array, got an object/,
    },
  ];

  it.each(cases)(
    'a managedDevices page ($corruption) is exit 14 naming what was expected and the request; no report, no finished run',
    async ({ corruption, expected }) => {
      const store = tmp.file(`${corruption}.sqlite`);
      // A good triage first: the run campaigns select from until a newer one finishes.
      mode = { corruption: null, corruptAfter: 0, beforeFirstGraphCall: null };
      const good = await triage(['--store', `sqlite:${store}`, '--quiet']);
      expect(good.code, good.stderr).toBe(0);
      const previous = await latestTriageId(store);
      expect(previous).not.toBeNull();

      const report = tmp.file(`${corruption}.csv`);
      managedDevicePages = 0;
      corruptedPages = 0;
      mode = { corruption, corruptAfter: 2, beforeFirstGraphCall: null };
      const failed = await triage([
        '--format',
        'csv',
        '--out',
        report,
        '--store',
        `sqlite:${store}`,
        '--quiet',
      ]);
      mode = { corruption: null, corruptAfter: 0, beforeFirstGraphCall: null };

      expect(failed.code, failed.stderr).toBe(14);
      expect(corruptedPages).toBeGreaterThan(0);
      expect(failed.stderr).toMatch(expected);
      // The request: method and path (the query's names only, never its values).
      expect(failed.stderr).toMatch(/GET \/v1\.0\/deviceManagement\/managedDevices\?\S*\$skiptoken/);
      expect(failed.stderr).toContain('MalformedResponse');
      expect(failed.stderr).not.toContain(lab.clientSecret);
      // Two pages of rows had been written before the bad one: none of it is left behind.
      expect(existsSync(report)).toBe(false);
      expect(existsSync(`${report}.partial`)).toBe(false);
      // The store's latest finished triage is still the good one.
      expect(await latestTriageId(store)).toBe(previous);
    },
  );

  it('a managedDevices page that never ends stops at the 64 MiB cap: exit 14 in one line, the previous run kept, the next triage finishes', async () => {
    const store = tmp.file('endless.sqlite');
    mode = { corruption: null, corruptAfter: 0, beforeFirstGraphCall: null };
    const good = await triage(['--store', `sqlite:${store}`, '--quiet']);
    expect(good.code, good.stderr).toBe(0);
    const previous = await latestTriageId(store);
    expect(previous).not.toBeNull();

    managedDevicePages = 0;
    corruptedPages = 0;
    mode = { corruption: 'endless-body', corruptAfter: 1, beforeFirstGraphCall: null };
    const failed = await triage(['--store', `sqlite:${store}`, '--quiet']);
    mode = { corruption: null, corruptAfter: 0, beforeFirstGraphCall: null };

    expect(failed.code, failed.stderr).toBe(14);
    expect(corruptedPages).toBe(1);
    const errorLines = failed.stderr.split('\n').filter((line) => line.includes('ResponseTooLarge'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(
      /GET \/v1\.0\/deviceManagement\/managedDevices\?\S*\$skiptoken: HTTP 200 ResponseTooLarge: the answer is larger than the 64 MiB allowed/,
    );
    expect(failed.stderr).not.toMatch(/^\s+at /m);
    expect(failed.stderr).not.toContain(lab.clientSecret);
    expect(await latestTriageId(store)).toBe(previous);

    const again = await triage(['--store', `sqlite:${store}`, '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(await latestTriageId(store)).toBeGreaterThan(previous ?? 0);
  });

  it('429s without Retry-After and injected 503/504s are absorbed: exit 0, retries in the stats', async () => {
    // Fill the app's request window at the lab (same client id, so the same throttle) right
    // before the CLI's Graph calls, until one of them is throttled: $batch items count one each, so
    // 2,000 are a hundred envelopes. Stops at the first 429, i.e. with the window certainly full.
    const burst = async (): Promise<void> => {
      const credential = new LabCredential({
        labUrl: lab.url,
        tenantId: lab.tenantId,
        clientId: lab.clientId,
        clientSecret: lab.clientSecret,
      });
      const { token } = await credential.getToken('https://graph.microsoft.com/.default');
      const requests = Array.from({ length: 20 }, (_, i) => ({
        id: String(i),
        method: 'GET',
        url: '/deviceManagement/managedDevices?$top=1&$select=id',
      }));
      // Envelopes go out in concurrent waves, so the window's entries are close together in time
      // and none leaves it long before the others.
      const envelope = async (): Promise<boolean> => {
        const answer = await fetch(`${lab.url}/v1.0/$batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ requests }),
        });
        const body = (await answer.json()) as { responses: Array<{ status: number }> };
        return body.responses.some((r) => r.status === 429);
      };
      for (let wave = 0; wave < 20; wave++) {
        const throttled = await Promise.all(Array.from({ length: 25 }, envelope));
        if (throttled.includes(true)) return;
      }
      throw new Error('the lab never throttled the burst');
    };
    throttledToCliWithoutRetryAfter = 0;
    mode = { corruption: null, corruptAfter: 0, beforeFirstGraphCall: burst };
    const result = await triage(['--json', '--no-store', '--quiet']);
    mode = { corruption: null, corruptAfter: 0, beforeFirstGraphCall: null };

    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      summary: { devices: number; graphRequests: { retries: number; throttled: number } };
    };
    expect(report.summary.devices).toBe(600);
    expect(report.summary.graphRequests.throttled).toBeGreaterThan(0);
    expect(report.summary.graphRequests.retries).toBeGreaterThanOrEqual(
      report.summary.graphRequests.throttled,
    );
    // The lab's answers on their way to the CLI: 429s without Retry-After, as many as the CLI
    // counted at most (it may count a 429 inside a $batch and retry only that item).
    expect(throttledToCliWithoutRetryAfter).toBeGreaterThan(0);
    expect(report.summary.graphRequests.throttled).toBeGreaterThanOrEqual(throttledToCliWithoutRetryAfter);
  });
});
