/**
 * The one redactor: every secret pattern tpm-doctor knows lives here, and every text that may
 * carry one passes through it before it is printed, written or stored: the Windows evidence
 * parsers, the bundle writer, evidence errors and every value a rule copies from raw evidence into
 * a finding; the run journal (which refuses rather than redacts); Graph's and the token
 * endpoint's error texts; what the fleet store writes and the campaigns' per-device errors.
 * Findings, reports and errors are printed, written by `--json`, stored and pasted into tickets, so
 * they must never carry a secret, even when a collector, a saved bundle or a server let one
 * through:
 * - a BitLocker recovery password: 48 digits in eight groups of six, which
 *   `manage-bde -protectors -get` prints under "Password:" (Microsoft Learn, manage-bde protectors:
 *   https://learn.microsoft.com/windows-server/administration/windows-commands/manage-bde-protectors). Rules cite the
 *   protector's ID instead, which is what Entra ID escrows the key under.
 * - a TPM authorization value: `Get-Tpm`'s `OwnerAuth`, `Clear-Tpm -OwnerAuthorization`, the
 *   registry's `OwnerAuthFull`/`OwnerAuthAdmin`/`OwnerAuthUser`/`StorageOwnerAuth`, and lockout or
 *   endorsement auth values (the object Get-Tpm returns carries OwnerAuth:
 *   https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm).
 * - an OAuth bearer token (RFC 6750 §2.1: `Authorization: Bearer <token>`) and any JWT, the form
 *   Microsoft identity platform access and ID tokens take (base64url parts, the first starting
 *   `eyJ`, i.e. `{"`): copied from a Graph error, a log line or a proxy trace;
 * - the token endpoint's secret parameters and fields (client_secret, client_assertion,
 *   access_token, refresh_token, id_token; RFC 6749 §2.3.1, §5.1; the Microsoft identity platform
 *   client credentials flow), in form, JSON or camelCase (`clientSecret`) spelling;
 * - an Entra ID client secret by its shape: 40 characters with `Q~` at positions 4-5, the form
 *   Entra ID has issued since 2021 (Microsoft's credential scanning rule for AAD client secrets);
 * - the password in a connection URL (`scheme://user:password@host`);
 * - and, by value, a secret the caller holds (the access token it sent, the client secret, the
 *   store's password): {@link redactKnown}.
 * Scrub first, cut after ({@link redactThenTruncate}): a cut made first can leave a secret's
 * prefix that no pattern recognises any more.
 */

export const REDACTED = '[redacted]';

/**
 * Eight groups of six digits, with '-' (manage-bde), a space, or nothing between them; also looser
 * shapes (groups of five or six, any whitespace) so a mistyped or re-wrapped one never survives.
 * No digit boundaries: a password glued to other digits is still redacted.
 */
const RECOVERY_PASSWORD = /\d{6}(?:[- ]?\d{6}){7}/g;
const RECOVERY_PASSWORD_LOOSE = /\d{5,6}(?:[-\s]\d{5,6}){7}/g;

/**
 * How the name of a field, key or parameter ends when its value is a secret: any *Auth /
 * *Authorization name (OwnerAuth, OwnerAuthFull, LockoutAuth, EndorsementAuth, StorageOwnerAuth,
 * OwnerAuthorization), a password or recovery key, and the Graph side's *Secret and *Token
 * (clientSecret, accessToken). "AuthCodeUrl" or "Credential Type" do not match: the name must end
 * so.
 */
const SECRET_NAME_END = 'Auth(?:orization)?(?:Full|Admin|User)?|Password|RecoveryKey|Secret|Token';
/** A field or key name that is a secret's (`OwnerAuth`, ` -LockoutAuth `, `clientSecret`, `owner_auth`). */
const SECRET_FIELD = new RegExp(`(?:${SECRET_NAME_END})\\s*$`, 'i');

