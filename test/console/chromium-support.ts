/**
 * Debian's Chromium driven by playwright-core, for the console's browser tests: the shared launch
 * (test/support/chromium.ts) with a rebinding name, and screenshots that are copied to
 * TPM_DOCTOR_SCREENSHOTS when it names a folder (for a closing note).
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium as launchBrowser } from '../support/chromium.js';
import { rememberSecret } from './console-http.js';

/** Generous: the 2-core CI machine runs other suites (and qemu guests) at the same time. */
export const UI_TIMEOUT = 60_000;

/**
 * Chromium as every browser test launches it, plus a name of another site that resolves to
 * loopback: what a DNS-rebinding attack arranges.
 */
export function launchChromium(): Promise<Browser> {
  return launchBrowser(['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
}

/** A full-page screenshot `console-NAME.png` in `dir`, copied to TPM_DOCTOR_SCREENSHOTS when set. */
export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  const file = path.join(dir, `console-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const copyTo = process.env.TPM_DOCTOR_SCREENSHOTS;
  if (copyTo) await copyFile(file, path.join(copyTo, path.basename(file)));
}

/**
 * The session a signed-in page holds, for a test's own requests: its cookie ("name=value"), with
 * the header secret the page keeps in localStorage remembered for it (console-http.ts).
 */
export async function sessionOfPage(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  const cookie = `tpm_doctor_console=${cookies.find((c) => c.name === 'tpm_doctor_console')!.value}`;
  const secret = await page.evaluate<string | null>("localStorage.getItem('tpm-doctor-session')");
  if (secret === null) throw new Error('the page holds no session secret');
  rememberSecret(cookie, secret);
  return cookie;
}
