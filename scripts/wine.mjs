// Running Windows binaries (node.exe, tpm-doctor.exe) under Wine, for the executable build
// (scripts/build-exe.mjs) and the tests of the Windows executable (test/windows-exe/).
// Debian's wine64 package puts its loader at /usr/lib/wine/wine64, off PATH.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CANDIDATES = [
  '/usr/lib/wine/wine64',
  '/usr/lib/x86_64-linux-gnu/wine/wine64',
  '/usr/bin/wine64',
  '/usr/bin/wine',
];

/** The Wine loader, or undefined when Wine is not installed. */
export function findWine() {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    for (const name of ['wine64', 'wine']) {
      if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
    }
  }
  return CANDIDATES.find((file) => existsSync(file));
}

/**
 * The environment of every Wine run: a private prefix, no debug channels (they go to stderr) and
 * no Mono/Gecko installers (WINEDLLOVERRIDES), which a fresh prefix would otherwise offer.
 */
export function wineEnv(prefix) {
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  // Options for this Linux node (a test runner's loader, say) mean nothing to node.exe.
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Creates the prefix once and reports Windows 10 (Node refuses Wine's default Windows version).
 * A marker file says the prefix is complete, so an interrupted creation is redone.
 */
export function prepareWinePrefix(wine, prefix) {
  const marker = path.join(prefix, '.tpm-doctor-win10');
  if (existsSync(marker)) return;
  rmSync(prefix, { recursive: true, force: true });
  const env = wineEnv(prefix);
  for (const args of [
    ['wineboot', '--init'],
    ['winecfg', '-v', 'win10'],
  ]) {
    const r = spawnSync(wine, args, { env, stdio: 'ignore', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`wine ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error})`);
  }
  // wineboot returns before wineserver has written the registry files.
  spawnSync(wineServer(wine), ['-w'], { env, stdio: 'ignore', timeout: 180_000 });
  writeFileSync(marker, '');
}

/**
 * Runs a Windows program and waits for it. Standard output and error go to files: under Wine,
 * Node's stdout on a pipe fails with EBADF at the first write.
 */
export function runUnderWine(wine, prefix, exe, args, { cwd, timeout = 120_000, env = {} } = {}) {
  const scratch = mkdtempSync(path.join(prefix, '..', 'wine-run-'));
  const outFile = path.join(scratch, 'stdout');
  const errFile = path.join(scratch, 'stderr');
  const stdout = openSync(outFile, 'w');
  const stderr = openSync(errFile, 'w');
  try {
    const r = spawnSync(wine, [exe, ...args], {
      cwd,
      env: withoutUnset({ ...wineEnv(prefix), ...env }),
      stdio: ['ignore', stdout, stderr],
      timeout,
    });
    return {
      status: r.status,
      signal: r.signal,
      stdout: readFileSync(outFile, 'utf8'),
      stderr: readFileSync(errFile, 'utf8'),
    };
  } finally {
    closeSync(stdout);
    closeSync(stderr);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Ends the wineserver of this prefix (and the Windows processes it still runs). */
export function stopWine(wine, prefix) {
  spawnSync(wineServer(wine), ['-k'], { env: wineEnv(prefix), stdio: 'ignore', timeout: 60_000 });
}

function wineServer(wine) {
  const beside = path.join(path.dirname(wine), 'wineserver');
  return existsSync(beside) ? beside : 'wineserver';
}

/** An environment where a variable set to undefined is left out. */
function withoutUnset(env) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}
