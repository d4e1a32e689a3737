/**
 * The one redactor, shared by the Windows evidence parsers, the bundle writer, error messages and
 * every value a rule copies from raw evidence into a finding. Findings are printed, written by
 * `--json`, sent to the fleet view and pasted into tickets, so they must never carry a secret,
 * even when a collector or a saved bundle let one through:
 * - a BitLocker recovery password: 48 digits in eight groups of six, which
 *   `manage-bde -protectors -get` prints under "Password:" (Microsoft Learn, manage-bde protectors:
 *   https://learn.microsoft.com/windows-server/administration/windows-commands/manage-bde-protectors). Rules cite the
 *   protector's ID instead, which is what Entra ID escrows the key under.
 * - a TPM authorization value: `Get-Tpm`'s `OwnerAuth`, `Clear-Tpm -OwnerAuthorization`, the
 *   registry's `OwnerAuthFull`/`OwnerAuthAdmin`/`OwnerAuthUser`/`StorageOwnerAuth`, and lockout or
 *   endorsement auth values (the object Get-Tpm returns carries OwnerAuth:
 *   https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm).
 * - a bearer token or any JWT (an access token copied from a Graph error, a log line or a proxy
 *   trace), and `client_secret=` / `access_token=` form values (the fleet commands' credentials).
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
 * Names whose value is a secret: any *Auth / *Authorization name (OwnerAuth, OwnerAuthFull,
 * LockoutAuth, EndorsementAuth, StorageOwnerAuth, OwnerAuthorization) and password fields.
 * "AuthCodeUrl" or "Credential Type" do not match: the name must end in Auth, Authorization,
 * Auth + Full/Admin/User, or Password / RecoveryKey.
 */
const SECRET_NAME = '[A-Za-z]*(?:Auth(?:orization)?(?:Full|Admin|User)?|Password|RecoveryKey)';
const SECRET_FIELD = new RegExp(`^\\s*-?${SECRET_NAME}\\s*$`, 'i');

/** `Name : value`, `Name=value`, `"Name": "value"` (PowerShell list, key=value, JSON). */
const SECRET_ASSIGNMENT = new RegExp(`(\\b${SECRET_NAME}"?[ \\t]*[:=][ \\t]*"?)([^\\s",;}\\]<]+)`, 'gi');
/** `-OwnerAuthorization value` (a PowerShell parameter, e.g. a logged Clear-Tpm command line). */
const SECRET_PARAMETER = new RegExp(`(-${SECRET_NAME}[ \\t]+)([^\\s",;-][^\\s",;]*)`, 'gi');
/** `<Data Name="OwnerAuth">value</Data>` (an event's XML). */
const SECRET_XML = new RegExp(`(Name="${SECRET_NAME}"[^>]*>)([^<]+)(<)`, 'gi');

/** `Bearer <token>` (whatever the token's shape) and any JWT (three base64url parts, header first). */
const BEARER = /\b(Bearer[ \t]+)[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** OAuth form values: client_secret=..., access_token=..., refresh_token=..., client_assertion=... */
const OAUTH_FORM =
  /\b((?:client_secret|access_token|refresh_token|id_token|client_assertion)["']?\s*[=:]\s*["']?)[^\s&"',;}]+/gi;

/** Replaces every recovery password, authorization value and token in free text. */
export function redact(text: string): string {
  return text
    .replace(JWT, REDACTED)
    .replace(BEARER, (_m, head: string) => `${head}${REDACTED}`)
    .replace(OAUTH_FORM, (_m, head: string) => `${head}${REDACTED}`)
    .replace(RECOVERY_PASSWORD, REDACTED)
    .replace(RECOVERY_PASSWORD_LOOSE, REDACTED)
    .replace(SECRET_XML, (_m, head: string, _v: string, tail: string) => `${head}${REDACTED}${tail}`)
    .replace(SECRET_ASSIGNMENT, (_m, head: string) => `${head}${REDACTED}`)
    .replace(SECRET_PARAMETER, (_m, head: string) => `${head}${REDACTED}`);
}

/** True when a field's name says its value is a secret (OwnerAuth, LockoutAuth, Password, ...). */
export function isSecretField(field: string): boolean {
  return SECRET_FIELD.test(field);
}

/** The value to show for `field`: withheld entirely when the field is a secret, else redacted text. */
export function redactField(field: string, value: string): string {
  return isSecretField(field) ? REDACTED : redact(value);
}
