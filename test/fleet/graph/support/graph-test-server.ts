import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the test server saw it arrive. */
export interface Arrival {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** performance.now() when the request's headers arrived. */
  at: number;
}

export type Handler = (request: Arrival, response: ServerResponse, index: number) => unknown;

/**
 * A small Graph stand-in on 127.0.0.1 (port 0: a free one) for one test: `handler` answers, every
 * arrival is recorded. `close()` destroys open sockets too, so a handler that never answers
 * cannot keep the test process alive.
 */
export class GraphTestServer {
  readonly arrivals: Arrival[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server;

  private constructor(handler: Handler) {
    this.server = createServer((request, response) => {
      const at = performance.now();
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const arrival: Arrival = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at,
        };
        const index = this.arrivals.push(arrival) - 1;
        Promise.resolve(handler(arrival, response, index)).catch((error: unknown) => {
          response.writeHead(599);
          response.end(String(error));
        });
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(handler: Handler): Promise<GraphTestServer> {
    const server = new GraphTestServer(handler);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends a JSON body with Graph's request-id header. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'request-id': 'req-test-0001',
    ...headers,
  });
  response.end(text);
}

/** Graph's error body. */
export function graphErrorBody(code: string, message: string): unknown {
  return {
    error: { code, message, innerError: { 'request-id': 'req-inner-0001', date: '2025-01-01T00:00:00' } },
  };
}
