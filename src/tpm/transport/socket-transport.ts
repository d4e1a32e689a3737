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
  timer: NodeJS.Timeout;
}

/**
 * A TPM reached over TCP with one persistent connection (reconnected after any failure).
 * One command is in flight at a time; every command has a deadline. A response that breaks
 * off, overruns its declared size or arrives unasked closes the connection, so a late or
 * stray byte can never be read as the answer to the next command.
 */
export class SocketTransport implements Transport {
  readonly description: string;
  private socket: net.Socket | undefined;
  private connected: Promise<net.Socket> | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
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
    const run = this.queue.then(() => this.exchange(command));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drop(new TransportError(`${this.description}: transport closed`));
  }

  private async exchange(command: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new TransportError(`${this.description}: transport is closed`);
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(
          new TransportError(
            `${this.description} did not answer within ${this.timeoutMs} ms; is the TPM (or simulator) running and responsive?`,
          ),
        );
      }, this.timeoutMs);
      this.pending = { resolve, reject, timer };
      this.connect().then(
        (socket) => {
          if (this.pending?.timer === timer) socket.write(this.framing.encode(command));
        },
        (error: Error) => this.drop(error),
      );
    });
  }

  private connect(): Promise<net.Socket> {
    if (this.connected) return this.connected;
    this.connected = new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      this.socket = socket;
      socket.once('connect', () => resolve(socket));
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
    return this.connected;
  }

  private onData(socket: net.Socket, data: Buffer): void {
    if (this.socket !== socket) return;
    if (!this.pending) {
      this.drop(new TransportError(`${this.description} sent ${data.length} bytes nobody asked for`));
      return;
    }
    this.chunks.push(data);
    this.buffered += data.length;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [buf];
    let frame: { response: Uint8Array; consumed: number } | undefined;
    try {
      frame = this.framing.decode(buf, this.description);
    } catch (error) {
      this.drop(error as Error);
      return;
    }
    if (!frame) return;
    if (frame.consumed !== buf.length) {
      this.drop(
        new TransportError(
          `${this.description} sent ${buf.length - frame.consumed} bytes beyond the response size its header declared`,
        ),
      );
      return;
    }
    const { resolve, timer } = this.pending;
    clearTimeout(timer);
    this.pending = undefined;
    this.chunks = [];
    this.buffered = 0;
    resolve(frame.response);
  }

  /** Fails the command in flight (if any) and discards the connection. */
  private drop(error: Error): void {
    const socket = this.socket;
    this.socket = undefined;
    this.connected = undefined;
    this.chunks = [];
    this.buffered = 0;
    socket?.destroy();
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
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
