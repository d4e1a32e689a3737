/**
 * The connection options a campaign was stored with (docs/store.md, schema 6), checked before
 * `fleet status ID` prints them in the resume command an admin pastes: whoever can write the store
 * (a shared PostgreSQL store) could otherwise choose where that command sends its Graph token
 * (`--graph-url`) or what it runs. A value that is not what `fleet` itself would have stored from a
 * real connection is left out of the command and named in a note, never printed.
 */
import { CONNECTION_OPTIONS } from './graph-connection.js';

/**
 * Microsoft Graph's own endpoints: the global service and the national clouds
 * (https://learn.microsoft.com/graph/deployments, "Microsoft Graph and Graph Explorer service
 * root endpoints"), as origins.
 */
const GRAPH_ORIGINS = new Set([
  'https://graph.microsoft.com',
  'https://graph.microsoft.us',
  'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn',
]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A tenant as Entra ID names it: its GUID or one of its domain names. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** A file path a terminal shows as it is: no control, format (bidi) or line-separator characters. */
const PRINTABLE_PATH = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]{1,4096}$/u;

const AUTH_MODES: readonly string[] = CONNECTION_OPTIONS.auth.choices;

const CHECKS: Readonly<Record<string, (value: string) => boolean>> = {
  tenant: (value) => value === 'lab' || isTenant(value),
  'lab-devices': isWholeNumber,
  'lab-seed': isWholeNumber,
  'lab-window-ms': isWholeNumber,
  'lab-swtpm': isWholeNumber,
  'graph-url': isGraphUrl,
  'tenant-id': isTenant,
  'client-id': (value) => GUID.test(value),
  auth: (value) => AUTH_MODES.includes(value),
  certificate: (value) => PRINTABLE_PATH.test(value),
  'graph-share': (value) => /^(?:0(?:\.\d{1,12})?|1(?:\.0{1,12})?|\.\d{1,12})$/.test(value),
};

export interface CheckedResumeOptions {
  /** The stored options that passed, to print. */
  options: Record<string, string>;
  /** The names of the stored options left out (their values are never shown). */
  dropped: string[];
}

export function checkedResumeOptions(stored: Readonly<Record<string, string>>): CheckedResumeOptions {
  const options: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(stored)) {
    const check = Object.hasOwn(CHECKS, name) ? CHECKS[name] : undefined;
    if (check?.(value)) options[name] = value;
    else dropped.push(name);
  }
  // A lab on loopback signs in by itself (or is its own authority for --auth browser). With any
  // other sign-in mode the pasted command would fetch a real Entra ID token and hand it to
  // whatever listens on that loopback port: another local user who can write the store.
  const graphUrl = options['graph-url'];
  if (
    graphUrl !== undefined &&
    isLoopbackUrl(graphUrl) &&
    options.auth !== undefined &&
    options.auth !== 'browser'
  ) {
    delete options['graph-url'];
    dropped.push('graph-url');
  }
  return { options, dropped };
}

/**
 * One of Graph's endpoints (https, its origin and at most a `/`), or a lab tenant on loopback
 * (`tpm-doctor lab tenant`, which the CLI also takes over http). No user info, query or fragment.
 */
function isGraphUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return false;
  if (url.pathname !== '/' || !/^[a-z]+:\/\/[^/]+\/?$/i.test(value)) return false;
  if (LOOPBACK_HOSTS.has(url.hostname)) return url.protocol === 'http:' || url.protocol === 'https:';
  return GRAPH_ORIGINS.has(url.origin) && url.port === '';
}

function isLoopbackUrl(value: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(value).hostname);
  } catch {
    return false;
  }
}

function isTenant(value: string): boolean {
  return GUID.test(value) || DOMAIN.test(value);
}

function isWholeNumber(value: string): boolean {
  return /^\d{1,10}$/.test(value);
}
