/**
 * The browser sign-in (src/fleet/graph/browser-credential.ts) end to end, in this process: MSAL
 * against the lab tenant's authorization code flow served over TLS (a certificate made by
 * openssl), its discovery and token requests through a forward proxy named as HTTPS_PROXY names
 * one, and a real Chromium (playwright-core) that opens the sign-in page, presses "Sign in" and is
 * sent back to the credential's one-shot loopback listener.
 */
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { inspect } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSignInCredential } from '../../../src/fleet/graph/browser-credential.js';
import { SignInRefusedError } from '../../../src/fleet/graph/loopback-redirect.js';
import { proxyEnvironment } from '../../../src/fleet/graph/proxy-environment.js';
import { type FetchLike, proxyFetch } from '../../../src/fleet/graph/proxy-fetch.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { launchChromium } from '../../support/chromium.js';
import {
  type LoopbackForwardProxy,
  startLoopbackForwardProxy,
} from '../../support/loopback-forward-proxy.js';
import { makeLoopbackCertificate, type TestCertificate } from '../../support/test-certificate.js';

const GRAPH = ['https://graph.microsoft.com/.default'];
/** Generous: the 2-core CI machine runs other suites at the same time. */
const UI_TIMEOUT = 60_000;

let certificate: TestCertificate;
let lab: LabTenant;
let proxy: LoopbackForwardProxy;
let browser: Browser;
let context: BrowserContext;
let send: FetchLike;

