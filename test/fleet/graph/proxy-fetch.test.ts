/**
 * proxy-fetch.ts through a real forward proxy on loopback (test/support/loopback-forward-proxy.ts):
 * https through a CONNECT tunnel with TLS verified end to end (a certificate made with openssl
 * for 127.0.0.1), http in absolute form, NO_PROXY around it, and a refused tunnel.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyEnvironment } from '../../../src/fleet/graph/proxy-environment.js';
import { PROXY_CONNECT_REFUSED, proxyFetch } from '../../../src/fleet/graph/proxy-fetch.js';
import {
  type LoopbackForwardProxy,
  startLoopbackForwardProxy,
} from '../../support/loopback-forward-proxy.js';
import { makeLoopbackCertificate, type TestCertificate } from '../../support/test-certificate.js';

let certificate: TestCertificate | undefined;
let cert: string;
let httpsServer: Server;
let httpServer: Server;
let httpsUrl: string;
let httpUrl: string;
let proxy: LoopbackForwardProxy;
let refusing: LoopbackForwardProxy;
const seen: Array<{ method: string; url: string; authorization: string | undefined; body: string }> = [];

function handler(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  let body = '';
  req.setEncoding('utf8').on('data', (d: string) => {
    body += d;
  });
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body,
    });
    if (req.url === '/redirect') {
      res.writeHead(302, { Location: 'https://elsewhere.example/' }).end();
      return;
    }
    if (req.url === '/empty') {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Request-Id': 'r-1' });
    res.end(JSON.stringify({ path: req.url, method: req.method }));
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  certificate = await makeLoopbackCertificate();
  cert = certificate.cert;
  httpsServer = createHttpsServer({ key: certificate.key, cert }, handler);
  httpsUrl = `https://127.0.0.1:${await listen(httpsServer)}`;
  httpServer = createHttpServer(handler);
  httpUrl = `http://127.0.0.1:${await listen(httpServer)}`;
  proxy = await startLoopbackForwardProxy();
  refusing = await startLoopbackForwardProxy({ refuseConnect: true });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await refusing?.close();
  httpsServer?.closeAllConnections();
  httpServer?.closeAllConnections();
  await new Promise((resolve) => httpsServer?.close(resolve));
  await new Promise((resolve) => httpServer?.close(resolve));
  await certificate?.dispose();
});

describe('proxyFetch', () => {
  it('https goes through one CONNECT tunnel, kept alive for the next request, with TLS verified to the server', async () => {
    const send = proxyFetch(proxyEnvironment({ HTTPS_PROXY: `http://u:secret@${proxy.url.slice(7)}` }), {
      ca: cert,
    });
    const before = proxy.connects.length;
    const first = await send(`${httpsUrl}/v1.0/deviceManagement/managedDevices?$top=1`, {
      method: 'POST',
      headers: { Authorization: 'Bearer token-1', 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('request-id')).toBe('r-1');
    expect(await first.json()).toEqual({
      path: '/v1.0/deviceManagement/managedDevices?$top=1',
      method: 'POST',
    });
    expect(seen.at(-1)).toMatchObject({ authorization: 'Bearer token-1', body: '{"a":1}' });
    const second = await send(`${httpsUrl}/empty`);
    expect(second.status).toBe(204);
    expect(await second.text()).toBe('');
    const port = new URL(httpsUrl).port;
    // The proxy saw where to, never a path, a token or a body.
    expect(proxy.connects.slice(before)).toEqual([`127.0.0.1:${port}`]);
    expect(proxy.authorizations.at(-1)).toBe(`Basic ${Buffer.from('u:secret').toString('base64')}`);
  });

  it('without the server certificate trusted, the tunnel is no way around TLS verification', async () => {
    const send = proxyFetch(proxyEnvironment({ HTTPS_PROXY: proxy.url }));
    const error = await send(`${httpsUrl}/x`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code?: string }).code).toMatch(
      /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/,
    );
  });

  it('http goes to the proxy in absolute form; NO_PROXY sends it straight to the server', async () => {
    const send = proxyFetch(proxyEnvironment({ HTTP_PROXY: proxy.url }));
    const before = proxy.forwarded.length;
    const answer = await send(`${httpUrl}/lab/info?x=1`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ path: '/lab/info?x=1', method: 'GET' });
    expect(proxy.forwarded.slice(before)).toEqual([`GET ${httpUrl}/lab/info?x=1`]);

    const direct = proxyFetch(proxyEnvironment({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }));
    const after = proxy.forwarded.length;
    expect((await direct(`${httpUrl}/direct`)).status).toBe(200);
    expect(seen.at(-1)?.url).toBe('/direct');
    expect(proxy.forwarded.length).toBe(after);
  });

  it('a refused tunnel is an error that says the request never left (ERR_PROXY_CONNECT)', async () => {
    const send = proxyFetch(proxyEnvironment({ HTTPS_PROXY: refusing.url }), { ca: cert });
    const error = await send(`${httpsUrl}/x`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    const cause = (error as Error).cause as Error & { code?: string };
    expect(cause.code).toBe(PROXY_CONNECT_REFUSED);
    expect(cause.message).toContain('HTTPS_PROXY');
    expect(cause.message).toContain('HTTP 403');
  });

  it("redirect: 'error' refuses a redirect, as fetch does; an aborted request rejects with the signal's reason", async () => {
    const send = proxyFetch(proxyEnvironment({ HTTPS_PROXY: proxy.url }), { ca: cert });
    await expect(send(`${httpsUrl}/redirect`, { redirect: 'error' })).rejects.toThrow(TypeError);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(send(`${httpsUrl}/x`, { signal: controller.signal })).rejects.toThrow('stop');
  });
});
