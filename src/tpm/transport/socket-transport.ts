import net from 'node:net';
import { TransportError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS, type Transport, type TransportOptions } from './transport.js';

/** How commands and responses are wrapped on a TCP stream (raw for swtpm, length-prefixed for mssim). */
export interface Framing {
  encode(command: Uint8Array): Uint8Array;
  /** The response at the start of `buf` once it is complete (and how many bytes it used), or undefined. Throws on garbage. */
  decode(buf: Uint8Array, where: string): { response: Uint8Array; consumed: number } | undefined;
}

interface Pending {
  resolve(response: Uint8Array): void;
  reject(error: Error): void;
  /** performance.now() after which the command has failed. */
  deadline: number;
}

/**
 * A TPM reached over TCP with one persistent connection (reconnected after any failure).
 * One command is in flight at a time; every command has a deadline. A response that breaks
 * off, overruns its declared size or arrives unasked closes the connection, so a late or
 * stray byte can never be read as the answer to the next command.
 *
 * The per-command path is kept short because it is measured against a raw socket
 * (docs/benchmarks.md): commands that find the transport idle go straight out, and one watchdog
 * timer serves every deadline instead of a timer per command.
 */
export class SocketTransport implements Transport {
  readonly description: string;
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;
  private ready = false;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: Pending | undefined;
  private readonly waiting: (() => void)[] = [];
  /** A queued command has been released and will start in a microtask: nobody may overtake it. */
  private handingOver = false;
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly timeoutMs: number;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly framing: Framing,
    scheme: string,
    options: TransportOptions = {},
  ) {
    this.description = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  send(command: Uint8Array): Promise<Uint8Array> {
    if (this.pending === undefined && this.waiting.length === 0 && !this.handingOver)
      return this.exchange(command);
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.exchange(command));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drop(new TransportError(`${this.description}: transport closed`));
    for (const next of this.waiting.splice(0)) next();
  }

  /** Lets the next queued command start (after a response or a failure). */
  private releaseNext(): void {
    const next = this.waiting.shift();
    if (next) {
      this.handingOver = true;
      next();
    }
  }

  private exchange(command: Uint8Array): Promise<Uint8Array> {
    this.handingOver = false;
    if (this.closed) return Promise.reject(new TransportError(`${this.description}: transport is closed`));
    return new Promise<Uint8Array>((resolve, reject) => {
      const pending: Pending = { resolve, reject, deadline: performance.now() + this.timeoutMs };
      this.pending = pending;
      this.armWatchdog();
      const bytes = this.framing.encode(command);
      if (this.ready && this.socket) {
        this.socket.write(bytes);
        return;
      }
      this.connect().then(
        (socket) => {
          if (this.pending === pending) socket.write(bytes);
        },
        (error: Error) => {
          if (this.pending === pending) this.drop(error);
        },
      );
    });
  }

  /** One timer for all deadlines: it fires at the earliest one and re-arms itself while commands run. */
  private armWatchdog(): void {
    if (this.watchdog !== undefined) return;
    const check = () => {
      this.watchdog = undefined;
      const pending = this.pending;
      if (!pending) return;
      const left = pending.deadline - performance.now();
      if (left <= 0) {
        this.drop(
          new TransportError(
            `${this.description} did not answer within ${this.timeoutMs} ms; is the TPM (or simulator) running and responsive?`,
          ),
        );
        return;
      }
      this.watchdog = setTimeout(check, Math.ceil(left)).unref();
    };
    // Unref'd: an idle transport must not keep the process alive; while a command is in flight
    // its socket does.
    this.watchdog = setTimeout(check, this.timeoutMs).unref();
  }

  private connect(): Promise<net.Socket> {
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      this.socket = socket;
      socket.once('connect', () => {
        if (this.socket === socket) this.ready = true;
        resolve(socket);
      });
      socket.on('data', (data: Buffer) => this.onData(socket, data));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        const e = new TransportError(`${this.description}: ${describeSocketError(error)}`, { cause: error });
        reject(e);
        if (this.socket === socket) this.drop(e);
      });
      socket.on('close', () => {
        if (this.socket === socket) {
          this.drop(
            new TransportError(
              `${this.description} closed the connection${this.buffered > 0 ? ` after ${this.buffered} bytes of a response` : ' before answering'}`,
            ),
          );
        }
      });
    });
    return this.connecting;
  }

  private onData(socket: net.Socket, data: Buffer): void {
    if (this.socket !== socket) return;
    const pending = this.pending;
    if (!pending) {
      this.drop(new TransportError(`${this.description} sent ${data.length} bytes nobody asked for`));
      return;
    }
    this.buffered += data.length;
    let buf = data;
    if (this.chunks.length > 0) {
      this.chunks.push(data);
      buf = Buffer.concat(this.chunks, this.buffered);
    }
    let frame: { response: Uint8Array; consumed: number } | undefined;
    try {
      frame = this.framing.decode(buf, this.description);
    } catch (error) {
      this.drop(error as Error);
      return;
    }
    if (!frame) {
      this.chunks = [buf];
      return;
    }
    if (frame.consumed !== buf.length) {
      this.drop(
        new TransportError(
          `${this.description} sent ${buf.length - frame.consumed} bytes beyond the response size its header declared`,
        ),
      );
      return;
    }
    this.pending = undefined;
    this.chunks = [];
    this.buffered = 0;
    pending.resolve(frame.response);
    this.releaseNext();
  }

  /** Fails the command in flight (if any) and discards the connection. */
  private drop(error: Error): void {
    const socket = this.socket;
    this.socket = undefined;
    this.connecting = undefined;
    this.ready = false;
    this.chunks = [];
    this.buffered = 0;
    socket?.destroy();
    if (this.watchdog !== undefined) {
      clearTimeout(this.watchdog);
      this.watchdog = undefined;
    }
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      pending.reject(error);
      this.releaseNext();
    }
  }
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing is listening there (is swtpm / the simulator running?)';
    case 'ECONNRESET':
      return 'the connection was reset by the TPM side';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ENOTFOUND':
      return 'host name not found';
    default:
      return error.message;
  }
}
