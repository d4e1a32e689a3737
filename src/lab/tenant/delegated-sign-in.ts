import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { signInPage, signInRefusedPage } from './sign-in-page.js';
import { type DelegatedTokenBody, type TokenResult, tokenError } from './token-answer.js';

/**
 * The lab's stand-in for Entra ID's authorization code flow with PKCE for a public client
 * (Microsoft identity platform, "OAuth 2.0 authorization code flow",
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow; RFC 7636 for
 * PKCE; RFC 8252 §7.3 for the loopback redirect a native app listens on). One user, the lab's
 * admin, signs in with a button on a page the lab serves; nothing is typed, nothing is a secret
 * but the codes and tokens, which live in memory only.
 *
 * Stricter than Entra where a test of a client gains from it: `state` and PKCE (S256) are
 * required, and the redirect URI must be a loopback http URI, any port (the app registration's
 * `http://127.0.0.1`, as tpm-doctor sends it, or `http://localhost`; Microsoft Learn, "Redirect
 * URI (reply URL) outline and restrictions", https://learn.microsoft.com/entra/identity-platform/reply-url,
 * "Localhost exceptions"). Anything off loopback is refused on the lab's own page.
 */
export interface DelegatedIssuer {
  readonly tenantId: string;
  readonly clientId: string;
  now(): number;
  /** A new access token for the app, remembered by the issuer like any other. */
  mintAccessToken(clientId: string): { access_token: string; expires_in: number };
}

/** What the authorize endpoint answers: a page to show, or a redirect to the app. */
export type AuthorizeAnswer =
  | { kind: 'page'; status: number; html: string }
  | { kind: 'redirect'; location: string };

interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  expiresAt: number;
}

interface IssuedCode extends Omit<PendingAuthorization, 'state'> {
  redeemed: boolean;
}

interface IssuedRefreshToken {
  clientId: string;
  scope: string;
}

