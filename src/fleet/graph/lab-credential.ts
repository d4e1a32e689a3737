import { redactKnown, redactThenTruncate } from '../../snapshot/redact-secrets.js';
import type { FetchLike } from './proxy-fetch.js';
import { BodyTooLargeError, GRAPH_JSON_MAX_BYTES, readCappedText } from './read-capped-body.js';
import type { AccessToken, TokenCredential } from './token-credential.js';

export interface LabCredentialOptions {
  /** The lab tenant's origin, e.g. http://127.0.0.1:4780. */
  labUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Per token request. Default 10 s. */
  timeoutMs?: number;
  /** How the request is sent (default the global fetch; the CLI's honours the proxy variables). */
  fetch?: FetchLike;
}

/**
 * Client credentials against the lab tenant's token endpoint, in Entra ID's shape (Microsoft
 * identity platform, "OAuth 2.0 client credentials flow": a form-encoded POST of grant_type,
 * client_id, client_secret and scope to /{tenant}/oauth2/v2.0/token, answered with token_type,
 * expires_in and access_token). It exists because @azure/identity refuses an authority that is
 * not https ("The authorityHost address must use the 'https' protocol", IdentityClient), and the
 * lab serves plain http on loopback. Never used against a real tenant.
 *
 * The secret is a private field: it does not show in JSON.stringify, util.inspect or errors.
 */
export class LabCredential implements TokenCredential {
  readonly #secret: string;
  readonly #tokenUrl: URL;
  readonly #clientId: string;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike;

  constructor(options: LabCredentialOptions) {
    if (options.clientSecret.length === 0) throw new RangeError('LabCredential needs a client secret');
    this.#secret = options.clientSecret;
    this.#clientId = options.clientId;
    this.#tokenUrl = new URL(`/${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`, options.labUrl);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<AccessToken> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#clientId,
      client_secret: this.#secret,
      scope: Array.isArray(scopes) ? scopes.join(' ') : scopes,
    });
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = options?.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
    const where = `lab token endpoint ${this.#tokenUrl.origin}${this.#tokenUrl.pathname}`;
    let status: number;
    let text: string;
    try {
      const response = await this.#fetch(this.#tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal,
        redirect: 'error',
      });
      status = response.status;
      text = await readCappedText(response, GRAPH_JSON_MAX_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new Error(`${where}: ${error.message}`);
      throw new Error(
        `${where}: no answer (${timeout.aborted ? `timed out after ${this.#timeoutMs} ms` : errorName(error)})`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(
        `${where}: HTTP ${status}: expected a JSON token response, got ${text.length} bytes of something else`,
      );
    }
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (status !== 200) {
      // Entra's error shape: {error, error_description}. A server could echo the form back: scrub.
      const code = typeof fields.error === 'string' ? fields.error : `HTTP${status}`;
      const description = typeof fields.error_description === 'string' ? fields.error_description : '';
      // Scrubbed whole, then cut: a cut first could keep a prefix of the echoed secret.
      throw new Error(
        `${where}: HTTP ${status} ${redactThenTruncate(this.#scrub(code), 100)}: ${redactThenTruncate(this.#scrub(description), 500)}`,
      );
    }
    if (typeof fields.access_token !== 'string' || fields.access_token.length === 0) {
      throw new Error(`${where}: expected "access_token" (a non-empty string) in the token response`);
    }
    const expiresIn = typeof fields.expires_in === 'string' ? Number(fields.expires_in) : fields.expires_in;
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw new Error(`${where}: expected "expires_in" (seconds, a positive number) in the token response`);
    }
    if (typeof fields.token_type === 'string' && fields.token_type.toLowerCase() !== 'bearer') {
      throw new Error(
        `${where}: expected token_type "Bearer", got "${redactThenTruncate(this.#scrub(fields.token_type), 40)}"`,
      );
    }
    return { token: fields.access_token, expiresOnTimestamp: Date.now() + expiresIn * 1000 };
  }

  /** Removes the secret as sent (form-encoded) and as given, in case the server echoed it. */
  #scrub(text: string): string {
    const formEncoded = new URLSearchParams({ s: this.#secret }).toString().slice(2);
    return redactKnown(text, [this.#secret, formEncoded, encodeURIComponent(this.#secret)]);
  }
}

function errorName(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'connection failed';
}
