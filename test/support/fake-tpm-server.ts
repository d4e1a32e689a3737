import net from 'node:net';

/**
 * A loopback TCP peer that plays a TPM badly on purpose: each command it receives is answered by
 * the next scripted reply, byte for byte, so tests can drive SocketTransport/Tpm through
 * truncated, oversized, mis-tagged and never-ending responses without a real TPM.
 *
 * Commands are delimited the way a TPM reads them: raw framing (tag 0x8001/0x8002, then the
 * UINT32 size of Part 1 §18.2) or the mssim TPM_SEND_COMMAND prefix (u32 8, u8 locality, u32 size).
 */

/** One step of a scripted reply. */
export type ReplyStep =
  /** Write these bytes (one socket.write, so they arrive together on loopback). */
  | { write: Uint8Array }
  /** Pause before the next step. */
  | { waitMs: number }
  /** Close the connection (FIN) after what was written. */
  | { close: true }
  /** Never answer; keep the connection open. */
  | { silent: true };

export type Reply = Uint8Array | readonly ReplyStep[];

export interface FakeTpmServer {
  readonly host: string;
  readonly port: number;
  /** Every complete command received, in order (without the mssim prefix). */
  readonly commands: Uint8Array[];
  /** How many TCP connections were accepted. */
  readonly connections: number;
  /** Queues replies for the next commands. */
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1, port 0 (the OS picks a free one). Commands without a queued reply are never answered. */
export async function startFakeTpmServer(initial: readonly Reply[] = []): Promise<FakeTpmServer> {
  const queue: Reply[] = [...initial];
  const commands: Uint8Array[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (data: Buffer) => {
      buf = Buffer.concat([buf, data]);
      for (;;) {
        const frame = nextCommand(buf);
        if (!frame) return;
        buf = buf.subarray(frame.consumed);
        commands.push(frame.command);
        const reply = queue.shift();
        if (reply !== undefined) chain = chain.then(() => play(socket, reply));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;

  return {
    host: '127.0.0.1',
    port: address.port,
    commands,
    get connections() {
      return connections;
    },
    reply: (...replies) => {
      queue.push(...replies);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function play(socket: net.Socket, reply: Reply): Promise<void> {
  const steps: readonly ReplyStep[] = reply instanceof Uint8Array ? [{ write: reply }] : reply;
  for (const step of steps) {
    if (socket.destroyed) return;
    if ('write' in step) socket.write(step.write);
    else if ('waitMs' in step) await new Promise((r) => setTimeout(r, step.waitMs));
    else if ('close' in step) {
      socket.end();
      return;
    } else return;
  }
}

function nextCommand(buf: Buffer): { command: Uint8Array; consumed: number } | undefined {
  if (buf.length < 2) return undefined;
  const tag = buf.readUInt16BE(0);
  if (tag === 0x8001 || tag === 0x8002) {
    if (buf.length < 6) return undefined;
    const size = buf.readUInt32BE(2);
    if (buf.length < size) return undefined;
    return { command: Uint8Array.from(buf.subarray(0, size)), consumed: size };
  }
  // mssim TPM_SEND_COMMAND: u32 8, u8 locality, u32 size, command.
  if (buf.length < 9) return undefined;
  const size = buf.readUInt32BE(5);
  if (buf.length < 9 + size) return undefined;
  return { command: Uint8Array.from(buf.subarray(9, 9 + size)), consumed: 9 + size };
}

/** A TPM response: tag, size (computed unless overridden), response code, body. */
export function response(
  body: Uint8Array | readonly number[] = [],
  options: { tag?: number; rc?: number; size?: number } = {},
): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const out = new Uint8Array(10 + b.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, options.tag ?? 0x8001);
  view.setUint32(2, options.size ?? out.length);
  view.setUint32(6, options.rc ?? 0);
  out.set(b, 10);
  return out;
}

/** A port nothing listens on: bind one, note it, close it. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
