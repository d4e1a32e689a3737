/**
 * `tpm-doctor console` as an admin runs it: the built CLI against a lab triage stored by
 * `fleet triage`, its refusals of a non-loopback address and bad ports, and a clean end on
 * SIGINT and SIGTERM.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeviceListResponse, FleetResponse } from '../../src/console/api-types.js';
import { SqliteFleetStore } from '../../src/fleet/store/sqlite-store.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { request, signIn } from './console-http.js';
import { startConsoleCli, useBuiltConsole } from './console-support.js';

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-cli-');
const LAB = ['--tenant', 'lab', '--lab-devices', '400', '--lab-seed', '11'];

/** A store with nothing in it yet (a named store must exist: the console never creates one). */
async function emptyStore(name: string): Promise<string> {
  const file = tmp.file(name);
  await (await SqliteFleetStore.open(file)).close();
  return `sqlite:${file}`;
}

describe('tpm-doctor console', () => {
  it('serves the lab triage fleet triage stored, marked LAB, and stops cleanly on SIGINT', async () => {
    const store = `sqlite:${tmp.file('fleet.sqlite')}`;
    const triage = await runCli(
      ['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'json'],
      {
        timeoutMs: 120_000,
      },
    );
    expect(triage.code, triage.stderr).toBe(0);
    const stored = JSON.parse(triage.stdout) as { summary: { byClass: Record<string, number> } };

    const running = await startConsoleCli([...LAB, '--store', store]);
    try {
      const { stdout } = running.output();
      expect(stdout).toContain('LAB TENANT — simulated devices');
      expect(stdout).toContain('LAB tenant in-process (400 simulated devices, seed 11)');
      expect(running.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const cookie = await signIn(running.signInUrl);
      const fleet = JSON.parse(
        (await request(running.origin, '/api/fleet', { cookie })).body,
      ) as FleetResponse;
      expect(fleet.lab).toBe(true);
      expect(fleet.figures?.devices).toBe(400);
      expect(fleet.figures?.byClass).toEqual(expect.objectContaining(stored.summary.byClass));
      // The store keeps the devices that need something (fleet triage does not store healthy ones).
      const all = JSON.parse(
        (await request(running.origin, '/api/fleet/devices', { cookie })).body,
      ) as DeviceListResponse;
      expect(all.total).toBe(400 - (stored.summary.byClass.healthy ?? 0));
      expect(all.total).toBeGreaterThan(0);
      const page = await request(running.origin, '/', { cookie });
      expect(page.body).toContain('LAB TENANT — simulated devices');
      expect(page.body).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
    } finally {
      const end = await running.stop('SIGINT');
      expect(end).toEqual({ code: 0, signal: null });
      expect(running.output().stdout).toContain('Console stopped.');
      expect(running.output().stderr).toBe('');
    }
  }, 240_000);

  it('stops cleanly on SIGTERM too, and listens on ::1 when asked', async () => {
    const store = await emptyStore('empty.sqlite');
    const running = await startConsoleCli([...LAB, '--store', store, '--host', '::1']);
    expect(running.origin).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const cookie = await signIn(running.signInUrl);
    const fleet = JSON.parse((await request(running.origin, '/api/fleet', { cookie })).body) as FleetResponse;
    expect(fleet.run).toBeNull();
    expect(fleet.message).toContain('tpm-doctor fleet triage');
    expect(await running.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('refuses any address but loopback, bad ports, a port in use and a missing store', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'localhost', 'example.com', '127.0.0.2']) {
      const r = await runCli(['console', ...LAB, '--host', host]);
      expect(r.code, host).toBe(2);
      expect(r.stderr).toContain('--host must be a loopback address');
      expect(r.stdout).not.toContain('sign-in');
    }
    for (const port of ['70000', '-1', 'abc', '1.5']) {
      const r = await runCli(['console', ...LAB, '--port', port]);
      expect(r.code, port).toBe(2);
    }
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await runCli(
        ['console', ...LAB, '--store', await emptyStore('empty2.sqlite'), '--port', String(port)],
        {
          timeoutMs: 120_000,
        },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1 port ${port} (in use)`);
    } finally {
      busy.close();
    }
    const missing = await runCli(['console', ...LAB, '--store', `sqlite:${tmp.file('nope/none.sqlite')}`]);
    expect(missing.code).toBe(15);
  }, 240_000);

  it('a store that is not there yet names the triage that makes it (which then works); a file that is no store is said to be none; both exit 15', async () => {
    const file = tmp.file('first use/fleet.sqlite');
    const first = await runCli(['console', ...LAB, '--store', `sqlite:${file}`]);
    expect(first.code).toBe(15);
    expect(first.stderr).toContain(`no fleet store at ${file} yet`);
    const advice = first.stderr.split('\n').find((l) => l.trim().startsWith('tpm-doctor fleet triage'));
    expect(advice).toBe(`  tpm-doctor fleet triage --store 'sqlite:${file}' --tenant lab`);
    expect(existsSync(file)).toBe(false);
    // The advice as an admin would paste it (the quotes are the shell's), then the console again.
    const triage = await runCli(
      ['fleet', 'triage', '--store', `sqlite:${file}`, ...LAB, '--quiet', '--format', 'csv'],
      {
        timeoutMs: 120_000,
      },
    );
    expect(triage.code, triage.stderr).toBe(0);
    const running = await startConsoleCli([...LAB, '--store', `sqlite:${file}`]);
    try {
      const cookie = await signIn(running.signInUrl);
      const fleet = JSON.parse(
        (await request(running.origin, '/api/fleet', { cookie })).body,
      ) as FleetResponse;
      expect(fleet.figures?.devices).toBe(400);
      // The store made unreadable under the running console: the admin's words, naming the store.
      await writeFile(file, 'not a database');
      await rm(`${file}-wal`, { force: true });
      await rm(`${file}-shm`, { force: true });
      const broken = await request(running.origin, '/api/campaigns', { cookie });
      expect(broken.status).toBe(500);
      expect((JSON.parse(broken.body) as { error: string }).error).toBe(
        `The fleet store sqlite:${file} could not be read: check it (the console's terminal says why), then reload this page.`,
      );
      // The terminal's line, written as the answer went out: waited for, not assumed.
      await expect
        .poll(() => running.output().stderr, { timeout: 60_000 })
        .toContain(`the fleet store sqlite:${file}: `);
    } finally {
      expect((await running.stop('SIGINT')).code).toBe(0);
    }
    const garbage = tmp.file('garbage.sqlite');
    await writeFile(garbage, 'this is not a SQLite file '.repeat(40));
    const refused = await runCli(['console', ...LAB, '--store', `sqlite:${garbage}`]);
    expect(refused.code).toBe(15);
    expect(refused.stderr).toContain(`${garbage} is not a fleet store tpm-doctor can read`);
    expect(refused.stderr).not.toContain('can be created');
  }, 300_000);

  it('a second browser signs in with a link typed for in the terminal; sign-out ends one session; an old cookie after a restart is told the console restarted', async () => {
    const help = await runCli(['console', '--help']);
    expect(help.stdout).toContain('[--lang ja|en]');
    expect(help.stdout).toMatch(/type "link" and Enter/);
    const store = await emptyStore('sessions.sqlite');
    const first = await startConsoleCli([...LAB, '--store', store], {}, { stdin: true });
    const port = new URL(first.origin).port;
    const cookieA = await signIn(first.signInUrl);
    expect(first.output().stdout).toContain('type "link" and press Enter here');
    first.child.stdin!.write('link\n');
    const secondLink = await new Promise<string>((resolve) => {
      const look = () => {
        const links = [...first.output().stdout.matchAll(/(http:\/\/\S+\/sign-in\?token=\S+)/g)];
        if (links.length >= 2) resolve(links[1]![1]!);
        else first.child.stdout!.once('data', look);
      };
      look();
    });
    expect(secondLink).not.toBe(first.signInUrl);
    const cookieB = await signIn(secondLink);
    expect(cookieB).not.toBe(cookieA);
    const used = await request(first.origin, new URL(secondLink).pathname + new URL(secondLink).search, {
      cookie: '',
    });
    expect(used.status).toBe(403);
    expect(used.body).toContain('type &quot;link&quot; and press Enter');
    for (const cookie of [cookieA, cookieB])
      expect((await request(first.origin, '/api/fleet', { cookie })).status).toBe(200);
    // Sign-out ends this session only, and clears the cookie.
    const out = await request(first.origin, '/api/sign-out', {
      method: 'POST',
      cookie: cookieA,
      headers: { origin: first.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']?.[0]).toContain('Max-Age=0');
    const afterOut = await request(first.origin, '/api/fleet', { cookie: cookieA });
    expect(afterOut.status).toBe(401);
    expect(afterOut.body).toContain('Not signed in');
    expect((await request(first.origin, '/api/fleet', { cookie: cookieB })).status).toBe(200);
    expect((await first.stop('SIGINT')).code).toBe(0);

    // The same port, a new run: B's cookie is from the earlier run.
    const second = await startConsoleCli([...LAB, '--store', store, '--port', port]);
    try {
      const page = await request(second.origin, '/', { cookie: cookieB });
      expect(page.status).toBe(401);
      expect(page.body).toContain('The console restarted');
      expect(page.body).toContain('new sign-in link');
      const api = await request(second.origin, '/api/fleet', { cookie: cookieB });
      expect(api.status).toBe(401);
      expect(api.body).toContain('The console restarted');
      // No cookie at all is still the plain sign-in page.
      expect((await request(second.origin, '/', { cookie: '' })).body).not.toContain('restarted');
    } finally {
      expect((await second.stop('SIGTERM')).code).toBe(0);
    }
  }, 240_000);

  it('--open hands the browser a private file, never the token on a command line, nor a secret', async () => {
    // A stand-in for xdg-open that records its arguments and the file it was given.
    const bin = tmp.file('bin');
    await mkdir(bin, { recursive: true });
    const opener = path.join(bin, 'xdg-open');
    await writeFile(
      opener,
      `#!/bin/sh\nprintf '%s\\n' "$@" > "${tmp.file('opener-args')}"\ncat "$1" > "${tmp.file('opened-file')}"\nenv > "${tmp.file('opener-env')}"\nls -ld "$(dirname "$1")" "$1" > "${tmp.file('opened-modes')}"\n`,
    );
    await chmod(opener, 0o755);
    const running = await startConsoleCli([...LAB, '--store', await emptyStore('open.sqlite'), '--open'], {
      PATH: `${bin}:${process.env.PATH}`,
      TPM_DOCTOR_LOCKOUT_AUTH: 'zz-lockout-4711',
      AZURE_CLIENT_SECRET: 'zz-client-secret-4711',
    });
    try {
      const token = new URL(running.signInUrl).searchParams.get('token')!;
      // The opener ran once the link was printed; wait for what it recorded (a state, not a time).
      for (let i = 0; i < 600 && !existsSync(tmp.file('opened-modes')); i++)
        await new Promise((r) => setTimeout(r, 100));
      const args = await readFile(tmp.file('opener-args'), 'utf8');
      expect(args).not.toContain(token);
      expect(args.trim()).toMatch(/tpm-doctor-console-.+\/sign-in\.html$/);
      expect(await readFile(tmp.file('opened-file'), 'utf8')).toContain(`url=${running.signInUrl}`);
      const modes = await readFile(tmp.file('opened-modes'), 'utf8');
      expect(modes).toMatch(/^drwx------ /m);
      expect(modes).toMatch(/^-rw------- /m);
      // The browser's process tree gets none of the console's secrets (src/system/browser-environment.ts).
      const openerEnv = await readFile(tmp.file('opener-env'), 'utf8');
      expect(openerEnv).toContain(`PATH=${bin}:`);
      expect(openerEnv).not.toContain('zz-lockout-4711');
      expect(openerEnv).not.toContain('zz-client-secret-4711');
      expect(await running.stop('SIGINT')).toEqual({ code: 0, signal: null });
      expect(existsSync(path.dirname(args.trim()))).toBe(false);
    } finally {
      await running.stop('SIGKILL');
    }
  }, 180_000);
});
