import type { ServerResponse } from 'node:http';
import { safeJson } from './http-response.js';

interface LoggedEvent {
  id: number;
  event: string;
  data: string;
}

/** Events kept for a reconnecting page; an older Last-Event-ID gets a fresh snapshot instead. */
const KEPT_EVENTS = 2_000;

/**
 * The events of one campaign or triage, numbered from 1, streamed to every page watching it over
 * Server-Sent Events (https://html.spec.whatwg.org/multipage/server-sent-events.html). A page
 * that reconnects sends the last id it saw (Last-Event-ID) and gets what it missed; when that is
 * no longer kept, or it sends none, it gets a snapshot of now first.
 */
export class EventLog {
  #events: LoggedEvent[] = [];
  #nextId = 1;
  #watchers = new Set<ServerResponse>();
  /** Watchers that stay after the run ends, for what happens to it next (a resume, an abandon). */
  #followers = new Set<ServerResponse>();
  #ended = false;

  push(event: string, value: unknown): void {
    const entry = { id: this.#nextId++, event, data: safeJson(value) };
    this.#events.push(entry);
    if (this.#events.length > KEPT_EVENTS) this.#events.splice(0, this.#events.length - KEPT_EVENTS);
    for (const watcher of this.#watchers) writeEvent(watcher, entry);
  }

  /** The run is over: watchers get everything so far, then the stream closes. */
  end(event: string, value: unknown): void {
    this.push(event, value);
    this.#ended = true;
    for (const watcher of this.#watchers) if (!this.#followers.has(watcher)) watcher.end();
    this.#watchers = new Set(this.#followers);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Running again (a resume): new events follow the old ones' numbers. */
  reopen(): void {
    this.#ended = false;
  }

  /**
   * Streams to `response`: the events after `lastEventId` when they are all kept, else
   * `snapshot()` first; then each new one until the run ends or the page goes. A `follow`er
   * stays after the end too, until the page goes or the console stops.
   */
  watch(
    response: ServerResponse,
    lastEventId: number | undefined,
    snapshot: () => unknown,
    follow = false,
  ): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
    // How long a browser waits before reconnecting after the stream broke.
    response.write('retry: 2000\n\n');
    const first = this.#events[0]?.id ?? this.#nextId;
    const replay =
      lastEventId !== undefined && lastEventId >= first - 1 && lastEventId < this.#nextId
        ? this.#events.filter((e) => e.id > lastEventId)
        : undefined;
    if (replay === undefined) {
      // The snapshot carries the id of the last event it includes, so a later reconnect resumes after it.
      writeEvent(response, { id: this.#nextId - 1, event: 'snapshot', data: safeJson(snapshot()) });
    } else {
      for (const entry of replay) writeEvent(response, entry);
    }
    if (this.#ended) {
      if (replay === undefined) {
        const last = this.#events.at(-1);
        if (last !== undefined) writeEvent(response, last);
      }
      if (!follow) {
        response.end();
        return;
      }
    }
    this.#watchers.add(response);
    if (follow) this.#followers.add(response);
    response.on('close', () => {
      this.#watchers.delete(response);
      this.#followers.delete(response);
    });
  }

  /** Every watcher's stream closes (the console stops). */
  closeAll(): void {
    for (const watcher of this.#watchers) watcher.end();
    this.#watchers.clear();
    this.#followers.clear();
  }
}

function writeEvent(response: ServerResponse, entry: LoggedEvent): void {
  // safeJson never contains a line break, so one data line carries the whole event.
  response.write(`id: ${entry.id}\nevent: ${entry.event}\ndata: ${entry.data}\n\n`);
}

/** The Last-Event-ID a reconnecting EventSource sends, when it is one of ours (a number). */
export function lastEventIdOf(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}
