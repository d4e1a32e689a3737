import { TOKEN_REFRESH_MARGIN_MS } from './access-token-cache.js';
import { accessTokenTenantId } from './access-token-tenant.js';
import type { AccessToken, TokenCredential } from './token-credential.js';

/**
 * A credential that signs in once up front to learn which tenant it is in (the access token's
 * `tid`), and hands that same token to the Graph client's first request: knowing the tenant costs
 * no extra token request and no second prompt (device code). Every later request goes straight
 * to the wrapped credential.
 */
export class TenantIdentifyingCredential implements TokenCredential {
  readonly #inner: TokenCredential;
  readonly #epochNow: () => number;
  #first: AccessToken | null = null;

  constructor(inner: TokenCredential, epochNow: () => number = Date.now) {
    this.#inner = inner;
    this.#epochNow = epochNow;
  }

  /** Signs in for `scopes`; the tenant id of the token, or undefined when the token does not say. */
  async signIn(scopes: string[]): Promise<string | undefined> {
    const token = await this.#inner.getToken(scopes);
    if (!token || typeof token.token !== 'string' || token.token.length === 0) {
      throw new Error('the credential returned no access token');
    }
    this.#first = token;
    return accessTokenTenantId(token.token);
  }

  async getToken(
    scopes: string | string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<AccessToken | null> {
    const first = this.#first;
    this.#first = null;
    if (first && first.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS > this.#epochNow()) return first;
    return this.#inner.getToken(scopes, options);
  }
}
