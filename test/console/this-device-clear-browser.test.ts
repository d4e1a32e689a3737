/**
 * The "this device" clear in a real browser (Debian's Chromium, playwright-core), against
 * `tpm-doctor console --tpm lab:stale-objects`: the dry run and its gate table, a clear without
 * the typed CLEAR refused by the server with the TPM untouched, then CLEAR typed and submitted
 * from the keyboard, the result "cleared and proven" with the receipt's hash chain verified, and
 * the TPM checked independently with tpm2-tools. Screenshots: console-this-device-clear-gate.png,
 * console-this-device-cleared.png.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThisDeviceResponse } from '../../src/console/api-types.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { launchChromium, screenshot, sessionOfPage, UI_TIMEOUT } from './chromium-support.js';
import { request } from './console-http.js';
import { type ConsoleProcess, startConsoleCli, useBuiltConsole } from './console-support.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '20', '--lab-seed', '7'];

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-clear-browser-');
let browser: Browser;
let running: ConsoleProcess;
let shots: string;

beforeAll(async () => {
  assertSwtpmAvailable();
  shots = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-console-shots-'));
  const store = `sqlite:${tmp.file('fleet.sqlite')}`;
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  running = await startConsoleCli([...LAB, '--store', store, '--tpm', 'lab:stale-objects']);
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  if (running) expect((await running.stop('SIGTERM')).code).toBe(0);
  if (shots) await rm(shots, { recursive: true, force: true });
});

describe('the this-device clear in Chromium', () => {
  it('dry runs, refuses without CLEAR, clears with it, shows the proof and the verified receipt', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      await page.goto(running.signInUrl);
      await page.getByRole('heading', { name: 'Fleet', level: 1 }).waitFor();
      const cookie = await sessionOfPage(page);
      const device = JSON.parse(
        (await request(running.origin, '/api/this-device', { cookie })).body,
      ) as ThisDeviceResponse;
      const port = /^swtpm:\/\/127\.0\.0\.1:(\d+)$/.exec(device.source.tpm)?.[1];
      expect(port, device.source.tpm).toBeDefined();
      const tcti = { tcti: `swtpm:host=127.0.0.1,port=${port}` };
      const handles = async () => (await tpm2(tcti, ['tpm2_getcap', 'handles-persistent'])).stdout;
      expect(await handles()).toMatch(/0x81000010/);

      await page.getByRole('link', { name: 'This device' }).click();
      await page.getByRole('heading', { name: 'This device', level: 1 }).waitFor();
      await page.locator('dl.verdict').waitFor({ timeout: 120_000 });

      // The dry run of a decommission clear: the gate, each check with its status and evidence.
      await page.getByLabel('Purpose').selectOption('decommission');
      await page.getByRole('button', { name: 'Dry run the clear' }).click();
      const gate = page.getByRole('table', { name: 'Gate checks' });
      await gate.waitFor({ timeout: 120_000 });
      await expect(page.getByText('The gate passes.').count()).resolves.toBe(1);
      const rows = await gate.locator('tbody tr th code').allTextContents();
      expect(rows).toEqual(
        expect.arrayContaining(['reason', 'approval', 'blocker.disable-clear', 'rights.clear-authorization']),
      );
      await expect(gate.textContent()).resolves.toMatch(/PASS/);
      await expect(page.locator('form.plan').textContent()).resolves.toContain('0x81000010');
      // A lab TPM needs no approval: no approval fields.
      await expect(page.getByLabel('Approved by').count()).resolves.toBe(0);
      await screenshot(page, shots, 'this-device-clear-gate');

      // Without the typed word the server refuses; the TPM is untouched.
      await page.getByRole('button', { name: 'Clear the TPM' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toBe(
        'Not confirmed: type CLEAR to clear this TPM. Nothing was changed.',
      );
      expect(await handles()).toMatch(/0x81000010/);

      // CLEAR typed, submitted from the keyboard.
      const confirm = page.getByLabel('Type CLEAR to confirm');
      await confirm.fill('CLEAR');
      await confirm.press('Enter');
      await page.getByText('Cleared and proven').waitFor({ timeout: 120_000 });
      await expect(page.locator('.receipt-check').textContent()).resolves.toMatch(
        /^Hash chain verified: the receipt is record \d+ of this journal\.$/,
      );
      const journal = await page
        .getByRole('table', { name: 'Journal' })
        .locator('tbody tr')
        .allTextContents();
      expect(journal.join('\n')).toMatch(/run-finished/);
      const names = await page.locator('dl.facts code.id').allTextContents();
      const [before, after] = names.slice(-2);
      expect(before).toMatch(/^000b[0-9a-f]{64}$/);
      expect(after).toMatch(/^000b[0-9a-f]{64}$/);
      expect(after).not.toBe(before);
      // The view reads the TPM again after the clear: its status shows what is left.
      const now = JSON.parse(
        (await request(running.origin, '/api/this-device', { cookie })).body,
      ) as ThisDeviceResponse;
      expect(now.status?.persistentObjects).toBeLessThan(device.status?.persistentObjects ?? 0);
      await page
        .locator('dl.facts dd')
        .filter({ hasText: new RegExp(`^${now.status?.persistentObjects}$`) })
        .waitFor();
      await screenshot(page, shots, 'this-device-cleared');

      // Independently, with tpm2-tools: the owner keys the lab left are gone.
      const left = await handles();
      expect(left).not.toMatch(/0x81000010/);
      expect(left).not.toMatch(/0x81000011/);
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});
