import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DelegatedSignIn } from './delegated-sign-in.js';
import { type TokenResult, tokenError } from './token-answer.js';

/**
 * The lab's stand-in for Entra ID's token endpoint (`POST /{tenant}/oauth2/v2.0/token`, the OAuth
 * 2.0 client credentials grant, Microsoft identity platform docs): one app whose client id and
 * secret are generated when the lab starts. Tokens are opaque random strings, remembered in memory
 * with their expiry; nothing is logged or written. The same app also signs its admin in for
 * delegated use (the authorization code flow with PKCE, delegated-sign-in.ts).
 */
export interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

/** The only scope a Graph app-only token is issued for. */
const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export class TokenIssuer {
  readonly tenantId: string;
  readonly clientId: string;
  readonly #secret: Buffer;
  readonly #tokens = new Map<string, IssuedToken>();
  /** The authorization code flow for the same app (the lab's admin signing in in a browser). */
  readonly delegated: DelegatedSignIn;

  constructor(
    readonly tokenLifetimeMs: number,
    readonly now: () => number,
  ) {
    this.tenantId = randomUUID();
    this.clientId = randomUUID();
    // Shaped like an Entra client secret value (40 characters), never shown anywhere but to the starter.
    this.#secret = Buffer.from(`lab~${randomBytes(27).toString('base64url')}`);
    this.delegated = new DelegatedSignIn({
      tenantId: this.tenantId,
      clientId: this.clientId,
      now: () => this.now(),
      mintAccessToken: (clientId) => this.#mint(clientId),
    });
  }

  get clientSecret(): string {
    return this.#secret.toString();
  }

  /**
   * Handles a token request: `tenant` from the path, `form` the x-www-form-urlencoded body, `base`
   * the lab's origin (the issuer of a delegated sign-in's id token).
   */
  issue(tenant: string, form: URLSearchParams, base = ''): TokenResult {
    if (tenant.toLowerCase() !== this.tenantId) {
      return tokenError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return this.delegated.redeemCode(form, base);
    if (grant === 'refresh_token') return this.delegated.refresh(form, base);
    if (grant !== 'client_credentials') {
      return tokenError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grant ?? ''}'; this lab supports client_credentials, authorization_code and refresh_token.`,
      );
    }
    const clientId = form.get('client_id');
    if (clientId === null || clientId.toLowerCase() !== this.clientId) {
      return tokenError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId ?? ''}' was not found in the directory '${tenant}'.`,
      );
    }
    const secret = form.get('client_secret');
    if (secret === null || !sameSecret(Buffer.from(secret), this.#secret)) {
      // Entra never echoes the secret it was given; neither do we.
      return tokenError(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    }
    const scope = form.get('scope');
    if (scope !== GRAPH_DEFAULT_SCOPE) {
      return tokenError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope '${scope ?? ''}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier: ${GRAPH_DEFAULT_SCOPE}.`,
      );
    }
    const { access_token, expires_in } = this.#mint(this.clientId);
    return {
      ok: true,
      body: { token_type: 'Bearer', expires_in, ext_expires_in: expires_in, access_token },
    };
  }

  #mint(clientId: string): { access_token: string; expires_in: number } {
    const token = `lab.${randomBytes(32).toString('base64url')}`;
    this.#tokens.set(token, { clientId, expiresAt: this.now() + this.tokenLifetimeMs });
    return { access_token: token, expires_in: Math.max(1, Math.floor(this.tokenLifetimeMs / 1000)) };
  }

  /** The app a bearer token belongs to, or why it is refused (the message Graph gives). */
  verify(authorization: string | undefined): { ok: true; clientId: string } | { ok: false; message: string } {
    if (authorization === undefined || authorization === '') {
      return { ok: false, message: 'Access token is empty.' };
    }
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    const issued = m ? this.#tokens.get(m[1]!) : undefined;
    if (!issued) return { ok: false, message: 'Access token validation failure. Invalid audience.' };
    if (issued.expiresAt <= this.now()) {
      return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    }
    return { ok: true, clientId: issued.clientId };
  }
}

function sameSecret(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}
