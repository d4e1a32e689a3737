import type { AccessToken, TokenCredential } from './token-credential.js';

/**
 * Keeps one access token until 5 minutes before it expires (the margin @azure/identity itself
 * uses to refresh: a token that expires during a slow paged read fails the page with 401).
 * Concurrent callers share one token request. `invalidate` drops a token Graph rejected
 * (401 InvalidAuthenticationToken) so the next `get` asks the credential again.
 */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

export class AccessTokenCache {
  // ES private fields: util.inspect and JSON.stringify of a client must not print the token.
  #current: AccessToken | null = null;
  #inFlight: Promise<AccessToken> | null = null;
  readonly #credential: TokenCredential;
  readonly #scopes: string[];
  readonly #epochNow: () => number;

  constructor(credential: TokenCredential, scopes: string[], epochNow: () => number = Date.now) {
    this.#credential = credential;
    this.#scopes = scopes;
    this.#epochNow = epochNow;
  }

  async get(signal?: AbortSignal): Promise<AccessToken> {
    const cached = this.#current;
    if (cached && cached.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS > this.#epochNow()) return cached;
    this.#inFlight ??= this.#fetch(signal).finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Forget `token` if it is still the cached one (a concurrent refresh may have replaced it). */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = null;
  }

  async #fetch(signal: AbortSignal | undefined): Promise<AccessToken> {
    const token = await this.#credential.getToken(this.#scopes, signal ? { abortSignal: signal } : undefined);
    if (!token || typeof token.token !== 'string' || token.token.length === 0) {
      throw new Error('the credential returned no access token');
    }
    this.#current = { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    return this.#current;
  }
}
