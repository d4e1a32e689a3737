/**
 * The environment variables that carry a secret tpm-doctor (or a library it loads) reads: the
 * lockout value (src/cli/lockout-auth.ts), the Entra client secret (src/fleet/graph/credentials.ts)
 * and the other credentials @azure/identity's EnvironmentCredential reads
 * (https://learn.microsoft.com/en-us/javascript/api/@azure/identity/environmentcredential), the
 * store's location, which may be a PostgreSQL URL with its password (src/fleet/store/open-store.ts),
 * and libpq's password (https://www.postgresql.org/docs/current/libpq-envars.html).
 */
const SECRET_NAMES = [
  'TPM_DOCTOR_LOCKOUT_AUTH',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_PASSWORD',
  'TPM_DOCTOR_STORE',
  'PGPASSWORD',
];

/**
 * The environment for a browser (or the program that starts one): ours without the secrets. A
 * browser and every helper it starts inherit it, and none of them needs a secret of ours. Names
 * are compared without case, as Windows reads them.
 */
export function browserEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const secret = new Set(SECRET_NAMES);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !secret.has(name.toUpperCase())));
}
