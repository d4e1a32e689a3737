/**
 * A Server-Sent Events reader for the console's event streams (as a browser's EventSource reads
 * them: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
 * with the Last-Event-ID header under the test's control. It stops at a state, never after a time.
 */
import { request as httpRequest } from 'node:http';
import { sessionHeaderOf } from './console-http.js';

export interface SseEvent {
  id: number | null;
  event: string;
  data: unknown;
}

/**
 * Reads `path`'s events until `until(events)` is true (the connection is then dropped, as a page
 * that goes away drops it) or the server ends the stream.
 */
export function readEvents(
  origin: string,
  path: string,
  cookie: string,
  until: (events: readonly SseEvent[]) => boolean = () => false,
  lastEventId?: number,
): Promise<{ status: number; events: SseEvent[]; ended: boolean }> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        headers: {
          cookie,
          ...sessionHeaderOf(cookie),
          accept: 'text/event-stream',
          ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}),
        },
        agent: false,
      },
      (res) => {
        let buffer = '';
        let done = false;
        const finish = (ended: boolean) => {
          if (done) return;
          done = true;
          resolve({ status: res.statusCode ?? 0, events, ended });
          if (!ended) req.destroy();
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let cut = buffer.indexOf('\n\n');
          while (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            cut = buffer.indexOf('\n\n');
            const fields = new Map<string, string>();
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
            }
            if (!fields.has('data')) continue;
            const raw = fields.get('data') as string;
            let data: unknown = raw;
            try {
              data = JSON.parse(raw);
            } catch {
              // A non-JSON answer (an error page) stays text.
            }
            events.push({
              id: fields.has('id') ? Number(fields.get('id')) : null,
              event: fields.get('event') ?? 'message',
              data,
            });
            if (until(events)) return finish(false);
          }
        });
        res.on('end', () => finish(true));
        res.on('error', (e) => (done ? undefined : reject(e)));
      },
    );
    req.on('error', (e) => reject(e));
    req.end();
  });
}
