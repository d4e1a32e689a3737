import { REDACTED, redact } from '../../snapshot/redact-secrets.js';

/**
 * What the store does to free text before writing it (a device's last error, a triage row's
 * reasons, a campaign's selection, a run's summary): the project's redaction
 * (src/snapshot/redact-secrets.ts: recovery passwords, TPM auth values), plus the secrets of the
 * Graph side, which that redaction does not know and which an error message from Graph or from
 * @azure/identity can carry:
 * - an OAuth bearer token (RFC 6750 §2.1: `Authorization: Bearer <token>`) and any JWT, the form
 *   Microsoft identity platform access and ID tokens take (three base64url parts, the first
 *   starting `eyJ`, i.e. `{"`);
 * - the token endpoint's secret parameters and fields (client_secret, client_assertion,
 *   access_token, refresh_token, id_token; RFC 6749 §2.3.1, §5.1; Microsoft identity platform
 *   client credentials flow);
 * - an Entra ID client secret by its shape: 40 characters with `Q~` at positions 4-5, the form
 *   Entra ID has issued since 2021 (Microsoft's credential scanning rule for AAD client secrets);
 * - the password in a connection URL (`scheme://user:password@host`).
 */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
const TOKEN_FIELD =
  /(\b(?:client_secret|client_assertion|access_token|refresh_token|id_token|clientSecret|accessToken|refreshToken)"?\s*[:=]\s*"?)([^\s"&,;}]+)/gi;
const ENTRA_CLIENT_SECRET =
  /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi;

/** Free text with every secret this project knows of replaced by `[redacted]`. */
export function redactStoredText(text: string): string {
  return redact(text)
    .replace(URL_PASSWORD, (_m, head: string, _secret: string, tail: string) => `${head}${REDACTED}${tail}`)
    .replace(BEARER, (_m, head: string) => `${head}${REDACTED}`)
    .replace(TOKEN_FIELD, (_m, head: string) => `${head}${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(ENTRA_CLIENT_SECRET, REDACTED);
}

/**
 * Redacted, then cut to at most `maxChars` (ending "…" when cut). Always in this order: a cut
 * made first can leave a secret's prefix that no pattern above recognises any more.
 */
export function redactThenTruncate(text: string, maxChars: number): string {
  const clean = redactStoredText(text);
  return clean.length > maxChars ? `${clean.slice(0, maxChars - 1)}…` : clean;
}

/** The same, for optional text: null stays null. */
export function redactOptionalText(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : redactStoredText(text);
}

/**
 * A JSON-able value (a triage summary) with every string redacted and the value of every field
 * whose name says it is a secret (OwnerAuth, Password, ...) withheld. Keys are kept: they are
 * the summary's structure, written by our code.
 */
export function redactJsonValue(value: unknown): unknown {
  if (typeof value === 'string') return redactStoredText(value);
  if (Array.isArray(value)) return value.map(redactJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = typeof inner === 'string' && isSecretKey(key) ? REDACTED : redactJsonValue(inner);
    }
    return out;
  }
  return value;
}

const SECRET_KEY = /(?:auth(?:orization)?(?:full|admin|user)?|password|recoverykey|secret|token)$/i;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}
