/**
 * A forward proxy as HTTPS_PROXY/HTTP_PROXY name one, for tests, on loopback only: it serves
 * absolute-form requests (RFC 9112 §3.2.2, `GET http://host:port/path HTTP/1.1`) and CONNECT
 * tunnels (RFC 9110 §9.3.6), and records each. It only ever connects to a loopback address:
 * anything else (login.microsoftonline.com:443, say) is recorded and refused with 403, so a test
 * can see that a request went to the proxy without anything leaving the machine.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect, isIP } from 'node:net';

export interface LoopbackForwardProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Request lines of absolute-form requests, e.g. "GET http://127.0.0.1:4780/lab/info". */
  readonly forwarded: string[];
  /** CONNECT targets, e.g. "login.microsoftonline.com:443". */
  readonly connects: string[];
  /** The Proxy-Authorization header of every request or CONNECT (undefined when none). */
  readonly authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

function hopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive'])
    delete copy[name];
  return copy;
}

export async function startLoopbackForwardProxy(
  options: { refuseConnect?: boolean } = {},
): Promise<LoopbackForwardProxy> {
  const forwarded: string[] = [];
  const connects: string[] = [];
  const authorizations: Array<string | undefined> = [];
  // A tunnel's sockets leave the server's books once CONNECT is answered: closed here at the end.
  const tunnels = new Set<{ destroy(): void }>();
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers['proxy-authorization']);
    forwarded.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('a forward proxy takes absolute-form requests');
      return;
    }
    if (target.protocol !== 'http:' || !isLoopbackHost(target.hostname)) {
      res.writeHead(403).end('this test proxy reaches loopback only');
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: Number(target.port || 80),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: hopByHop(req.headers),
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    authorizations.push(req.headers['proxy-authorization']);
    const authority = req.url ?? '';
    connects.push(authority);
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(authority);
    if (options.refuseConnect || !match || !isLoopbackHost(match[1] as string)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    tunnels.add(socket);
    const upstream = connect(Number(match[2]), (match[1] as string).replace(/^\[|\]$/g, ''), () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    connects,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        for (const tunnel of tunnels) tunnel.destroy();
        server.close(() => resolve());
      }),
  };
}
