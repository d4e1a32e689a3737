import { redact } from '../../snapshot/redact-secrets.js';

/** A JSON Web Token (an Entra ID access token): three base64url parts, the first `eyJ`. */
const JWT = /eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g;
/** `Bearer <anything>` as an Authorization header would carry it. */
const BEARER = /(Bearer\s+)\S+/gi;
/** `client_secret=...`, `"clientSecret": "..."`, `access_token=...`, `refresh_token: ...`, `assertion=...`. */
const SECRET_PARAM =
  /((?:client[_-]?secret|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?assertion|assertion)"?\s*[:=]\s*"?)[^\s"&,;}]+/gi;

/** The longest error text kept per device: enough for Graph's code and message, not a whole body. */
const MAX_ERROR_LENGTH = 500;

/**
 * Makes an error text safe to store and print: campaign rows end up in `fleet status`, its JSON
 * and tickets. Graph's error messages do not carry credentials, but a proxy page, an echoed
 * request or an SDK message could; tokens, client secrets, recovery passwords and TPM auth values
 * are replaced (the shared redactor handles the last two), and the text is bounded.
 */
export function redactGraphError(text: string): string {
  const cleaned = redact(text)
    .replace(JWT, '[redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(SECRET_PARAM, '$1[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_ERROR_LENGTH ? `${cleaned.slice(0, MAX_ERROR_LENGTH - 1)}…` : cleaned;
}
