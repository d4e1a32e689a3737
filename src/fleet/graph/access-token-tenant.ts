/**
 * The tenant an Entra ID access token was issued in: its `tid` claim, a GUID (Microsoft identity
 * platform, "Access token claims reference": https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference).
 * Read only to tell tenants apart, never to trust the token: Graph checks the signature. A token
 * that is not a readable JWT (encrypted, or opaque like the lab's) has no tenant here: undefined.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function accessTokenTenantId(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const tid = (claims as { tid?: unknown } | null)?.tid;
  return typeof tid === 'string' && GUID.test(tid) ? tid.toLowerCase() : undefined;
}