/** The secret names written in free text: a word ending as above (the values follow). */
const SECRET_NAME = '[A-Za-z]*(?:Auth(?:orization)?(?:Full|Admin|User)?|Password|RecoveryKey)';
/** `Name : value`, `Name=value`, `"Name": "value"` (PowerShell list, key=value, JSON). */
const SECRET_ASSIGNMENT = new RegExp(`(\\b${SECRET_NAME}"?[ \\t]*[:=][ \\t]*"?)([^\\s",;}\\]<]+)`, 'gi');
/** `-OwnerAuthorization value` (a PowerShell parameter, e.g. a logged Clear-Tpm command line). */
const SECRET_PARAMETER = new RegExp(`(-${SECRET_NAME}[ \\t]+)([^\\s",;-][^\\s",;]*)`, 'gi');
/** `<Data Name="OwnerAuth">value</Data>` (an event's XML). */
const SECRET_XML = new RegExp(`(Name="${SECRET_NAME}"[^>]*>)([^<]+)(<)`, 'gi');

/** Any JWT: `eyJ` then base64url, a dot and more (two parts are enough; a cut one is still one). */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
/** `Bearer <token>`, whatever the token's shape. */
const BEARER = /(Bearer\s+)\S+/gi;
/** OAuth form values and fields: client_secret=..., "clientSecret": "...", access_token: ..., assertion=... */
const OAUTH_FIELD =
  /((?:client[_-]?secret|assertion|access[_-]?token|refresh[_-]?token|id[_-]?token)["']?\s*[=:]\s*["']?)[^\s&"',;}]+/gi;
const ENTRA_CLIENT_SECRET =
  /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi;

/** What a head-capturing pattern becomes: the head kept, the secret replaced. */
const keepHead = (_m: string, head: string): string => `${head}${REDACTED}`;

/** Replaces every secret this project knows of in free text with `[redacted]`. */
export function redact(text: string): string {
  return text
    .replace(JWT, REDACTED)
    .replace(BEARER, keepHead)
    .replace(OAUTH_FIELD, keepHead)
    .replace(RECOVERY_PASSWORD, REDACTED)
    .replace(RECOVERY_PASSWORD_LOOSE, REDACTED)
    .replace(SECRET_XML, (_m, head: string, _v: string, tail: string) => `${head}${REDACTED}${tail}`)
    .replace(SECRET_ASSIGNMENT, keepHead)
    .replace(SECRET_PARAMETER, keepHead)
    .replace(URL_PASSWORD, (_m, head: string, _v: string, tail: string) => `${head}${REDACTED}${tail}`)
    .replace(ENTRA_CLIENT_SECRET, REDACTED);
}

/**
 * Redacted, then cut to at most `maxChars` (ending "…" when cut). Always in this order: a cut
 * made first can leave a secret's prefix that no pattern above recognises any more.
 */
export function redactThenTruncate(text: string, maxChars: number): string {
  const clean = redact(text);
  return clean.length > maxChars ? `${clean.slice(0, maxChars - 1)}…` : clean;
}

/**
 * `text` with every one of `secrets` (values the caller holds: the token it sent, a password)
 * replaced wherever it stands, as a server or a driver may echo it; an empty one is skipped.
 * The patterns of {@link redact} still apply afterwards, where the caller calls it.
 */
export function redactKnown(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join(REDACTED);
  return out;
}

/** True when a field's name says its value is a secret (OwnerAuth, LockoutAuth, Password, clientSecret, ...). */
export function isSecretField(field: string): boolean {
  return SECRET_FIELD.test(field);
}

/** The value to show for `field`: withheld entirely when the field is a secret, else redacted text. */
export function redactField(field: string, value: string): string {
  return isSecretField(field) ? REDACTED : redact(value);
}

/**
 * A JSON-able value (a triage summary) with every string redacted and the value of every field
 * whose name says it is a secret withheld. Keys are kept: they are the value's structure, written
 * by our code.
 */
export function redactJsonValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = typeof inner === 'string' && isSecretField(key) ? REDACTED : redactJsonValue(inner);
    }
    return out;
  }
  return value;
}
