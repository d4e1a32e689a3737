import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { type Duplex, Readable } from 'node:stream';
import tls from 'node:tls';
import type { ProxyEnvironment, ProxyTarget } from './proxy-environment.js';

/**
 * `fetch` that honours the proxy environment variables (./proxy-environment.ts), for every Graph
 * and lab token request tpm-doctor makes itself. Node 20's global fetch ignores HTTPS_PROXY; the
 * undici package's EnvHttpProxyAgent would honour it, but undici is not a dependency, and one
 * undici's agent driving another's fetch (Node's bundled copy) is version-coupled. So a request
 * that goes through a proxy is made with node:http/node:https here, and one that does not is left
 * to the global fetch, unchanged.
 *
 * - https URL: an HTTP CONNECT tunnel to HOST:PORT through the proxy (RFC 9110 §9.3.6), then TLS
 *   to Graph inside it, verified against Graph's name: the proxy sees the host name, never a
 *   token or a byte of the exchange.
 * - http URL (the lab on loopback): the request in absolute form to the proxy (RFC 9112 §3.2.2).
 * Connections are kept alive and reused, as the global fetch does.
 *
 * Only what the callers use is supported: a string body, `redirect: 'error'` or no redirect
 * following (a 3xx is returned as it is), an AbortSignal. A proxy that refuses the tunnel is an
 * error whose cause has code `ERR_PROXY_CONNECT`: the request never reached Graph.
 *
 * The browser sign-in's discovery and token requests come here too (msal-network.ts).
 * @azure/identity's own requests (Entra ID tokens) read the same variables itself
 * (@azure/core-rest-pipeline's proxyPolicy); docs/graph-auth.md says where its reading differs.
 */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Code of the error a proxy's refusal of a CONNECT tunnel becomes (the request was not sent). */
export const PROXY_CONNECT_REFUSED = 'ERR_PROXY_CONNECT';

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const NULL_BODY: ReadonlySet<number> = new Set([101, 204, 205, 304]);

export interface ProxyFetchOptions {
  /** Extra trusted CA certificates (PEM) for the TLS inside a tunnel (tests; NODE_EXTRA_CA_CERTS otherwise). */
  ca?: string;
}

/** A fetch for `environment`: through a proxy where it names one, the global fetch elsewhere. */
export function proxyFetch(environment: ProxyEnvironment, options: ProxyFetchOptions = {}): FetchLike {
  const tunnels = new Map<string, https.Agent>();
  const forwards = new Map<string, http.Agent>();
  return async (input, init = {}) => {
    const url = new URL(input);
    const proxy = environment.proxyFor(url);
    if (proxy === undefined) return fetch(url, init);
    if (url.protocol === 'https:') {
      const key = proxy.url.href;
      const agent = tunnels.get(key) ?? new TunnelAgent(proxy, options.ca);
      tunnels.set(key, agent);
      return send(https, url, init, { agent, path: `${url.pathname}${url.search}` });
    }
    const key = proxy.url.href;
    const agent = forwards.get(key) ?? new http.Agent({ keepAlive: true });
    forwards.set(key, agent);
    return send(http, url, init, {
      agent,
      host: proxy.url.hostname,
      port: Number(proxy.url.port || 80),
      path: url.href,
      ...(proxy.authorization ? { proxyAuthorization: proxy.authorization } : {}),
    });
  };
}

/** The TCP socket to the proxy under a tunnel's TLS socket. */
const tunnelSockets = new WeakMap<Duplex, Duplex & { ref(): unknown; unref(): unknown }>();

/** Tunnels every TLS connection through the proxy with CONNECT (its sockets are kept alive). */
class TunnelAgent extends https.Agent {
  readonly #proxy: ProxyTarget;
  readonly #ca: string | undefined;

  constructor(proxy: ProxyTarget, ca: string | undefined) {
    super({ keepAlive: true });
    this.#proxy = proxy;
    this.#ca = ca;
    // An idle kept-alive socket must not hold the process open (node:http unrefs it when freed);
    // under a tunnel that is the TCP socket to the proxy, which the TLS socket's unref misses.
    this.on('free', (socket: Duplex) => tunnelSockets.get(socket)?.unref());
  }

  override reuseSocket(socket: Duplex, request: http.ClientRequest): void {
    tunnelSockets.get(socket)?.ref();
    super.reuseSocket(socket, request);
  }

  override createConnection(
    options: http.RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): undefined {
    const done = (error: Error | null, stream?: Duplex) => callback?.(error, stream as Duplex);
    const host = options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const connect = http.request({
      host: this.#proxy.url.hostname,
      port: Number(this.#proxy.url.port || 80),
      method: 'CONNECT',
      path: authority,
      headers: {
        Host: authority,
        ...(this.#proxy.authorization ? { 'Proxy-Authorization': this.#proxy.authorization } : {}),
      },
      agent: false,
    });
    connect.once('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        const error = new Error(
          `the proxy (${this.#proxy.variable}) refused a tunnel to ${authority}: HTTP ${response.statusCode}`,
        );
        done(Object.assign(error, { code: PROXY_CONNECT_REFUSED }));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      const { host: _host, port: _port, path: _path, ...tlsOptions } = options as Record<string, unknown>;
      const secure = tls.connect({
        ...(tlsOptions as tls.ConnectionOptions),
        socket,
        host,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(this.#ca === undefined ? {} : { ca: [...tls.rootCertificates, this.#ca] }),
        ALPNProtocols: ['http/1.1'],
      });
      tunnelSockets.set(secure, socket);
      done(null, secure);
    });
    connect.once('error', (error) => done(error));
    connect.end();
    return undefined;
  }
}

interface SendTarget {
  agent: http.Agent;
  path: string;
  host?: string;
  port?: number;
  proxyAuthorization?: string;
}

function requestHeaders(url: URL, init: RequestInit, body: string | undefined, target: SendTarget) {
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  headers.host = url.host;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  if (target.proxyAuthorization) headers['proxy-authorization'] = target.proxyAuthorization;
  return headers;
}

function send(
  module: typeof http | typeof https,
  url: URL,
  init: RequestInit,
  target: SendTarget,
): Promise<Response> {
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return Promise.reject(new TypeError('proxied requests take a string body'));
  }
  const text = body ?? undefined;
  const method = (init.method ?? 'GET').toUpperCase();
  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    const failed = (error: unknown) => reject(new TypeError('fetch failed', { cause: error }));
    const request = module.request(
      {
        method,
        agent: target.agent,
        path: target.path,
        headers: requestHeaders(url, init, text, target),
        ...(target.host === undefined
          ? { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443) }
          : { host: target.host, port: target.port }),
        ...(signal ? { signal } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (init.redirect === 'error' && REDIRECTS.has(status)) {
          response.destroy();
          failed(Object.assign(new Error(`unexpected redirect (HTTP ${status})`), { code: 'ERR_REDIRECT' }));
          return;
        }
        try {
          const headers = new Headers();
          for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) {
            headers.append(response.rawHeaders[i] as string, response.rawHeaders[i + 1] as string);
          }
          const empty = NULL_BODY.has(status) || method === 'HEAD';
          if (empty) response.resume();
          // Aborting after the headers also ends the body being read.
          signal?.addEventListener('abort', () => response.destroy(signal.reason as Error), { once: true });
          const stream = empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
          resolve(new Response(stream, { status, statusText: response.statusMessage ?? '', headers }));
        } catch (error) {
          response.destroy();
          failed(error);
        }
      },
    );
    request.once('error', (error) => {
      if (signal?.aborted) reject(signal.reason);
      else failed(error);
    });
    request.end(text);
  });
}
