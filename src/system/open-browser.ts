import { spawn } from 'node:child_process';
import { browserEnvironment } from './browser-environment.js';
import { joinUnder, windowsSystemDirectory } from './windows-system-directory.js';

/**
 * Opens `url` in the user's default browser, without waiting for it, and says whether a browser
 * could be started at all. The URL is one argument of a program started without a shell, so
 * nothing in it is interpreted (a `cmd /c start` would read `&` as a command separator).
 *
 * - Windows: `rundll32.exe url.dll,FileProtocolHandler URL`, the shell's handler for a URL, by its
 *   full path under %SystemRoot% (windows-system-directory.ts), never through PATH.
 * - macOS: `/usr/bin/open URL` (open(1)).
 * - Linux and the BSDs: `xdg-open URL` (freedesktop.org xdg-utils), only in a graphical session
 *   (DISPLAY or WAYLAND_DISPLAY set): over SSH there is no browser to open, and a text browser
 *   started in the same terminal would fight the command for it. Found through PATH: where
 *   xdg-utils lives differs between distributions, and the user's own session chooses it.
 *
 * `false` means no browser was started: the caller shows the URL for the user to open elsewhere
 * (it shows it in any case: a browser may start and still not come to the front).
 *
 * The URL is a command-line argument of the program started here and, on Linux and macOS, of the
 * browser it starts (xdg-open and open(1) pass it on), which other local users can read (ps,
 * /proc/PID/cmdline); Windows lets only administrators read another user's. A sign-in URL there
 * carries its state, but no secret that redeems a code (the PKCE verifier stays in the caller):
 * the residual risk is described in docs/graph-auth.md, "What it does not protect against".
 */
export function openBrowser(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<boolean> {
  const command = browserCommand(url, env, platform);
  if (command === null) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(command.program, command.args, {
      stdio: 'ignore',
      detached: true,
      windowsHide: true,
      shell: false,
      // No secret of ours goes to the browser's process tree (browser-environment.ts).
      env: browserEnvironment(env),
    });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/** The program that opens a URL here, or null where none should be started (no graphical session). */
export function browserCommand(
  url: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): { program: string; args: string[] } | null {
  if (!/^https:\/\//.test(url)) throw new RangeError('openBrowser opens https URLs only');
  switch (platform) {
    case 'win32':
      return {
        program: joinUnder(windowsSystemDirectory(env), 'rundll32.exe'),
        args: ['url.dll,FileProtocolHandler', url],
      };
    case 'darwin':
      return { program: '/usr/bin/open', args: [url] };
    default:
      return env.DISPLAY || env.WAYLAND_DISPLAY ? { program: 'xdg-open', args: [url] } : null;
  }
}
