/**
 * The fleet view's URL and keyboard handling in a real browser (Debian's Chromium,
 * playwright-core), against `tpm-doctor console --tenant lab` on a lab triage: a filter value the
 * triage does not have shows the refusal and a way back (not "Loading…" for ever); a page past
 * the last shows the last and says so; the search box shows what is applied, and text typed but
 * not applied holds the campaign planner; a filter select's arrow keys leave no history entry per
 * option; each view has its own document title. Screenshots: console-fxb-bad-filter.png,
 * console-fxb-page-clamped.png, console-fxb-search-pending.png.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetResponse } from '../../src/console/api-types.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { launchChromium, sessionOfPage, screenshot as shot, UI_TIMEOUT } from './chromium-support.js';
import { request } from './console-http.js';
import { type ConsoleProcess, startConsoleCli, useBuiltConsole } from './console-support.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '400', '--lab-seed', '11'];

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-fleet-view-');
let browser: Browser;
/** Signed in once (the link works once); each test opens its pages in it. */
let context: BrowserContext;
let running: ConsoleProcess;
let shots: string;

beforeAll(async () => {
  shots = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-console-shots-'));
  const store = `sqlite:${tmp.file('fleet.sqlite')}`;
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  running = await startConsoleCli([...LAB, '--store', store]);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(running.signInUrl);
  await page.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor({ timeout: UI_TIMEOUT });
  await page.close();
}, 400_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (running) expect((await running.stop('SIGTERM')).code).toBe(0);
  if (shots) await rm(shots, { recursive: true, force: true });
});

/** The count line once the devices are read ("N devices match…"). */
async function countLine(page: Page): Promise<string> {
  const count = page.locator('p.count');
  await count.filter({ hasText: /match/ }).waitFor();
  return (await count.textContent()) ?? '';
}

