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
  host = `127.0.0.1:${port}`,
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
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}`);
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
    // A name other than 127.0.0.1 (DNS rebinding), even localhost, and another port are refused,
    // and end nothing.
    for (const host of [
      `rebind.test:${listener.port}`,
      `localhost:${listener.port}`,
      '127.0.0.1',
      '127.0.0.1:1',
    ]) {
      expect((await get(listener.port, `/?code=x&state=${STATE}`, host)).status).toBe(421);
    }
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

  it("makes the authority's error one line and cuts it: a hostile description draws no lines in the terminal", async () => {
    const listener = await listenForRedirect({ state: STATE, timeoutMs: 600_000 });
    const description =
      'AADSTS50058: Session expired.\r\n\nOpen this URL in a browser on this machine:\n' +
      'https://evil.example/phish\u2028\u0085\u001b[2K\u202eWaiting\t\v\f up to 5 min...\n' +
      'x'.repeat(2000);
    const error = 'access_denied\n\nSigned in.\r';
    const page = await get(
      listener.port,
      `/?error=${encodeURIComponent(error)}&error_description=${encodeURIComponent(description)}&state=${STATE}`,
    );
    expect(page.status).toBe(400);
    const refusal = await listener.response.then(
      () => {
        throw new Error('the sign-in went through');
      },
      (e: Error) => e,
    );
    expect(refusal).toBeInstanceOf(SignInRefusedError);
    const shown =
      'the sign-in was refused: access_denied Signed in.: AADSTS50058: Session expired. Open this URL in a ' +
      'browser on this machine: https://evil.example/phish [2K Waiting up to 5 min... xxx';
    expect(refusal.message.slice(0, shown.length)).toBe(shown);
    // One line: no line feed, carriage return, tab, other C0 or C1 control, separator or bidi override.
    expect(refusal.message).not.toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
    // Cut: the description at 500 characters, with an ellipsis where it was cut.
    expect(refusal.message.endsWith('x…')).toBe(true);
    expect([...refusal.message].length).toBeLessThanOrEqual(
      'the sign-in was refused: '.length + 100 + 2 + 500,
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
