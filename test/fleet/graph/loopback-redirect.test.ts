/**
 * The browser sign-in's one-shot loopback listener (src/fleet/graph/loopback-redirect.ts), over
 * real HTTP: where it listens, the state it insists on, what it ignores, and that it closes.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenForRedirect, SignInRefusedError } from '../../../src/fleet/graph/loopback-redirect.js';

const STATE = 'state-0123456789abcdef-ghijkl';

/** A GET to the listener with a chosen Host header (fetch would not let a test set it). */
function get(
  port: number,
  path: string,
  host = `localhost:${port}`,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('loopback redirect listener', () => {
  it('listens on 127.0.0.1 only, takes the code with the right state once, and closes', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 600_000 });
    expect(listener.redirectUri).toBe(`http://localhost:${listener.port}`);
    // Not on the machine's other addresses: nothing listens on ::1 at that port either.
    const v6 = await new Promise<string>((resolve) => {
      const socket = connect(listener.port, '::1', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(v6).not.toBe('connected');
    // A favicon or another path is not an answer, and ends nothing.
    expect((await get(listener.port, '/favicon.ico')).status).toBe(404);
    expect((await get(listener.port, `/elsewhere?code=x&state=${STATE}`)).status).toBe(404);
    // A name other than localhost (DNS rebinding) is refused, and ends nothing.
    expect((await get(listener.port, `/?code=x&state=${STATE}`, `rebind.test:${listener.port}`)).status).toBe(
      421,
    );
    const page = await get(listener.port, `/?code=the-code&state=${STATE}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('tpm-doctor is signed in');
    expect(page.body).not.toContain('the-code');
    await expect(listener.response).resolves.toEqual({ code: 'the-code', state: STATE });
    expect(await refusesConnections(listener.port)).toBe(true);
  });

  it('never uses an answer with another state, and keeps waiting for the right one', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 600_000 });
    for (const query of [
      '?code=forged&state=someone-elses-state',
      '?code=forged',
      '?error=access_denied&state=x',
    ]) {
      const page = await get(listener.port, `/${query}`);
      expect(page.status).toBe(400);
      expect(page.body).toContain('was not used');
    }
    expect((await get(listener.port, `/?code=the-code&state=${STATE}`)).status).toBe(200);
    await expect(listener.response).resolves.toEqual({ code: 'the-code', state: STATE });
    expect(await refusesConnections(listener.port)).toBe(true);
  });

  it("passes on the authority's error, escaped in the page", async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 600_000 });
    const description = encodeURIComponent(
      'AADSTS53003: Access has been blocked by Conditional Access <b>policies</b>',
    );
    const page = await get(
      listener.port,
      `/?error=access_denied&error_description=${description}&state=${STATE}`,
    );
    expect(page.status).toBe(400);
    expect(page.body).toContain('&lt;b&gt;policies&lt;/b&gt;');
    await expect(listener.response).rejects.toBeInstanceOf(SignInRefusedError);
    await expect(listener.response).rejects.toThrow(
      'the sign-in was refused: access_denied: AADSTS53003: Access has been blocked by Conditional Access <b>policies</b>',
    );
  });

  it('gives up when nothing comes back in time, and closes', async () => {
    // Nothing ever connects: the outcome is the same however fast the machine is.
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 1 });
    await expect(listener.response).rejects.toThrow(/no sign-in within 0 s: the browser did not come back/);
    expect(await refusesConnections(listener.port)).toBe(true);
  });

  it('close() ends the wait', async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 600_000 });
    listener.close();
    await expect(listener.response).rejects.toThrow(/stopped before the browser came back/);
    expect(await refusesConnections(listener.port)).toBe(true);
  });

  it('refuses a guessable state', async () => {
    await expect(listenForRedirect({ state: 'abc', timeoutMs: 1000 })).rejects.toThrow(RangeError);
  });
});
