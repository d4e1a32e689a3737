/**
 * The lab's authorization code flow (src/lab/tenant/delegated-sign-in.ts) over HTTP, with plain
 * fetch as a client that does each step by hand: the authorize page, the form's answer, the code's
 * redemption with its PKCE verifier, refusals in Entra ID's shapes, and the refresh token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { graph } from './lab-http.js';

const SCOPE = 'https://graph.microsoft.com/.default openid profile offline_access';
/** What tpm-doctor sends (src/fleet/graph/loopback-redirect.ts): the IP literal, any port. */
const REDIRECT = 'http://127.0.0.1:53682';

let lab: LabTenant;
beforeAll(async () => {
  lab = await startLabTenant({ devices: 20, seed: 5 });
});
afterAll(() => lab.close());

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(overrides: Record<string, string | null> = {}, challenge = pkce().challenge): string {
  const params: Record<string, string | null> = {
    client_id: lab.clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: SCOPE,
    state: 'state-0123456789abcdef',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const url = new URL(`${lab.url}/${lab.tenantId}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.href;
}

/** The authorize page's hidden request id, then the form's answer: where the lab redirects. */
async function consent(url: string, decision = 'accept'): Promise<URL> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const html = await page.text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  expect(request).toBeDefined();
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: request!, decision }),
    redirect: 'manual',
  });
  expect(answer.status).toBe(302);
  return new URL(answer.headers.get('location')!);
}

function redeem(fields: Record<string, string>): Promise<Response> {
  return fetch(lab.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

describe('lab tenant: delegated sign-in (authorization code + PKCE)', () => {
  it('publishes its OpenID configuration under the tenant', async () => {
    const r = await fetch(`${lab.url}/${lab.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      issuer: `${lab.url}/${lab.tenantId}/v2.0`,
      authorization_endpoint: `${lab.url}/${lab.tenantId}/oauth2/v2.0/authorize`,
      token_endpoint: lab.tokenUrl,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('redirects with a code and the state, redeems it once with the verifier, and Graph takes the token', async () => {
    const { verifier, challenge } = pkce();
    const back = await consent(authorizeUrl({}, challenge));
    expect(`${back.origin}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('state-0123456789abcdef');
    const code = back.searchParams.get('code')!;
    const fields = {
      grant_type: 'authorization_code',
      client_id: lab.clientId,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      scope: SCOPE,
    };
    const r = await redeem(fields);
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, string>;
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'https://graph.microsoft.com/.default' });
    const claims = JSON.parse(Buffer.from(body.id_token!.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      aud: lab.clientId,
      tid: lab.tenantId,
      iss: `${lab.url}/${lab.tenantId}/v2.0`,
    });
    expect(JSON.parse(Buffer.from(body.client_info!, 'base64url').toString())).toEqual({
      uid: claims.oid,
      utid: lab.tenantId,
    });
    expect(
      (await graph(lab, body.access_token!, '/v1.0/deviceManagement/managedDevices?$top=1')).status,
    ).toBe(200);

    // A code is good once.
    const again = await redeem(fields);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });

    // The refresh token gives a new access token without the browser.
    const refreshed = await redeem({
      grant_type: 'refresh_token',
      client_id: lab.clientId,
      refresh_token: body.refresh_token!,
      scope: SCOPE,
    });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as Record<string, string>;
    expect(next.access_token).not.toBe(body.access_token);
    expect(
      (await graph(lab, next.access_token!, '/v1.0/deviceManagement/managedDevices?$top=1')).status,
    ).toBe(200);
  });

  it('refuses a wrong verifier and another redirect URI at the token endpoint', async () => {
    for (const [change, code] of [
      [{ code_verifier: pkce().verifier }, 501481],
      [{ redirect_uri: 'http://127.0.0.1:1' }, 50011],
      [{ redirect_uri: 'http://localhost:53682' }, 50011],
    ] as const) {
      const { verifier, challenge } = pkce();
      const back = await consent(authorizeUrl({}, challenge));
      const r = await redeem({
        grant_type: 'authorization_code',
        client_id: lab.clientId,
        code: back.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        scope: SCOPE,
        ...change,
      });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: 'invalid_grant', error_codes: [code] });
    }
  });

  it('shows a refusal page, never redirecting, for an unknown app or a redirect URI off loopback', async () => {
    for (const [overrides, text] of [
      [{ client_id: '11111111-1111-1111-1111-111111111111' }, 'AADSTS700016'],
      [{ redirect_uri: 'https://evil.example/callback' }, 'AADSTS50011'],
      [{ redirect_uri: 'http://192.168.1.5:8080/' }, 'AADSTS50011'],
      [{ redirect_uri: 'http://localhost.evil.example:8080/' }, 'AADSTS50011'],
      [{ redirect_uri: 'http://127.0.0.1.evil.example:8080/' }, 'AADSTS50011'],
      // Entra ID does not support the IPv6 loopback address in redirect URIs.
      [{ redirect_uri: 'http://[::1]:8080/' }, 'AADSTS50011'],
    ] as const) {
      const r = await fetch(authorizeUrl(overrides), { redirect: 'manual' });
      expect(r.status).toBe(400);
      expect(await r.text()).toContain(text);
    }
  });

  it('sends the app an error (with its state) without PKCE S256, a state, or a Graph scope', async () => {
    for (const [overrides, error] of [
      [{ code_challenge: null }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ state: null }, 'invalid_request'],
      [{ scope: 'openid https://management.azure.com/.default' }, 'invalid_scope'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
    ] as const) {
      const r = await fetch(authorizeUrl(overrides), { redirect: 'manual' });
      expect(r.status).toBe(302);
      const back = new URL(r.headers.get('location')!);
      expect(back.origin).toBe(REDIRECT);
      expect(back.searchParams.get('error')).toBe(error);
      expect(back.searchParams.has('code')).toBe(false);
    }
  });

  it('cancelling sends access_denied; a page answered twice gives no second code', async () => {
    const url = authorizeUrl();
    const page = await (await fetch(url)).text();
    const request = /name="request" value="([^"]+)"/.exec(page)![1]!;
    const post = (decision: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ request, decision }),
        redirect: 'manual',
      });
    const declined = await post('decline');
    expect(new URL(declined.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    const replay = await post('accept');
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
  });
});
