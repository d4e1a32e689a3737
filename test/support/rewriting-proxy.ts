/**
 * A hostile Graph for tests: a loopback HTTP proxy in front of a lab tenant that passes every
 * request through and lets the test rewrite the answers (a device name with control characters,
 * an access token echoed in an error, a Retry-After of a day, a field of the wrong type). The lab's
 * own origin in the answers (nextLinks) is rewritten to the proxy's, so paging stays same-origin.
 *
 * ```ts
 * const proxy = await startRewritingProxy(lab.url, (answer) => answer);
 * // ... --graph-url proxy.url ...
 * await proxy.close();
 * ```
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedAnswer {
  /** The request's method and path with its query, as the client sent them. */
  readonly method: string;
  readonly path: string;
  /** The request's headers as the client sent them (the Authorization header carries our token). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  status: number;
  headers: Record<string, string>;
  /** The answer's body as text (JSON for Graph), with the lab's origin already replaced. */
  body: string;
}

export type Rewrite = (answer: ProxiedAnswer) => ProxiedAnswer | Promise<ProxiedAnswer>;

export interface RewritingProxy {
  readonly url: string;
  /** Every request that reached the proxy, in order (method and path). */
  readonly requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

const KEPT_HEADERS = ['content-type', 'retry-after', 'request-id', 'client-request-id'];

export async function startRewritingProxy(labUrl: string, rewrite: Rewrite): Promise<RewritingProxy> {
  const requests: Array<{ method: string; path: string }> = [];
  let ownUrl = '';
  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      requests.push({ method, path });
      try {
        const body = await readBody(req);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name)) {
            headers[name] = value;
          }
        }
        const upstream = await fetch(new URL(path, labUrl), {
          method,
          headers,
          ...(body.length > 0 ? { body } : {}),
          redirect: 'manual',
        });
        const answerHeaders: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = upstream.headers.get(name);
          if (value !== null) answerHeaders[name] = value;
        }
        const text = (await upstream.text()).split(labUrl).join(ownUrl);
        const answer = await rewrite({
          method,
          path,
          requestHeaders: headers,
          status: upstream.status,
          headers: answerHeaders,
          body: text,
        });
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch (error) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ProxyError', message: String(error) } }));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ownUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: ownUrl,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Rewrites every string property `name` in a JSON body (any depth) with `replace`. */
export function rewriteJsonStrings(
  body: string,
  name: string,
  replace: (value: string, index: number) => unknown,
): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  let index = 0;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] = key === name && typeof inner === 'string' ? replace(inner, index++) : walk(inner);
      }
      return out;
    }
    return value;
  };
  return JSON.stringify(walk(parsed));
}