/** "Authorization codes are short lived, typically they expire after about 10 minutes" (the flow's Learn page). */
const CODE_LIFETIME_MS = 10 * 60_000;
/** The base64url alphabet, 43 to 128 characters (RFC 7636 §4.2 for the challenge of S256: exactly 43). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const GRAPH_RESOURCE = 'https://graph.microsoft.com/';

export class DelegatedSignIn {
  readonly #issuer: DelegatedIssuer;
  readonly #pending = new Map<string, PendingAuthorization>();
  readonly #codes = new Map<string, IssuedCode>();
  readonly #refreshTokens = new Map<string, IssuedRefreshToken>();
  /** Signs the lab's id tokens: a JWT clients can decode (MSAL does not check the signature). */
  readonly #idTokenKey = randomBytes(32);
  /** The lab's one user. */
  readonly user = { oid: randomUUID(), name: 'LAB Admin', username: 'admin@lab.invalid' };

  constructor(issuer: DelegatedIssuer) {
    this.#issuer = issuer;
  }

  /** The OpenID Provider Metadata MSAL reads before the flow (OpenID Connect Discovery 1.0 §3). */
  openIdConfiguration(base: string): Record<string, unknown> {
    const root = `${base}/${this.#issuer.tenantId}`;
    return {
      issuer: `${root}/v2.0`,
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      token_endpoint: `${root}/oauth2/v2.0/token`,
      end_session_endpoint: `${root}/oauth2/v2.0/logout`,
      jwks_uri: `${root}/discovery/v2.0/keys`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: 'LAB',
    };
  }

  /** GET /{tenant}/oauth2/v2.0/authorize: the sign-in page, or why the request is refused. */
  authorize(tenant: string, query: URLSearchParams): AuthorizeAnswer {
    if (tenant.toLowerCase() !== this.#issuer.tenantId) {
      return refusedPage(`AADSTS90002: Tenant '${tenant}' not found.`);
    }
    const clientId = query.get('client_id') ?? '';
    if (clientId.toLowerCase() !== this.#issuer.clientId) {
      return refusedPage(
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
      );
    }
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!isLoopbackRedirect(redirectUri)) {
      // Entra shows this on its own page: it never redirects to a URI it does not know.
      return refusedPage(
        `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. The LAB app registration has http://127.0.0.1 and http://localhost (any port).`,
      );
    }
    const state = query.get('state');
    const back = (error: string, description: string): AuthorizeAnswer => ({
      kind: 'redirect',
      location: withQuery(redirectUri, {
        error,
        error_description: description,
        ...(state ? { state } : {}),
      }),
    });
    if (query.get('response_type') !== 'code') {
      return back('unsupported_response_type', 'LAB: only response_type=code is supported.');
    }
    if (!state) return back('invalid_request', 'LAB: a state is required (RFC 6749 §10.12).');
    const codeChallenge = query.get('code_challenge') ?? '';
    if (query.get('code_challenge_method') !== 'S256' || !S256_CHALLENGE.test(codeChallenge)) {
      return back(
        'invalid_request',
        'LAB: PKCE is required: code_challenge with code_challenge_method=S256.',
      );
    }
    const scope = query.get('scope') ?? '';
    if (!graphScopes(scope)) {
      return back('invalid_scope', `LAB: the scope must name Microsoft Graph (${GRAPH_RESOURCE}.default).`);
    }
    const responseMode = query.get('response_mode');
    if (responseMode !== null && responseMode !== 'query') {
      return back('invalid_request', 'LAB: only response_mode=query is supported.');
    }
    const id = randomBytes(16).toString('base64url');
    this.#pending.set(id, {
      clientId: this.#issuer.clientId,
      redirectUri,
      state,
      codeChallenge,
      scope,
      nonce: query.get('nonce'),
      expiresAt: this.#issuer.now() + CODE_LIFETIME_MS,
    });
    return {
      kind: 'page',
      status: 200,
      html: signInPage({ request: id, user: this.user, clientId: this.#issuer.clientId, scope }),
    };
  }

  /** POST /{tenant}/oauth2/v2.0/authorize: the page's answer (sign in, or cancel). */
  decide(tenant: string, form: URLSearchParams): AuthorizeAnswer {
    const id = form.get('request') ?? '';
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (
      tenant.toLowerCase() !== this.#issuer.tenantId ||
      !pending ||
      pending.expiresAt <= this.#issuer.now()
    ) {
      return refusedPage('LAB: this sign-in request is unknown, used or expired; start the sign-in again.');
    }
    if (form.get('decision') !== 'accept') {
      return {
        kind: 'redirect',
        location: withQuery(pending.redirectUri, {
          error: 'access_denied',
          error_description: 'AADSTS65004: User declined to consent to access the app.',
          state: pending.state,
        }),
      };
    }
    const code = `lab-code.${randomBytes(32).toString('base64url')}`;
    const { state, ...bound } = pending;
    this.#codes.set(code, { ...bound, expiresAt: this.#issuer.now() + CODE_LIFETIME_MS, redeemed: false });
    return {
      kind: 'redirect',
      location: withQuery(pending.redirectUri, { code, state, session_state: randomUUID() }),
    };
  }

  /** grant_type=authorization_code: the code, its redirect URI and the PKCE verifier. */
  redeemCode(form: URLSearchParams, base: string): TokenResult {
    const code = form.get('code') ?? '';
    const issued = this.#codes.get(code);
    if (!issued)
      return tokenError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    if (issued.redeemed) {
      return tokenError(
        400,
        'invalid_grant',
        54005,
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    }
    issued.redeemed = true;
    if (issued.expiresAt <= this.#issuer.now()) {
      return tokenError(
        400,
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity.',
      );
    }
    if ((form.get('client_id') ?? '').toLowerCase() !== issued.clientId) {
      return tokenError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
      );
    }
    if (form.get('redirect_uri') !== issued.redirectUri) {
      return tokenError(
        400,
        'invalid_grant',
        50011,
        'The redirect URI does not match the one the authorization code was issued for.',
      );
    }
    const verifier = form.get('code_verifier') ?? '';
    if (!VERIFIER.test(verifier) || !sameText(s256(verifier), issued.codeChallenge)) {
      return tokenError(
        400,
        'invalid_grant',
        501481,
        'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      );
    }
    return { ok: true, body: this.#tokens(issued.clientId, issued.scope, issued.nonce, base) };
  }

  /** grant_type=refresh_token: a new access token (and a new refresh token) for the same app and user. */
  refresh(form: URLSearchParams, base: string): TokenResult {
    const issued = this.#refreshTokens.get(form.get('refresh_token') ?? '');
    if (!issued || (form.get('client_id') ?? '').toLowerCase() !== issued.clientId) {
      return tokenError(
        400,
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity.',
      );
    }
    return { ok: true, body: this.#tokens(issued.clientId, issued.scope, null, base) };
  }

  #tokens(clientId: string, scope: string, nonce: string | null, base: string): DelegatedTokenBody {
    const access = this.#issuer.mintAccessToken(clientId);
    const refreshToken = `lab-rt.${randomBytes(32).toString('base64url')}`;
    this.#refreshTokens.set(refreshToken, { clientId, scope });
    const now = Math.floor(this.#issuer.now() / 1000);
    const tenantId = this.#issuer.tenantId;
    const claims: Record<string, unknown> = {
      aud: clientId,
      iss: `${base}/${tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: this.user.name,
      oid: this.user.oid,
      preferred_username: this.user.username,
      sub: createHash('sha256').update(`${this.user.oid}:${clientId}`).digest('base64url'),
      tid: tenantId,
      ver: '2.0',
      ...(nonce ? { nonce } : {}),
    };
    return {
      token_type: 'Bearer',
      scope: scope
        .split(' ')
        .filter((s) => s.startsWith(GRAPH_RESOURCE))
        .join(' '),
      expires_in: access.expires_in,
      ext_expires_in: access.expires_in,
      access_token: access.access_token,
      refresh_token: refreshToken,
      id_token: this.#jwt(claims),
      client_info: Buffer.from(JSON.stringify({ uid: this.user.oid, utid: tenantId })).toString('base64url'),
    };
  }

  #jwt(claims: Record<string, unknown>): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${part({ typ: 'JWT', alg: 'HS256' })}.${part(claims)}`;
    return `${signed}.${createHmac('sha256', this.#idTokenKey).update(signed).digest('base64url')}`;
  }
}

/**
 * RFC 8252 §7.3: http on 127.0.0.1 or localhost, any port, no fragment. Not [::1], as Entra ID
 * ("The IPv6 loopback address ([::1]) isn't currently supported", Microsoft Learn, "Redirect URI
 * (reply URL) outline and restrictions").
 */
function isLoopbackRedirect(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  return (
    url.protocol === 'http:' &&
    ['localhost', '127.0.0.1'].includes(url.hostname) &&
    url.username === '' &&
    url.password === '' &&
    url.hash === '' &&
    !uri.includes('#')
  );
}

/** At least one Graph scope; the OpenID ones MSAL adds (openid, profile, offline_access) beside it. */
function graphScopes(scope: string): boolean {
  const scopes = scope.split(' ').filter(Boolean);
  return (
    scopes.some((s) => s.startsWith(GRAPH_RESOURCE)) &&
    scopes.every(
      (s) => s.startsWith(GRAPH_RESOURCE) || ['openid', 'profile', 'email', 'offline_access'].includes(s),
    )
  );
}

function withQuery(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

function refusedPage(message: string): AuthorizeAnswer {
  return { kind: 'page', status: 400, html: signInRefusedPage(message) };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
