/**
 * Debian's Chromium for tests that need a real browser, driven by playwright-core, with the flags
 * of a browser that talks only to what the test serves (no updates, no sync, no GPU): as
 * every browser test launches it (the console's add a loopback name: test/console/chromium-support.ts).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Launches Chromium with those flags and `extraArgs`; without it, fails saying how to install it. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it. Install it with ` +
        '"apt-get install -y chromium" (scripts/install-os-packages.sh does it).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraArgs],
    timeout: 120_000,
  });
}