describe("the fleet view's URL, search and history in Chromium", () => {
  it('a bad filter shows why and a way back; a page past the end shows the last; search shows what is applied; selects replace history; titles per view', async () => {
    const page = await context.newPage();
    try {
      page.setDefaultTimeout(UI_TIMEOUT);
      await page.goto(`${running.origin}/#/`);
      await page.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor();
      await countLine(page);
      await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toBe('LAB · Fleet · tpm-doctor console');
      const origin = running.origin;

      // The figures: a card per clear safety the CLI counts, unknown included; the bars compare the
      // classes needing action (Healthy is a number, not a bar that dwarfs them).
      const cookie = await sessionOfPage(page);
      const fleet = JSON.parse((await request(origin, '/api/fleet', { cookie })).body) as FleetResponse;
      const cards = await page.locator('ul.cards li').allTextContents();
      expect(cards).toContain(
        `${(fleet.figures!.byClearSafety.unknown ?? 0).toLocaleString('en-US')} Clear safety unknown`,
      );
      const needs = fleet.classes.filter((c) => c.needsAction).map((c) => fleet.figures!.byClass[c.id] ?? 0);
      const maxima = await page
        .locator('table.bars meter')
        .evaluateAll((ms) => ms.map((m) => m.getAttribute('max')));
      expect(maxima.length).toBeGreaterThan(0);
      for (const max of maxima) expect(Number(max)).toBe(Math.max(...needs));
      await expect(
        page.locator('table.bars tr', { hasText: 'Healthy' }).locator('meter').count(),
      ).resolves.toBe(0);
      await shot(page, shots, 'fxb-fleet');

      // A class the triage does not have: the server's refusal, a way back, no planner, no "Loading".
      await page.goto(`${origin}/#/?class=bogus`);
      const alert = page.locator('.bad-filter');
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toContain('unknown class value');
      await expect(page.getByText('Loading devices…').count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Dry run' }).count()).resolves.toBe(0);
      await shot(page, shots, 'fxb-bad-filter');
      await page.getByRole('link', { name: /Show all devices/ }).click();
      const all = await countLine(page);
      expect(all).toMatch(/^\d+ devices match/);

      // A page past the last: the last page, said so, and the URL follows.
      await page.goto(`${origin}/#/?page=99`);
      await page.locator('p.count', { hasText: 'There is no page 99' }).waitFor();
      const last = /page=(\d+)/.exec(new URL(page.url()).hash)?.[1];
      expect(Number(last)).toBeGreaterThanOrEqual(1);
      expect(Number(last)).toBeLessThan(99);
      // The last page's rows (read after the URL moved to it).
      await page.locator('table.devices tbody tr').first().waitFor();
      await shot(page, shots, 'fxb-page-clamped');

      // A select's arrow keys: the filter follows, the history does not grow per option.
      await page.goto(`${origin}/#/`);
      await countLine(page);
      const before = await page.evaluate('history.length');
      const classSelect = page.locator('form.filters select[name="class"]');
      await classSelect.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      await expect.poll(() => new URL(page.url()).hash, { timeout: UI_TIMEOUT }).toContain('class=');
      await countLine(page);
      await expect(page.evaluate('history.length')).resolves.toBe(before);
      // Focus stays on the select for the next key.
      await expect(page.evaluate("document.activeElement?.getAttribute('name')")).resolves.toBe('class');

      // Text typed but not applied: said, and the planner held; Search applies it; Back shows the box as applied.
      const dryRun = page.getByRole('button', { name: 'Dry run' });
      await expect.poll(() => dryRun.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true);
      const box = page.getByRole('searchbox', { name: 'Search' });
      await box.fill('nyc');
      await page.getByText('The search text is not applied yet').waitFor();
      await expect(dryRun.isEnabled()).resolves.toBe(false);
      await shot(page, shots, 'fxb-search-pending');
      await box.press('Enter');
      await expect.poll(() => new URL(page.url()).hash, { timeout: UI_TIMEOUT }).toContain('q=nyc');
      await expect
        .poll(() => page.getByText('The search text is not applied yet').count(), { timeout: UI_TIMEOUT })
        .toBe(0);
      await page.goBack();
      await expect.poll(() => new URL(page.url()).hash, { timeout: UI_TIMEOUT }).not.toContain('q=');
      await expect.poll(() => box.inputValue(), { timeout: UI_TIMEOUT }).toBe('');

      // Each view has its title.
      await page.getByRole('link', { name: 'This device' }).click();
      await page.getByRole('heading', { name: 'This device', level: 1 }).waitFor();
      await expect
        .poll(() => page.title(), { timeout: UI_TIMEOUT })
        .toBe('LAB · This device · tpm-doctor console');
    } finally {
      await page.close();
    }
  }, 300_000);

  it('names the run by id and time; a triage started here ends in place (its line kept), and another tab is told of the newer run', async () => {
    const a = await context.newPage();
    const b = await context.newPage();
    try {
      a.setDefaultTimeout(UI_TIMEOUT);
      await a.goto(`${running.origin}/#/`);
      await a.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor();
      const runLine = await a.locator('p.run').textContent();
      expect(runLine).toMatch(/^Triage run (\d+) at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · store /);
      const first = Number(/run (\d+)/.exec(runLine ?? '')?.[1]);
      b.setDefaultTimeout(UI_TIMEOUT);
      await b.goto(`${running.origin}/#/`);
      await b.getByText(`Triage run ${first} at`).waitFor();

      await a.getByRole('button', { name: 'New triage' }).click();
      // The end line stays, and the view shows the new run without a reload.
      await a.getByText(`Triage run ${first + 1} finished`).waitFor({ timeout: 180_000 });
      await a.getByText(`Triage run ${first + 1} at`).waitFor();
      await expect
        .poll(() => a.getByRole('button', { name: 'New triage' }).isEnabled(), { timeout: UI_TIMEOUT })
        .toBe(true);
      // The other tab: told, and shows it on request.
      await b.bringToFront();
      const told = b.locator('.newer-run');
      await told.waitFor({ timeout: 120_000 });
      await expect(told.textContent()).resolves.toContain(`run ${first + 1}, has finished`);
      await shot(b, shots, 'fxb-newer-run');
      await told.getByRole('button', { name: 'Show it' }).click();
      await b.getByText(`Triage run ${first + 1} at`).waitFor();
      await expect.poll(() => b.locator('.newer-run').count(), { timeout: UI_TIMEOUT }).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  }, 400_000);
});
