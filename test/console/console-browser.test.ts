/**
 * The console in a real browser: Debian's Chromium driven by playwright-core, against
 * `tpm-doctor console` serving a lab triage that `fleet triage` stored. Signing in with the
 * token (and refused without it, under another host name, from a foreign origin), the LAB
 * marker, the fleet table, a filter, a device. Screenshots go to a temporary folder, and are
 * copied to TPM_DOCTOR_SCREENSHOTS when it names a folder (for a closing note).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceListResponse } from '../../src/console/api-types.js';
import { SqliteFleetStore } from '../../src/fleet/store/sqlite-store.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { launchChromium, sessionOfPage, screenshot as shot, UI_TIMEOUT } from './chromium-support.js';
import { request, signIn } from './console-http.js';
import { type ConsoleProcess, startConsoleCli, useBuiltConsole } from './console-support.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '1000', '--lab-seed', '21'];

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-browser-');
let browser: Browser;
let running: ConsoleProcess;
let foreign: Server;
let foreignOrigin: string;
let shots: string;

function screenshot(page: Page, name: string): Promise<void> {
  return shot(page, shots, name);
}

beforeAll(async () => {
  shots = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-console-shots-'));
  const store = `sqlite:${tmp.file('fleet.sqlite')}`;
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  running = await startConsoleCli([...LAB, '--store', store]);
  browser = await launchChromium();
  // Another site on loopback, whose page posts a form to the console (cross-site request forgery).
  foreign = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>elsewhere</title><form method="post" action="${running.origin}/api/sign-out"><button>Win a prize</button></form>`,
    );
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignOrigin = `http://localhost:${(foreign.address() as { port: number }).port}`;
}, 400_000);

afterAll(async () => {
  await browser?.close();
  foreign?.close();
  if (running) {
    const end = await running.stop('SIGTERM');
    expect(end.code).toBe(0);
  }
  if (shots) await rm(shots, { recursive: true, force: true });
});

describe('the console in Chromium', () => {
  it('refuses the browser without the token and under another host name, then signs in once', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    const elsewhere: string[] = [];
    page.on('request', (r) => {
      const url = r.url();
      const ours = [running.origin, foreignOrigin, 'http://rebind.test:', 'data:'];
      if (!ours.some((prefix) => url.startsWith(prefix))) {
        elsewhere.push(url);
      }
    });

    // Without the token: the sign-in page, no console.
    const signedOut = await page.goto(`${running.origin}/`);
    expect(signedOut?.status()).toBe(401);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
    await expect(page.locator('.lab-banner').textContent()).resolves.toContain('LAB TENANT');
    await screenshot(page, 'signed-out');

    // A rebinding name that resolves to 127.0.0.1 gets nothing, not even with the right token.
    const port = new URL(running.origin).port;
    const token = new URL(running.signInUrl).search;
    const rebound = await page.goto(`http://rebind.test:${port}/sign-in${token}`);
    expect(rebound?.status()).toBe(403);
    await expect(page.locator('main p').textContent()).resolves.toContain(
      'answers only to its own loopback address',
    );

    // A wrong token: refused.
    const wrong = await page.goto(`${running.origin}/sign-in?token=not-the-token`);
    expect(wrong?.status()).toBe(403);

    // The right one: signed in and sent on to a URL without the token.
    await page.goto(running.signInUrl);
    await page.waitForURL(`${running.origin}/`);
    await page.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor();
    expect(page.url()).not.toContain('token');
    // The session's header secret left the address bar for localStorage (console/src/session.ts).
    expect(page.url()).not.toContain('session');
    expect(await page.evaluate("localStorage.getItem('tpm-doctor-session')")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({
        name: 'tpm_doctor_console',
        httpOnly: true,
        sameSite: 'Strict',
        secure: false,
      }),
    ]);
    expect(await page.evaluate('document.cookie')).toBe('');

    // The same link a second time, in another browser context: refused.
    const other = await browser.newContext();
    const again = await (await other.newPage()).goto(running.signInUrl);
    expect(again?.status()).toBe(403);
    await other.close();

    // The LAB marker on the page, the figures and the table of the lab triage.
    await expect(page.locator('.lab-banner').textContent()).resolves.toBe('LAB TENANT — simulated devices');
    await expect(page.locator('.lab-badge').textContent()).resolves.toBe('LAB');
    await expect(page.title()).resolves.toMatch(/^LAB · /);
    await page.locator('table.devices tbody tr').first().waitFor();
    await expect(page.locator('.cards').textContent()).resolves.toContain('1,000 devices');
    await screenshot(page, 'fleet');

    // A form on a foreign site posting to the console: refused, and the session lives on.
    const attacker = await context.newPage();
    await attacker.goto(`${foreignOrigin}/`);
    const [forged] = await Promise.all([
      attacker.waitForNavigation(),
      attacker.getByRole('button', { name: 'Win a prize' }).click(),
    ]);
    expect(forged?.status()).toBe(403);
    await expect(attacker.locator('main p').textContent()).resolves.toContain('another origin');
    await attacker.close();

    // Filter to the devices safe to clear, with the labelled control, as the server counts them.
    const cookie = await sessionOfPage(page);
    const safe = JSON.parse(
      (await request(running.origin, '/api/fleet/devices?safety=safe', { cookie })).body,
    ) as DeviceListResponse;
    expect(safe.total).toBeGreaterThan(0);
    const matches = `${safe.total} ${safe.total === 1 ? 'device matches' : 'devices match'}.`;
    await page.getByLabel('Clear safety').selectOption('safe');
    await page.waitForURL(/safety=safe/);
    await page.getByText(matches).waitFor();
    const cells = await page.locator('table.devices tbody tr td:nth-child(3)').allTextContents();
    expect(cells).toEqual(Array(safe.total).fill('Safe to clear'));
    await screenshot(page, 'filter-safe');

    // Open a device from the table with the keyboard.
    const first = safe.devices[0]!;
    await page.getByRole('link', { name: first.deviceName ?? first.deviceId }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: first.deviceName ?? first.deviceId, level: 1 }).waitFor();
    await expect(page.locator('.facts').textContent()).resolves.toContain('Safe to clear');
    await expect(page.locator('.facts').textContent()).resolves.toContain(first.deviceId);
    await screenshot(page, 'device');

    // Back to the filtered fleet with the browser's back button.
    await page.goBack();
    await page.getByText(matches).waitFor();

    expect(cspViolations).toEqual([]);
    expect(elsewhere).toEqual([]);
    await context.close();
  }, 300_000);

  it('signs in through the sign-in cookie only: an API call without it is refused', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const answer = await page.goto(`${running.origin}/api/fleet`);
    expect(answer?.status()).toBe(401);
    await context.close();
    // The session made by the first test's sign-in is the only one: a fresh sign-in is refused.
    await expect(signIn(running.signInUrl)).rejects.toThrow(/403/);
  }, 120_000);

  it('shows hostile device names as text: no markup, no script, no reordering outside the name', async () => {
    const hostile = '<img src=x onerror="document.title=1">\u202eexe.pdf</td><script>alert(1)</script>';
    // A triage of the same tenant as the lab flags name, written as fleet triage writes one.
    const file = tmp.file('hostile.sqlite');
    const store = await SqliteFleetStore.open(file);
    const run = await store.beginTriage(
      'LAB tenant in-process (1000 simulated devices, seed 21)',
      'lab-in-process:devices=1000:seed=21',
    );
    await store.addTriageRows(run, [
      {
        deviceId: 'hostile-1',
        deviceName: hostile,
        azureAdDeviceId: null,
        triageClass: 'tpm-clear-candidate',
        clearSafety: 'blocked',
        lastSync: null,
        reasons: [`escrow.missing: ${hostile}`, `Reason ${hostile}`],
      },
    ]);
    await store.finishTriage(run, { devices: 1 });
    await store.close();
    const second = await startConsoleCli([...LAB, '--store', `sqlite:${file}`]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT);
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(second.signInUrl);
      const link = page.locator('table.devices tbody tr td:first-child a');
      await link.first().waitFor();
      await expect(link.first().textContent()).resolves.toBe(hostile);
      await expect(page.locator('main img, main script').count()).resolves.toBe(0);
      await expect(page.title()).resolves.toMatch(/^LAB · /);
      await screenshot(page, 'hostile-names');
      await link.first().click();
      await page.locator('h1 bdi').waitFor();
      await expect(page.locator('h1').textContent()).resolves.toBe(hostile);
      await expect(page.locator('main img, main script').count()).resolves.toBe(0);
      await expect(page.locator('main').textContent()).resolves.toContain(`escrow.missing: ${hostile}`);
      expect(dialogs).toEqual([]);
    } finally {
      await context.close();
      expect((await second.stop('SIGINT')).code).toBe(0);
    }
  }, 240_000);
});
