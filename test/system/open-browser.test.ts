/**
 * Which program opens the sign-in URL (src/system/open-browser.ts): none without a graphical
 * session on Linux (over SSH the URL is printed instead), the URL always one argument.
 */
import { describe, expect, it } from 'vitest';
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

  it('opens https URLs only', () => {
    expect(() => browserCommand('file:///etc/passwd', {}, 'darwin')).toThrow(RangeError);
  });
});
