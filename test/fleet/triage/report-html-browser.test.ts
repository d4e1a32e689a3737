/**
 * The triage HTML report as a manager sees it: made by the built CLI from a lab triage, opened in
 * Debian's Chromium (playwright-core) at 1400 px, and measured in the page: no table row taller
 * than a few lines, no cell whose text overflows it, device names, clear safety and dates on one
 * line, and nothing wider than the window outside the table's own scroll box. In English and in
 * Japanese (--lang ja: the page says lang="ja", and its words are Japanese), each saved as a
 * screenshot in the test's temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, useBuiltCli, useTempDir } from '../../cli/cli-support.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
/** "A few lines": a row may hold a cause's reasons and a blocker, not a paragraph per word. */
const MAX_ROW_LINES = 6;

useBuiltCli();
const tmp = useTempDir('tpm-doctor-report-browser-');
let browser: Browser;
const LANGUAGES = ['en', 'ja'] as const;
const reports: Record<(typeof LANGUAGES)[number], string> = { en: '', ja: '' };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the report's browser test needs it. Install it with ` +
        '"apt-get install -y chromium" (scripts/install-os-packages.sh --for-tests does it).',
    );
  }
  // Without a Japanese font Chromium draws the Japanese report in boxes, and its layout measures
  // nothing real.
  const japaneseFonts = execFileSync('fc-list', [':lang=ja'], { encoding: 'utf8' });
  if (japaneseFonts.trim() === '') {
    throw new Error(
      'No Japanese font is installed: the Japanese report cannot be laid out. Install one with ' +
        '"apt-get install -y fonts-ipafont-gothic" (scripts/install-os-packages.sh --for-tests does it).',
    );
  }
  for (const language of LANGUAGES) {
    const report = tmp.file(`triage-${language}.html`);
    const triage = await runCli(
      [
        '--lang',
        language,
        'fleet',
        'triage',
        '--tenant',
        'lab',
        '--lab-devices',
        '2000',
        '--no-store',
        '--quiet',
        '--format',
        'html',
        '--out',
        report,
      ],
      { timeoutMs: 180_000 },
    );
    if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
    reports[language] = report;
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 120_000,
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

interface Layout {
  rows: number;
  lineHeight: number;
  tallest: { height: number; text: string };
  overflowing: string[];
  wrappedOneLiners: string[];
  pageWidth: number;
  lang: string;
  heading: string;
}

/** A heading of the report in each language: the words are the chosen language's. */
const HEADINGS = { en: 'What to do, by cause', ja: '原因別の対処' } as const;

describe.each(LANGUAGES)('the HTML triage report (--lang %s) in Chromium at 1400 px', (language) => {
  it('rows a few lines tall at most, no text overflowing its cell, one-line cells on one line', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.goto(pathToFileURL(reports[language]).href);
      // Measured in the page (a string: this test's TypeScript has no DOM types).
      const layout = (await page.evaluate(`(() => {
        const rows = [...document.querySelectorAll('tbody tr')];
        const lineHeight = Number.parseFloat(getComputedStyle(document.querySelector('tbody td')).lineHeight) || 18;
        let tallest = { height: 0, text: '' };
        for (const row of rows) {
          const height = row.getBoundingClientRect().height;
          if (height > tallest.height) tallest = { height, text: (row.textContent || '').slice(0, 200) };
        }
        const cells = [...document.querySelectorAll('tbody td')];
        const overflowing = cells
          .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
          .map((cell) => (cell.textContent || '').slice(0, 80));
        // Device names, users, causes, clear safety and dates: one line each (a break there is
        // mid-word; in Japanese, inside a word such as クリア候補).
        const wrappedOneLiners = [...document.querySelectorAll('tbody .nowrap')]
          .filter((element) => {
            const range = document.createRange();
            range.selectNodeContents(element);
            return range.getClientRects().length > 1;
          })
          .map((element) => element.textContent || '');
        const heading = [...document.querySelectorAll('h2')].map((h) => h.textContent || '').join(' | ');
        return { rows: rows.length, lineHeight, tallest, overflowing, wrappedOneLiners, pageWidth: document.documentElement.scrollWidth, lang: document.documentElement.lang, heading };
      })()`)) as Layout;
      expect(layout.rows).toBeGreaterThan(20);
      expect(layout.tallest.height / layout.lineHeight, layout.tallest.text).toBeLessThanOrEqual(
        MAX_ROW_LINES + 1,
      );
      expect(layout.overflowing).toEqual([]);
      expect(layout.wrappedOneLiners).toEqual([]);
      expect(layout.pageWidth).toBeLessThanOrEqual(1400);
      expect(layout.lang).toBe(language);
      expect(layout.heading).toContain(HEADINGS[language]);
      await page.screenshot({ path: tmp.file(`triage-report-${language}-1400.png`), fullPage: false });
    } finally {
      await page.close();
    }
  });
});
