/**
 * The "this device" view in a real browser (Debian's Chromium, playwright-core), against
 * `tpm-doctor console --tpm lab:stale-objects,lockout` in English and in Japanese: the verdict,
 * its next step, the clear line and the status lines in the words `tpm-doctor diagnose` and
 * `tpm-doctor status` print for the same TPM in the same language (their catalog), the remedy
 * paragraph once, and the findings; Sign out (ja), and a console stopped under the page (en). Screenshots: console-this-device.png (ja),
 * console-this-device-en.png.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThisDeviceResponse } from '../../src/console/api-types.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { launchChromium, sessionOfPage, screenshot as shot, UI_TIMEOUT } from './chromium-support.js';
import { request } from './console-http.js';
import { startConsoleCli, useBuiltConsole } from './console-support.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '20', '--lab-seed', '7'];
const TPM = 'lab:stale-objects,lockout';

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-this-device-');
let browser: Browser;
let shots: string;
let store: string;

beforeAll(async () => {
  assertSwtpmAvailable();
  shots = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-console-shots-'));
  store = `sqlite:${tmp.file('fleet.sqlite')}`;
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  browser = await launchChromium();
}, 400_000);

afterAll(async () => {
  await browser?.close();
  if (shots) await rm(shots, { recursive: true, force: true });
});

/** The value after `label` on the line of `tpm-doctor diagnose`'s text that starts with it. */
function cliValue(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no line "${label}" in:\n${text}`);
  return line.slice(label.length).trim();
}

async function showThisDevice(page: Page, signInUrl: string, views: { fleet: string; thisDevice: string }) {
  await page.goto(signInUrl);
  await page.getByRole('heading', { name: views.fleet, level: 1 }).waitFor();
  if (views.fleet === 'フリート') {
    // The fleet's Japanese as a reader finds it natural, in the CLI's terms (クリア可否, 中止).
    await page.getByRole('heading', { name: '選択したデバイスに対するキャンペーン' }).waitFor();
    const cards = await page.locator('ul.cards li').allTextContents();
    expect(cards[0]).toMatch(/^[\d,]+ 台（全体）$/);
    await expect(page.getByText('「fleet sync --class', { exact: false }).count()).resolves.toBe(1);
  }
  await page.getByRole('link', { name: views.thisDevice }).click();
  await page.getByRole('heading', { name: views.thisDevice, level: 1 }).waitFor();
  await page.locator('dl.verdict').waitFor({ timeout: 120_000 });
}

describe('this device in Chromium', () => {
  for (const lang of ['ja', 'en'] as const) {
    it(`shows a lab TPM in a broken state in the words of diagnose and status (--lang ${lang}): verdict, next step, clear, status lines, the remedy once`, async () => {
      // The CLI's own text for the same TPM in the same language: what the page must say.
      const cli = await runCli(['--lang', lang, 'diagnose', '--tpm', TPM], { timeoutMs: 120_000 });
      expect(cli.code).toBe(7);
      const labels =
        lang === 'ja'
          ? {
              verdict: '判定',
              step: '次の手順',
              clear: 'TPM のクリア',
              fleet: 'フリート',
              thisDevice: 'このデバイス',
            }
          : {
              verdict: 'Verdict',
              step: 'Next step',
              clear: 'Clear TPM?',
              fleet: 'Fleet',
              thisDevice: 'This device',
            };
      const console2 = await startConsoleCli([...LAB, '--store', store, '--tpm', TPM, '--lang', lang]);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      let stopped = false;
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(UI_TIMEOUT);
        await showThisDevice(page, console2.signInUrl, labels);
        await expect(page.locator('html').getAttribute('lang')).resolves.toBe(lang);
        const terms = await page.locator('dl.verdict > dt').allTextContents();
        expect(terms).toEqual([labels.verdict, labels.step, labels.clear]);
        const values = page.locator('dl.verdict > dd > strong');
        // As `tpm-doctor diagnose --tpm lab:stale-objects,lockout` decides (test/cli/diagnose.test.ts):
        // errors, next step wait because of tpm.lockout, no clear.
        await expect(values.nth(0).textContent()).resolves.toBe(cliValue(cli.stdout, labels.verdict));
        await expect(values.nth(1).textContent()).resolves.toBe(cliValue(cli.stdout, labels.step));
        expect(cliValue(cli.stdout, labels.step)).toContain('(tpm.lockout)');
        await expect(values.nth(2).textContent()).resolves.toBe(lang === 'ja' ? '不可' : 'NO');
        await expect(page.locator('.blockers').textContent()).resolves.toContain('tpm.lockout: ');
        // The remedy paragraph once: the finding whose fix is the next step refers to it.
        const cookie = await sessionOfPage(page);
        const api = JSON.parse(
          (await request(console2.origin, '/api/this-device', { cookie })).body,
        ) as ThisDeviceResponse;
        expect(api.diagnosis.verdict).toMatchObject({ status: 'errors', nextStep: 'wait' });
        const body = (await page.locator('main').textContent()) ?? '';
        expect(body.split(api.diagnosis.verdict.action).length - 1).toBe(1);
        await expect(page.locator('.finding .fix').allTextContents()).resolves.toContain(
          `${api.words.fix} ${api.words.seeNextStep}`,
        );
        const ids = await page.locator('.finding h4 code').allTextContents();
        expect(ids).toEqual(expect.arrayContaining(['tpm.lockout', 'tpm.stale-objects']));
        // The status lines in `tpm-doctor status`'s words for this TPM.
        const status = await runCli(['--lang', lang, 'status', '--tpm', TPM], { timeoutMs: 120_000 });
        const statusTerms = await page.locator('dl.facts dt').allTextContents();
        for (const term of statusTerms) expect(status.stdout).toContain(term);
        const lockedOut = lang === 'ja' ? 'ロックアウト中' : 'Locked out';
        expect(statusTerms).toContain(lockedOut);
        await expect(page.locator('.run').textContent()).resolves.toContain('stale-objects, lockout');
        if (lang === 'ja') {
          await expect(page.locator('.findings').first().textContent()).resolves.toMatch(
            /[\u3040-\u30ff\u4e00-\u9fff]/,
          );
          // No English label left around the findings (the English ones of the old page).
          for (const english of [
            'Clear recommended',
            'next step',
            'Present',
            'Manufacturer',
            'Fix (',
            'blocks a clear',
          ])
            expect(body).not.toContain(english);
        }
        await shot(page, shots, lang === 'ja' ? 'this-device' : 'this-device-en');
        if (lang === 'ja') {
          // Sign out: the session ends on the server; the page says how to come back.
          await page.getByRole('button', { name: 'サインアウト' }).click();
          await page.getByRole('heading', { name: 'サインアウトしました', level: 1 }).waitFor();
          await expect(page.locator('main').textContent()).resolves.toContain('「link」と入力');
          expect(await context.cookies()).toEqual([]);
          const after = await request(console2.origin, '/api/fleet', { cookie });
          expect(after.status).toBe(401);
          await shot(page, shots, 'fxb-signed-out');
          return;
        }
        // The console stopped under the open page: the next view says so and how to start it
        // again, not the browser's "Failed to fetch".
        expect((await console2.stop('SIGINT')).code).toBe(0);
        stopped = true;
        await page.getByRole('link', { name: labels.fleet }).click();
        const gone = page.getByRole('alert');
        await gone.waitFor();
        await expect(gone.textContent()).resolves.toContain('tpm-doctor console');
        await expect(gone.textContent()).resolves.not.toContain('Failed to fetch');
        if (lang === 'en') await expect(gone.textContent()).resolves.toContain('The console does not answer');
      } finally {
        await context.close();
        if (!stopped) expect((await console2.stop('SIGINT')).code).toBe(0);
      }
    }, 300_000);
  }
});