beforeAll(async () => {
  certificate = await makeLoopbackCertificate();
  // Tokens live 60 s, less than MSAL's 5-minute renewal margin: every later getToken refreshes.
  lab = await startLabTenant({
    devices: 20,
    seed: 7,
    tokenLifetimeMs: 60_000,
    tls: { key: certificate.key, cert: certificate.cert },
  });
  proxy = await startLoopbackForwardProxy();
  send = proxyFetch(proxyEnvironment({ HTTPS_PROXY: proxy.url }), { ca: certificate.cert });
  browser = await launchChromium();
  // Chromium does not know the test's CA; the credential (through `send`) verifies it.
  context = await browser.newContext({ ignoreHTTPSErrors: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await lab?.close();
  await certificate?.dispose();
});

/** Opens the sign-in page in Chromium and presses a button; resolves with the page it ends on. */
async function signInWith(
  url: string,
  button: '#accept' | '#decline',
): Promise<{ url: string; text: string }> {
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  await page.goto(url);
  await page.locator(button).click();
  // Back from the lab (https) to whatever http listener the redirect reached.
  await page.waitForURL(/^http:\/\//);
  const text = (await page.locator('#message').textContent()) ?? '';
  const landed = page.url();
  await page.close();
  return { url: landed, text };
}

describe('browser sign-in against the lab, in Chromium', () => {
  it('signs in through the browser once, then refreshes without it; every request through the proxy', async () => {
    const opened: string[] = [];
    const prompts: { url: string; opened: boolean; redirectUri: string }[] = [];
    let landing: Promise<{ url: string; text: string }> | undefined;
    const credential = await BrowserSignInCredential.create({
      tenantId: lab.tenantId,
      clientId: lab.clientId,
      authorityHost: lab.url,
      fetch: send,
      onPrompt: (prompt) => prompts.push(prompt),
      openBrowser: async (url) => {
        opened.push(url);
        landing = signInWith(url, '#accept');
        return true;
      },
    });
    const first = await credential.getToken(GRAPH);
    const landed = await landing!;
    expect(landed.text).toContain('tpm-doctor is signed in');
    // The authorization request: PKCE S256, a state, the loopback redirect URI, the Graph scope.
    const authorize = new URL(opened[0]!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(
      `${lab.url}/${lab.tenantId}/oauth2/v2.0/authorize`,
    );
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')?.length).toBeGreaterThanOrEqual(43);
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(prompts).toEqual([
      {
        url: opened[0],
        opened: true,
        redirectUri: authorize.searchParams.get('redirect_uri'),
        timeoutMs: 300_000,
      },
    ]);
    // The page the browser ends on carries the code the credential redeemed, nothing else of it.
    expect(new URL(landed.url).searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    // The listener closed after the redirect.
    const port = Number(new URL(prompts[0]!.redirectUri).port);
    await expect(
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (e) => reject(e));
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // Graph takes the token.
    const devices = await send(`${lab.url}/v1.0/deviceManagement/managedDevices?$top=1`, {
      headers: { authorization: `Bearer ${first.token}` },
    });
    expect(devices.status).toBe(200);

    // Later tokens come from the refresh token, with no browser.
    const second = await credential.getToken(GRAPH);
    expect(second.token).not.toBe(first.token);
    expect(opened).toHaveLength(1);
    // The tokens (and MSAL's cache with the refresh token) are in private fields: not shown.
    for (const shown of [inspect(credential, { depth: 20, showHidden: true }), JSON.stringify(credential)]) {
      expect(shown).not.toContain(first.token);
      expect(shown).not.toContain(second.token);
      expect(shown).not.toMatch(/lab-rt\./);
    }
    // Discovery and both token requests went through the proxy's tunnel to the lab.
    expect(proxy.connects.filter((c) => c === new URL(lab.url).host).length).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('another local user listening on [::1] at the same port receives nothing; the sign-in completes', async () => {
    // Browsers try ::1 first for `localhost`, and [::1]:PORT is another address than the
    // listener's 127.0.0.1:PORT, so anyone on the machine can bind it: the redirect URI names
    // 127.0.0.1, and the browser never goes there.
    const received: string[] = [];
    const squatter = createServer((req, res) => {
      received.push(`${req.headers.host} ${req.url}`);
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<p id="message">Sign-in failed, enter your password</p>');
    });
    let landing: Promise<{ url: string; text: string }> | undefined;
    try {
      const credential = await BrowserSignInCredential.create({
        tenantId: lab.tenantId,
        clientId: lab.clientId,
        authorityHost: lab.url,
        fetch: send,
        onPrompt: () => undefined,
        openBrowser: async (url) => {
          const port = Number(new URL(new URL(url).searchParams.get('redirect_uri')!).port);
          await new Promise<void>((resolve, reject) => {
            squatter.once('error', reject).listen(port, '::1', () => resolve());
          });
          landing = signInWith(url, '#accept');
          return true;
        },
      });
      // The squatter's first request ends the test (a sign-in that went there would never complete).
      const caught = new Promise<never>((_, reject) => {
        squatter.once('request', (req) => reject(new Error(`[::1] received ${req.url}`)));
      });
      const token = await Promise.race([credential.getToken(GRAPH), caught]);
      expect(token.token).toMatch(/^lab\./);
      const landed = await landing!;
      expect(landed.text).toContain('tpm-doctor is signed in');
      expect(new URL(landed.url).host).toBe(`127.0.0.1:${(squatter.address() as AddressInfo).port}`);
      expect(received).toEqual([]);
    } finally {
      squatter.close();
    }
  }, 180_000);

  it('cancelling on the sign-in page ends the sign-in as refused', async () => {
    let landing: Promise<{ url: string; text: string }> | undefined;
    const credential = await BrowserSignInCredential.create({
      tenantId: lab.tenantId,
      clientId: lab.clientId,
      authorityHost: lab.url,
      fetch: send,
      onPrompt: () => undefined,
      openBrowser: async (url) => {
        landing = signInWith(url, '#decline');
        return true;
      },
    });
    const refused = credential.getToken(GRAPH);
    await expect(refused).rejects.toBeInstanceOf(SignInRefusedError);
    await expect(refused).rejects.toThrow(/access_denied: AADSTS65004/);
    expect((await landing!).text).toContain('access_denied');
  }, 180_000);
});
