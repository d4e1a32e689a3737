/**
 * A PostgreSQL connection URL read for what may be shown of it. The password (in the userinfo
 * or as a `password=` query parameter, both of which libpq accepts: PostgreSQL manual §34.1.1,
 * "Connection URIs", https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING)
 * and the client key's passphrase (`sslpassword=`, §34.1.2 "Parameter Key Words") never leave
 * this file except to the driver. `passfile=`, `sslkey=` and `sslcert=` name files, not secrets,
 * and are kept like `--certificate`'s path.
 */
import { FleetStoreError } from './store-error.js';

export interface PostgresTarget {
  /** `postgres://user@host:port/database`: no password, no query parameters. */
  description: string;
  /** `host:port`, for connection errors. */
  hostPort: string;
  database: string;
  user: string;
  /** Every secret the URL carries, to scrub from a driver's message should one quote it. */
  secrets: string[];
}

/**
 * Query parameters whose value is a secret. node-postgres (pg-connection-string) copies every
 * query parameter into its configuration under its own name, so `password=` sets the password
 * there too; libpq's key words are lower case, any case is dropped here all the same.
 */
const SECRET_PARAMETERS = new Set(['password', 'sslpassword']);

export const POSTGRES_URL_SHAPE = 'postgres://user[:password]@host[:port]/database';

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(spec);
}

export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL itself is not quoted: it may hold a password.
    throw new FleetStoreError(`the PostgreSQL store is not a valid URL; expected ${POSTGRES_URL_SHAPE}`);
  }
  if (!isPostgresUrl(url)) {
    throw new FleetStoreError(`the PostgreSQL store URL must start with postgres:// or postgresql://`);
  }
  const host = parsed.hostname === '' ? 'localhost' : parsed.hostname;
  const port = parsed.port === '' ? '5432' : parsed.port;
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(parsed.username);
  const secrets = [
    parsed.password,
    ...[...parsed.searchParams].filter(([name]) => isSecretParameter(name)).map(([, value]) => value),
  ]
    .filter((secret) => secret.length > 0)
    .flatMap((secret) => [secret, safeDecode(secret)]);
  const who = user === '' ? '' : `${encodeURIComponent(user)}@`;
  return {
    description: `postgres://${who}${host}:${port}/${encodeURIComponent(database)}`,
    hostPort: `${host}:${port}`,
    database: database === '' ? '(default)' : database,
    user: user === '' ? '(default)' : user,
    secrets,
  };
}

/**
 * `spec` as it may be printed and pasted back: a PostgreSQL URL without its userinfo password and
 * without any secret query parameter, everything else kept so that the pasted `--store` reaches the
 * same database (the password then comes from PGPASSWORD or ~/.pgpass, docs/store.md). Any other
 * store spec (a SQLite path) is returned as it is. A PostgreSQL URL that does not parse is replaced
 * by its shape: it might hold a password nobody can find in it.
 */
export function storeSpecWithoutSecrets(spec: string): string {
  // Trimmed as open-store.ts trims it before deciding what the spec is: printing and opening
  // must agree on what a PostgreSQL URL is, or a leading space would print the password.
  const trimmed = spec.trim();
  if (!isPostgresUrl(trimmed)) return spec;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return POSTGRES_URL_SHAPE;
  }
  url.password = '';
  for (const name of [...url.searchParams.keys()]) {
    if (isSecretParameter(name)) url.searchParams.delete(name);
  }
  return url.toString();
}

function isSecretParameter(name: string): boolean {
  return SECRET_PARAMETERS.has(name.toLowerCase());
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
