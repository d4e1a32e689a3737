/** The tenant's own id after sign-in: the access token's `tid`, learnt without an extra token request. */
import { describe, expect, it } from 'vitest';
import { accessTokenTenantId } from '../../../src/fleet/graph/access-token-tenant.js';
import { TenantIdentifyingCredential } from '../../../src/fleet/graph/tenant-identifying-credential.js';
import type { AccessToken, TokenCredential } from '../../../src/fleet/graph/token-credential.js';

const TID = '72F988BF-86F1-41AF-91AB-2D7CD011DB47';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'RS256' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('accessTokenTenantId', () => {
  it('reads the tid claim of an Entra ID access token, lower-cased', () => {
    expect(accessTokenTenantId(jwt({ aud: 'https://graph.microsoft.com', tid: TID }))).toBe(
      TID.toLowerCase(),
    );
  });
  it('a token that is not a readable JWT, or a tid that is not a GUID, names no tenant', () => {
    expect(accessTokenTenantId('lab.opaque-token')).toBeUndefined();
    expect(accessTokenTenantId('a.b.c')).toBeUndefined();
    expect(accessTokenTenantId(jwt({ aud: 'x' }))).toBeUndefined();
    expect(accessTokenTenantId(jwt({ tid: 'contoso.onmicrosoft.com' }))).toBeUndefined();
    expect(accessTokenTenantId(jwt({ tid: 42 }))).toBeUndefined();
  });
});

class CountingCredential implements TokenCredential {
  calls = 0;
  constructor(private readonly expiresInMs: number) {}
  async getToken(): Promise<AccessToken> {
    this.calls++;
    return { token: jwt({ tid: TID, n: this.calls }), expiresOnTimestamp: Date.now() + this.expiresInMs };
  }
}

describe('TenantIdentifyingCredential', () => {
  it('signs in once and hands that token to the first request: no extra token request', async () => {
    const inner = new CountingCredential(3_600_000);
    const credential = new TenantIdentifyingCredential(inner);
    expect(await credential.signIn(['https://graph.microsoft.com/.default'])).toBe(TID.toLowerCase());
    const first = await credential.getToken(['https://graph.microsoft.com/.default']);
    expect(inner.calls).toBe(1);
    const second = await credential.getToken(['https://graph.microsoft.com/.default']);
    expect(inner.calls).toBe(2);
    expect(second?.token).not.toBe(first?.token);
  });
  it('a sign-in token about to expire is not handed on', async () => {
    const inner = new CountingCredential(60_000);
    const credential = new TenantIdentifyingCredential(inner);
    await credential.signIn(['s']);
    await credential.getToken(['s']);
    expect(inner.calls).toBe(2);
  });
  it('a credential that returns no token fails the sign-in', async () => {
    const credential = new TenantIdentifyingCredential({ getToken: async () => null });
    await expect(credential.signIn(['s'])).rejects.toThrow(/no access token/);
  });
});
