/**
 * A PostgreSQL connection URL read for what may be shown of it. The password (in the userinfo
 * or as a `password=` query parameter, both of which libpq accepts: PostgreSQL manual §34.1.1,
 * "Connection URIs") never leaves this file except to the driver.
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
  const secrets = [parsed.password, parsed.searchParams.get('password') ?? '']
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

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
