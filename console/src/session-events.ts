import { sessionHeaders } from './session.js';

/**
 * Server-Sent Events read with fetch(), because EventSource cannot send the session's header
 * (session.ts) and the secret must not go into a URL. It behaves as EventSource does for the
 * console's streams: named events as MessageEvents, the `retry:` delay, and on a dropped
 * connection a reconnect that sends Last-Event-ID so the server replays what was missed; an
 * answer other than a 200 event stream closes it for good. Parsing follows
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation.
 */
export class SessionEvents extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState: number = SessionEvents.CONNECTING;
  onerror: ((e: Event) => void) | null = null;
  readonly #url: string;
  readonly #abort = new AbortController();
  #lastEventId = '';
  #retryMs = 3000;

  constructor(url: string) {
    super();
    this.#url = url;
    void this.#connect();
  }

  close(): void {
    this.readyState = SessionEvents.CLOSED;
    this.#abort.abort();
  }

  #fail(): void {
    const error = new Event('error');
    this.onerror?.(error);
    this.dispatchEvent(error);
  }

  async #connect(): Promise<void> {
    while (this.readyState !== SessionEvents.CLOSED) {
      let response: Response;
      try {
        response = await fetch(this.#url, {
          credentials: 'same-origin',
          cache: 'no-store',
          headers: {
            Accept: 'text/event-stream',
            ...sessionHeaders(),
            ...(this.#lastEventId === '' ? {} : { 'Last-Event-ID': this.#lastEventId }),
          },
          signal: this.#abort.signal,
        });
      } catch {
        if (!(await this.#reconnecting())) return;
        continue;
      }
      const type = response.headers.get('Content-Type') ?? '';
      if (!response.ok || !type.startsWith('text/event-stream') || response.body === null) {
        this.readyState = SessionEvents.CLOSED;
        this.#fail();
        return;
      }
      this.readyState = SessionEvents.OPEN;
      try {
        await this.#read(response.body);
      } catch {
        // A dropped connection: reconnect as below.
      }
      if (!(await this.#reconnecting())) return;
    }
  }

  /** After a dropped connection: report it, wait the server's retry delay, and say whether to go on. */
  async #reconnecting(): Promise<boolean> {
    if (this.readyState === SessionEvents.CLOSED) return false;
    this.readyState = SessionEvents.CONNECTING;
    this.#fail();
    await new Promise((resolve) => setTimeout(resolve, this.#retryMs));
    return this.readyState !== SessionEvents.CLOSED;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let data: string[] = [];
    let name = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      // A line ends at CRLF, LF or CR; a CR at the very end may be half of a CRLF.
      for (let end = buffer.search(/\r\n|\r(?!$)|\n/); end >= 0; end = buffer.search(/\r\n|\r(?!$)|\n/)) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
        if (line === '') {
          if (data.length > 0 && this.readyState !== SessionEvents.CLOSED) {
            this.dispatchEvent(
              new MessageEvent(name === '' ? 'message' : name, {
                data: data.join('\n'),
                lastEventId: this.#lastEventId,
              }),
            );
          }
          data = [];
          name = '';
          continue;
        }
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(text);
        else if (field === 'event') name = text;
        else if (field === 'id' && !text.includes('\0')) this.#lastEventId = text;
        else if (field === 'retry' && /^\d+$/.test(text)) this.#retryMs = Number(text);
      }
    }
  }
}
