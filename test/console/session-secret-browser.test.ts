/**
 * The session's header secret (src/console/sign-in.ts, docs/console.md). A browser sends the
 * console's cookie to every port of 127.0.0.1 (cookies are not scoped to a port: RFC 6265 §8.5),
 * so a server on another loopback port the admin's browser visits receives it. Replayed from
 * outside a browser with the console's own Host and Origin, that cookie alone must open nothing
 * of the API, the clear included; the secret alone neither. The page, which holds the secret in
 * its port-scoped localStorage, goes on working.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThisDeviceClearPlanResponse } from '../../src/console/api-types.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { launchChromium, sessionOfPage, UI_TIMEOUT } from './chromium-support.js';
import { readEvents } from './console-events.js';
import { request, sessionHeaderOf } from './console-http.js';
import { type ConsoleProcess, startConsoleCli, useBuiltConsole } from './console-support.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '20', '--lab-seed', '7'];

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-session-');
let browser: Browser;
let running: ConsoleProcess;
let other: Server;
/** The headers each request to the other port carried, as its owner would log them. */
const seenByOtherPort: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  assertSwtpmAvailable();
  const store = `sqlite:${tmp.file('fleet.sqlite')}`;
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  running = await startConsoleCli([...LAB, '--store', store, '--tpm', 'lab:stale-objects']);
  // Another user's server on another loopback port: a page whose image comes from itself.
  other = createServer((q, r) => {
    seenByOtherPort.push(q.headers);
    if (q.url === '/pixel') {
      r.writeHead(204).end();
      return;
    }
    r.writeHead(200, { 'Content-Type': 'text/html' });
    r.end('<p>hello</p><img src="/pixel">');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (other ? other.close(resolve) : resolve(undefined)));
  if (running) expect((await running.stop('SIGTERM')).code).toBe(0);
});

const GETS = [
  '/api/fleet',
  '/api/fleet/devices',
  '/api/campaigns',
  '/api/this-device',
  '/api/this-device/runs',
  '/api/devices/dev-00001',
  '/api/campaigns/c-20000101-000000-000000',
];
const POSTS: [string, object][] = [
  ['/api/this-device/clear/plan', { purpose: 'decommission' }],
  ['/api/campaigns/plan', { action: 'sync' }],
  ['/api/campaigns', { action: 'sync' }],
  ['/api/triage', {}],
  ['/api/campaigns/c-20000101-000000-000000/stop', {}],
  ['/api/sign-out', {}],
];
const STREAMS = ['/api/campaigns/c-20000101-000000-000000/events', '/api/triage/triage-1/events'];

describe('the session cookie replayed from another loopback port', () => {
  it('opens no endpoint, not the clear either; the page with its secret still clears', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    try {
      await page.goto(running.signInUrl);
      await page.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor();
      const session = await sessionOfPage(page);
      const secret = sessionHeaderOf(session)['x-tpm-doctor-session'] as string;

      // The admin's browser loads a page of the other port: it gets the cookie, not the secret.
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const stolen = seenByOtherPort.map((h) => h.cookie).find((c) => c?.includes('tpm_doctor_console='));
      expect(stolen).toBe(session);
      expect(JSON.stringify(seenByOtherPort)).not.toContain(secret);

      // The other user replays it with the console's own Host and Origin, as no browser would.
      const replay = { origin: running.origin, 'content-type': 'application/json' };
      for (const path of GETS) {
        expect((await request(running.origin, path, { headers: { cookie: stolen! } })).status, path).toBe(
          401,
        );
      }
      for (const [path, body] of POSTS) {
        const answer = await request(running.origin, path, {
          method: 'POST',
          headers: { ...replay, cookie: stolen! },
          body: JSON.stringify(body),
        });
        expect(answer.status, path).toBe(401);
      }
      for (const path of STREAMS) {
        const stream = await request(running.origin, path, {
          headers: { cookie: stolen!, accept: 'text/event-stream' },
        });
        expect(stream.status, path).toBe(401);
      }

      // Even with a plan the admin made: the clear itself refuses the cookie alone, a wrong
      // secret, and the secret without the cookie.
      const made = await request(running.origin, '/api/this-device/clear/plan', {
        method: 'POST',
        cookie: session,
        headers: replay,
        body: JSON.stringify({ purpose: 'decommission' }),
      });
      expect(made.status).toBe(200);
      const plan = JSON.parse(made.body) as ThisDeviceClearPlanResponse;
      expect(plan.planId).not.toBeNull();
      const clearBody = JSON.stringify({ planId: plan.planId, confirm: 'CLEAR' });
      for (const headers of <Record<string, string>[]>[
        { cookie: stolen! },
        { cookie: stolen!, 'x-tpm-doctor-session': 'A'.repeat(43) },
        { 'x-tpm-doctor-session': secret },
      ]) {
        const refused = await request(running.origin, '/api/this-device/clear', {
          method: 'POST',
          headers: { ...replay, ...headers },
          body: clearBody,
        });
        expect(refused.status).toBe(401);
      }

      // The cookie with its secret, as the page sends them: the plan was still there, unspent.
      const cleared = await request(running.origin, '/api/this-device/clear', {
        method: 'POST',
        cookie: session,
        headers: replay,
        body: clearBody,
      });
      expect(cleared.status).toBe(200);
      expect((JSON.parse(cleared.body) as { proof: { proven: boolean } }).proof.proven).toBe(true);
      // The event streams answer the page's session as before.
      const events = await readEvents(running.origin, '/api/triage/triage-1/events', session);
      expect(events.status).toBe(404);
    } finally {
      await context.close();
    }
  }, 300_000);
});
