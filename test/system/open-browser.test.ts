/**
 * Which program opens the sign-in URL (src/system/open-browser.ts): none without a graphical
 * session on Linux (over SSH the URL is printed instead), the URL always one argument.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STORE_ENV } from '../../src/fleet/store/open-store.js';
import { browserCommand, openBrowser } from '../../src/system/open-browser.js';

const URL_WITH_AMPERSANDS = 'https://login.microsoftonline.com/t/oauth2/v2.0/authorize?a=1&b=2&state=x';

describe('openBrowser', () => {
  it('starts nothing on Linux without DISPLAY or WAYLAND_DISPLAY (an SSH session)', async () => {
    expect(browserCommand(URL_WITH_AMPERSANDS, {}, 'linux')).toBeNull();
    await expect(openBrowser(URL_WITH_AMPERSANDS, {}, 'linux')).resolves.toBe(false);
  });

  it('uses xdg-open in a graphical session, open on macOS, the URL handler on Windows', () => {
    expect(browserCommand(URL_WITH_AMPERSANDS, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toEqual({
      program: 'xdg-open',
      args: [URL_WITH_AMPERSANDS],
    });
    expect(browserCommand(URL_WITH_AMPERSANDS, {}, 'darwin')).toEqual({
      program: '/usr/bin/open',
      args: [URL_WITH_AMPERSANDS],
    });
    // By full path under SystemRoot (a folder of this Linux machine stands in for it).
    expect(browserCommand(URL_WITH_AMPERSANDS, { SystemRoot: '/nonexistent/Windows' }, 'win32')).toEqual({
      program: '/nonexistent/Windows/System32/rundll32.exe',
      args: ['url.dll,FileProtocolHandler', URL_WITH_AMPERSANDS],
    });
  });

  it('says false when the program is not there', async () => {
    // No rundll32.exe under this SystemRoot: the spawn fails, nothing runs.
    await expect(
      openBrowser(URL_WITH_AMPERSANDS, { SystemRoot: '/nonexistent/Windows' }, 'win32'),
    ).resolves.toBe(false);
  });

  it('hands the browser none of our secrets, the rest of the environment as it is', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-opener-'));
    try {
      // A stand-in for xdg-open that writes down the environment it was given.
      const dump = path.join(dir, 'env');
      await writeFile(
        path.join(dir, 'xdg-open'),
        `#!/bin/sh\nenv > "${dump}.part" && mv "${dump}.part" "${dump}"\n`,
      );
      await chmod(path.join(dir, 'xdg-open'), 0o755);
      const secrets = {
        TPM_DOCTOR_LOCKOUT_AUTH: 'lockout-4711',
        AZURE_CLIENT_SECRET: 'client-secret-4711',
        AZURE_CLIENT_CERTIFICATE_PASSWORD: 'cert-password-4711',
        AZURE_PASSWORD: 'password-4711',
        [STORE_ENV]: 'postgres://u:store-password-4711@127.0.0.1/db',
        PGPASSWORD: 'pg-password-4711',
        pgpassword: 'pg-lower-4711',
      };
      const env = { PATH: `${dir}:/usr/bin:/bin`, DISPLAY: ':0', KEEP_ME: 'kept', ...secrets };
      await expect(openBrowser(URL_WITH_AMPERSANDS, env, 'linux')).resolves.toBe(true);
      // The opener runs detached: wait for what it wrote (a state, not a time).
      while (!existsSync(dump)) await new Promise((r) => setTimeout(r, 50));
      const seen = await readFile(dump, 'utf8');
      expect(seen).toContain('KEEP_ME=kept');
      expect(seen).toContain(`DISPLAY=:0`);
      for (const value of Object.values(secrets)) expect(seen).not.toContain(value);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('opens https URLs only', () => {
    expect(() => browserCommand('file:///etc/passwd', {}, 'darwin')).toThrow(RangeError);
  });
});
