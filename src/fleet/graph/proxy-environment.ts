import { BlockList, isIP } from 'node:net';

/**
 * Which proxy a request goes through, from the standard environment variables, as curl and most
 * HTTP tools read them (curl(1), "ENVIRONMENT"): `https_proxy`/`HTTPS_PROXY` for https URLs,
 * `http_proxy`/`HTTP_PROXY` for http URLs, `all_proxy`/`ALL_PROXY` for either when the first is
 * not set (lower case first); `no_proxy`/`NO_PROXY` lists the hosts reached directly. Node 20's
 * global fetch reads none of them, so src/fleet/graph/proxy-fetch.ts does.
 */
export interface ProxyEnvironment {
  /** The proxy for `url`, or undefined when it is reached directly. */
  proxyFor(url: URL): ProxyTarget | undefined;
}

export interface ProxyTarget {
  /** The proxy's URL (http: only), credentials removed. */
  url: URL;
  /** `Basic ...` from the proxy URL's user and password, or undefined. Never printed. */
  authorization: string | undefined;
  /** The variable it came from, for messages. */
  variable: string;
}

/** A proxy variable that is set but cannot be used: the message names it, never its credentials. */
export class ProxyConfigurationError extends Error {
  override readonly name = 'ProxyConfigurationError';
}

type Env = Readonly<Record<string, string | undefined>>;

function variable(env: Env, name: string): { name: string; value: string } | undefined {
  for (const candidate of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[candidate]?.trim();
    if (value) return { name: candidate, value };
  }
  return undefined;
}

function parseProxy(found: { name: string; value: string }): ProxyTarget {
  // "proxy.example:3128" without a scheme means http://, as curl reads it.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProxyConfigurationError(`${found.name} is not a proxy URL (expected http://HOST:PORT)`);
  }
  if (url.protocol !== 'http:') {
    throw new ProxyConfigurationError(
      `${found.name}: only an http:// proxy is supported (the TLS to Graph runs through it end to end), got ${url.protocol}//`,
    );
  }
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const authorization =
    user || password ? `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` : undefined;
  const bare = new URL(`http://${url.host}`);
  return { url: bare, authorization, variable: found.name };
}

/** The port a URL reaches, its default included. */
function effectivePort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

interface NoProxyRule {
  matches(host: string, port: number): boolean;
}

/**
 * One NO_PROXY entry: `*` (every host), a host name (itself and its subdomains; a leading dot is
 * optional), an IP address, or an IP range in CIDR notation; each optionally with `:PORT`.
 */
function noProxyRule(entry: string): NoProxyRule | undefined {
  let text = entry.trim().toLowerCase();
  if (text === '') return undefined;
  if (text === '*') return { matches: () => true };
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    text = bracketed[1] as string;
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else {
    const withPort = /^([^:]+):(\d+)$/.exec(text);
    if (withPort) {
      text = withPort[1] as string;
      port = Number(withPort[2]);
    }
  }
  const portMatches = (p: number) => port === undefined || port === p;
  const cidr = /^(.+)\/(\d{1,3})$/.exec(text);
  if (cidr) {
    const family = isIP(cidr[1] as string);
    if (family === 0) return undefined;
    const list = new BlockList();
    list.addSubnet(cidr[1] as string, Number(cidr[2]), family === 4 ? 'ipv4' : 'ipv6');
    return {
      matches: (host, p) => {
        const hostFamily = isIP(host);
        return hostFamily !== 0 && portMatches(p) && list.check(host, hostFamily === 4 ? 'ipv4' : 'ipv6');
      },
    };
  }
  const name = text.startsWith('.') ? text.slice(1) : text;
  return { matches: (host, p) => portMatches(p) && (host === name || host.endsWith(`.${name}`)) };
}

/** Reads the proxy variables of `env` once; throws ProxyConfigurationError for one that cannot be used. */
export function proxyEnvironment(env: Env): ProxyEnvironment {
  const https = variable(env, 'https_proxy');
  const http = variable(env, 'http_proxy');
  const all = variable(env, 'all_proxy');
  const httpsProxy = https ?? all;
  const httpProxy = http ?? all;
  const forHttps = httpsProxy === undefined ? undefined : parseProxy(httpsProxy);
  const forHttp = httpProxy === undefined ? undefined : parseProxy(httpProxy);
  const rules = (variable(env, 'no_proxy')?.value ?? '')
    .split(/[,\s]+/)
    .map(noProxyRule)
    .filter((rule): rule is NoProxyRule => rule !== undefined);
  return {
    proxyFor(url: URL): ProxyTarget | undefined {
      const proxy = url.protocol === 'https:' ? forHttps : url.protocol === 'http:' ? forHttp : undefined;
      if (proxy === undefined) return undefined;
      const host = unbracket(url.hostname.toLowerCase());
      const port = effectivePort(url);
      return rules.some((rule) => rule.matches(host, port)) ? undefined : proxy;
    },
  };
}
