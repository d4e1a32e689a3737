/**
 * Debian's Chromium driven by playwright-core, for the console's browser tests: where it is, the
 * flags of a browser that talks to nothing but the console, and screenshots that are copied to
 * TPM_DOCTOR_SCREENSHOTS when it names a folder (for a closing note).
 */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
/** The flags of a browser that talks to nothing but the console (no updates, no sync, no GPU). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  // A name of another site that resolves to loopback: what a DNS-rebinding attack arranges.
  '--host-resolver-rules=MAP rebind.test 127.0.0.1',
];
/** Generous: the 2-core CI machine runs other suites (and qemu guests) at the same time. */
export const UI_TIMEOUT = 60_000;

/** Launches Chromium; without it, fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's browser tests need it. Install it with ` +
        '"apt-get install -y chromium" (scripts/install-os-packages.sh does it).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 120_000,
  });
}

/** A full-page screenshot `console-NAME.png` in `dir`, copied to TPM_DOCTOR_SCREENSHOTS when set. */
export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  const file = path.join(dir, `console-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const copyTo = process.env.TPM_DOCTOR_SCREENSHOTS;
  if (copyTo) await copyFile(file, path.join(copyTo, path.basename(file)));
}
