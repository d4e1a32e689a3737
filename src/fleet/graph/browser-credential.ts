import { randomBytes } from 'node:crypto';
import type { AccountInfo, AuthenticationResult, PublicClientApplication } from '@azure/msal-node';
import { openBrowser } from '../../system/open-browser.js';
import { listenForRedirect } from './loopback-redirect.js';
import { MsalNetwork } from './msal-network.js';
import type { FetchLike } from './proxy-fetch.js';
import { type AccessToken, ENTRA_AUTHORITY_HOST, type TokenCredential } from './token-credential.js';

export interface BrowserSignInOptions {
  tenantId: string;
  /** A public client app registration with the redirect URI `http://127.0.0.1` (docs/graph-auth.md). */
  clientId: string;
  /** https only (MSAL refuses http): Entra ID's, a national cloud's, or a lab served over TLS. */
  authorityHost: string;
  /** How discovery and token requests are sent (the CLI's honours the proxy variables). */
  fetch: FetchLike;
  /** Shows the sign-in URL; `opened` says whether a browser could be started for it. */
  onPrompt: (prompt: { url: string; opened: boolean; redirectUri: string; timeoutMs: number }) => void;
  /** Starts a browser on the URL (default: the system's, src/system/open-browser.ts). */
  openBrowser?: (url: string) => Promise<boolean>;
  /** How long to wait for the browser to come back (default 5 minutes). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

type Msal = typeof import('@azure/msal-node');

/**
 * Delegated sign-in in the system browser, as Connect-MgGraph and `az login` do for a signed-in
 * admin: the OAuth 2.0 authorization code flow with PKCE for a public client, the browser coming
 * back to a one-shot listener on loopback (Microsoft identity platform, "OAuth 2.0 authorization
 * code flow"; RFC 7636; RFC 8252 §7.3). Device code sign-in is what many tenants block with
 * Conditional Access ("Block authentication flows"); this is the flow they leave open.
 *
 * Built on @azure/msal-node's `getAuthCodeUrl` and `acquireTokenByCode` rather than
 * @azure/identity's InteractiveBrowserCredential (msal-node's `acquireTokenInteractive`), which
 * opens the browser itself and never shows the URL (nothing to open over SSH), waits for the
 * browser without a time limit, and sends no OAuth state (its request to msal-node has none, so
 * none is compared); here the listener (loopback-redirect.ts) does all three, and MSAL compares
 * the state again. Both need an https authority: the lab serves TLS for the tests.
 *
 * After the first sign-in, tokens come from MSAL's in-memory cache and its refresh token
 * (`acquireTokenSilent`); the browser is asked again only when Entra ID requires interaction.
 * Nothing is written to disk; the tokens are in private fields, never in output.
 */
export class BrowserSignInCredential implements TokenCredential {
  readonly #msal: Msal;
  readonly #app: PublicClientApplication;
  readonly #options: BrowserSignInOptions;
  #account: AccountInfo | null = null;
  /** One sign-in at a time: concurrent callers wait for the same browser round trip. */
  #inFlight: Promise<AccessToken> | null = null;

  /**
   * msal-node is loaded here, when the mode is used: a static import would be hoisted to the top of
   * the fleet chunk by the bundler, and every fleet command would load it (130-240 ms measured).
   */
  static async create(options: BrowserSignInOptions): Promise<BrowserSignInCredential> {
    return new BrowserSignInCredential(options, await import('@azure/msal-node'));
  }

  private constructor(options: BrowserSignInOptions, msal: Msal) {
    const host = new URL(options.authorityHost);
    if (host.protocol !== 'https:') throw new RangeError('the sign-in authority must be https');
    this.#msal = msal;
    this.#options = options;
    this.#app = new msal.PublicClientApplication({
      auth: {
        clientId: options.clientId,
        authority: `${host.origin}/${encodeURIComponent(options.tenantId)}`,
        // Another host than Entra's public cloud is trusted as given, without asking
        // login.microsoftonline.com's instance discovery about it (@azure/identity's
        // disableInstanceDiscovery does the same).
        ...(host.origin === ENTRA_AUTHORITY_HOST ? {} : { knownAuthorities: [host.host] }),
      },
      system: {
        networkClient: new MsalNetwork(options.fetch),
        loggerOptions: {
          loggerCallback: () => undefined,
          piiLoggingEnabled: false,
          logLevel: msal.LogLevel.Error,
        },
      },
    });
  }

  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<AccessToken> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    if (this.#inFlight === null) {
      this.#inFlight = this.#get(list, options?.abortSignal).finally(() => {
        this.#inFlight = null;
      });
    }
    return this.#inFlight;
  }

  async #get(scopes: string[], signal: AbortSignal | undefined): Promise<AccessToken> {
    if (this.#account !== null) {
      try {
        return toAccessToken(await this.#app.acquireTokenSilent({ account: this.#account, scopes }));
      } catch (e) {
        // Expired refresh token, a new Conditional Access requirement, revoked consent: the
        // browser again. Anything else (network, the authority down) is an error as it is.
        if (!(e instanceof this.#msal.InteractionRequiredAuthError)) throw e;
      }
    }
    return this.#interactive(scopes, signal);
  }

  async #interactive(scopes: string[], signal: AbortSignal | undefined): Promise<AccessToken> {
    signal?.throwIfAborted();
    const { verifier, challenge } = await new this.#msal.CryptoProvider().generatePkceCodes();
    const state = randomBytes(32).toString('base64url');
    const nonce = randomBytes(32).toString('base64url');
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const listener = await listenForRedirect({ state, timeoutMs });
    const stop = (): void => listener.close();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const url = await this.#app.getAuthCodeUrl({
        scopes,
        redirectUri: listener.redirectUri,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        state,
        nonce,
        prompt: 'select_account',
      });
      const opened = await (this.#options.openBrowser ?? openBrowser)(url);
      this.#options.onPrompt({ url, opened, redirectUri: listener.redirectUri, timeoutMs });
      const answer = await listener.response;
      const result = await this.#app.acquireTokenByCode(
        {
          code: answer.code,
          scopes,
          redirectUri: listener.redirectUri,
          codeVerifier: verifier,
          state,
          nonce,
        },
        { code: answer.code, state: answer.state },
      );
      this.#account = result.account;
      return toAccessToken(result);
    } finally {
      signal?.removeEventListener('abort', stop);
      listener.close();
    }
  }
}

function toAccessToken(result: AuthenticationResult): AccessToken {
  if (!result.accessToken || !result.expiresOn) {
    throw new Error('the sign-in answered without an access token and its expiry');
  }
  return { token: result.accessToken, expiresOnTimestamp: result.expiresOn.getTime() };
}
