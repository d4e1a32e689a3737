/**
 * Client for swtpm's control channel (`swtpm socket --ctrl type=tcp,...`).
 *
 * Wire format (swtpm include/swtpm/tpm_ioctl.h, "Commands used by the non-CUSE TPMs"):
 * a request is a big-endian u32 command code followed by the command's request struct;
 * a reply is the command's response struct, which (except for CMD_GET_CAPABILITY on old
 * versions, see below) starts with a big-endian u32 result, 0 = success. Replies carry no
 * length prefix, so the client must know how many bytes each reply has.
 *
 * Connection behaviour (verified on swtpm 0.7.1): the control connection stays open between
 * commands, and swtpm serves only ONE control client at a time; a second client is accepted
 * by the kernel but not served until the first one disconnects. tpm2-tss's swtpm TCTI opens
 * the control port for CMD_INIT / CMD_SET_LOCALITY, so holding a connection open would stall
 * it. This client therefore opens one connection per request and closes it after the reply.
 * swtpm reads each request with a single read(), so every request goes out in one write.
 */
import net from 'node:net';
import { TpmDoctorError } from '../../errors.js';

const SWTPM_CTRL = {
  CMD_GET_CAPABILITY: 0x01,
  CMD_INIT: 0x02,
  CMD_SHUTDOWN: 0x03,
  CMD_GET_TPMESTABLISHED: 0x04,
  CMD_SET_LOCALITY: 0x05,
  CMD_HASH_START: 0x06,
  CMD_HASH_DATA: 0x07,
  CMD_HASH_END: 0x08,
  CMD_CANCEL_TPM_CMD: 0x09,
  CMD_STORE_VOLATILE: 0x0a,
  CMD_RESET_TPMESTABLISHED: 0x0b,
  CMD_GET_STATEBLOB: 0x0c,
  CMD_SET_STATEBLOB: 0x0d,
  CMD_STOP: 0x0e,
  CMD_GET_CONFIG: 0x0f,
  CMD_SET_DATAFD: 0x10,
  CMD_SET_BUFFERSIZE: 0x11,
  CMD_GET_INFO: 0x12,
} as const;

/** Bits of the CMD_GET_CAPABILITY mask (PTM_CAP_*). */
export const SWTPM_CAP = {
  INIT: 1 << 0,
  SHUTDOWN: 1 << 1,
  GET_TPMESTABLISHED: 1 << 2,
  SET_LOCALITY: 1 << 3,
  HASHING: 1 << 4,
  CANCEL_TPM_CMD: 1 << 5,
  STORE_VOLATILE: 1 << 6,
  RESET_TPMESTABLISHED: 1 << 7,
  GET_STATEBLOB: 1 << 8,
  SET_STATEBLOB: 1 << 9,
  STOP: 1 << 10,
  GET_CONFIG: 1 << 11,
  SET_DATAFD: 1 << 12,
  SET_BUFFERSIZE: 1 << 13,
  GET_INFO: 1 << 14,
} as const;

/** Flags for CMD_GET_INFO (libtpms TPMLIB_INFO_*). */
const SWTPM_INFO = {
  TPM_SPECIFICATION: 1,
  TPM_ATTRIBUTES: 2,
  TPM_FEATURES: 4,
} as const;

/** CMD_INIT flag: delete the volatile state file after reading it. */
const INIT_FLAG_DELETE_VOLATILE = 1;

const COMMAND_NAMES = new Map<number, string>(Object.entries(SWTPM_CTRL).map(([name, code]) => [code, name]));

export class SwtpmControlError extends TpmDoctorError {
  /** The control command, e.g. 'CMD_INIT'. */
  readonly command: string;
  /** The non-zero result code swtpm answered with, when it answered. */
  readonly result?: number;

  constructor(message: string, command: string, result?: number, options?: { cause?: unknown }) {
    super('swtpm-control', message, options);
    this.name = 'SwtpmControlError';
    this.command = command;
    if (result !== undefined) this.result = result;
  }
}

/**
 * Decides when a reply is complete: returns the total reply length once it is known from the bytes
 * received so far, or undefined while more bytes are needed to know it.
 */
type ReplyLength = (received: Buffer) => number | undefined;

const fixedLength =
  (length: number): ReplyLength =>
  () =>
    length;

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

export interface SwtpmControlOptions {
  /** Per-request deadline (connect + send + reply); default 5000 ms. */
  timeoutMs?: number;
}

export class SwtpmControl {
  readonly host: string;
  readonly port: number;
  private readonly timeoutMs: number;
  private readonly inFlight = new Set<net.Socket>();
  private closed = false;

  constructor(host: string, port: number, options: SwtpmControlOptions = {}) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`invalid port ${port}`);
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!(timeoutMs > 0)) throw new RangeError(`invalid timeoutMs ${timeoutMs}`);
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
  }

  /** CMD_GET_CAPABILITY: the PTM_CAP_* bit mask (see {@link SWTPM_CAP}). */
  async getCapability(): Promise<number> {
    // swtpm <= 0.7 answers a big-endian u64 mask; newer versions answer u32 result + u32 mask.
    // Both read the same way while the mask fits in 32 bits and the result is 0.
    const reply = await this.request(SWTPM_CTRL.CMD_GET_CAPABILITY, Buffer.alloc(0), fixedLength(8));
    return reply.readUInt32BE(4);
  }

  /**
   * CMD_INIT: a _TPM_Init, i.e. the power-cycle / reboot of the TPM. After it, TPM commands fail
   * with TPM_RC_INITIALIZE (0x100) until TPM2_Startup is sent. `deleteVolatile` deletes the saved
   * volatile state file after reading it.
   */
  async init(options: { deleteVolatile?: boolean } = {}): Promise<void> {
    const body = Buffer.alloc(4);
    body.writeUInt32BE(options.deleteVolatile ? INIT_FLAG_DELETE_VOLATILE : 0);
    await this.request(SWTPM_CTRL.CMD_INIT, body, fixedLength(4));
  }

  /** CMD_SHUTDOWN: swtpm shuts the TPM down and the process exits after answering. */
  async shutdown(): Promise<void> {
    await this.request(SWTPM_CTRL.CMD_SHUTDOWN, Buffer.alloc(0), fixedLength(4));
  }

  /** CMD_GET_TPMESTABLISHED: the TPM's "established" bit (set by a dynamic root of trust launch). */
  async getTpmEstablished(): Promise<boolean> {
    // Reply: u32 result, u8 bit, padded to 8 bytes by the C struct layout.
    const reply = await this.request(SWTPM_CTRL.CMD_GET_TPMESTABLISHED, Buffer.alloc(0), fixedLength(5));
    return (reply[4] ?? 0) !== 0;
  }

  /** CMD_SET_LOCALITY: the locality (0-4) of the following TPM commands. */
  async setLocality(locality: number): Promise<void> {
    if (!Number.isInteger(locality) || locality < 0 || locality > 4) {
      throw new RangeError(`locality must be an integer 0-4, got ${locality}`);
    }
    await this.request(SWTPM_CTRL.CMD_SET_LOCALITY, Buffer.from([locality]), fixedLength(4));
  }

  /**
   * CMD_GET_INFO: libtpms' JSON description of the TPM (flags: {@link SWTPM_INFO}; default
   * specification + attributes), e.g. `{"TPMSpecification":{"family":"2.0",...},"TPMAttributes":{...}}`.
   */
  async getInfo(flags: number = SWTPM_INFO.TPM_SPECIFICATION | SWTPM_INFO.TPM_ATTRIBUTES): Promise<unknown> {
    const chunks: Buffer[] = [];
    let offset = 0;
    let total = Number.POSITIVE_INFINITY;
    while (offset < total) {
      const body = Buffer.alloc(16); // u64 flags, u32 offset, u32 pad
      body.writeBigUInt64BE(BigInt(flags), 0);
      body.writeUInt32BE(offset, 8);
      const reply = await this.request(SWTPM_CTRL.CMD_GET_INFO, body, (received) =>
        received.length >= 12 ? 12 + received.readUInt32BE(8) : undefined,
      );
      total = reply.readUInt32BE(4);
      const length = reply.readUInt32BE(8);
      if (length === 0 && offset < total) {
        throw new SwtpmControlError(
          `swtpm control channel at ${this.host}:${this.port} answered CMD_GET_INFO with no data at offset ${offset} of ${total}`,
          'CMD_GET_INFO',
        );
      }
      chunks.push(reply.subarray(12));
      offset += length;
    }
    const text = Buffer.concat(chunks).toString('utf8').replace(/\0+$/, '');
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new SwtpmControlError(
        `swtpm control channel at ${this.host}:${this.port} answered CMD_GET_INFO with invalid JSON`,
        'CMD_GET_INFO',
        undefined,
        { cause: err },
      );
    }
  }

  /** Abort requests in flight; later calls fail. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const socket of this.inFlight) socket.destroy();
    this.inFlight.clear();
  }

  /** One request on a fresh connection; resolves with the complete reply (result 0 checked). */
  private request(code: number, body: Buffer, replyLength: ReplyLength): Promise<Buffer> {
    const command = COMMAND_NAMES.get(code) ?? `command ${hex32(code)}`;
    const where = `swtpm control channel at ${this.host}:${this.port}`;
    if (this.closed) return Promise.reject(new SwtpmControlError(`${where}: client is closed`, command));

    return new Promise<Buffer>((resolve, reject) => {
      const request = Buffer.alloc(4 + body.length);
      request.writeUInt32BE(code, 0);
      body.copy(request, 4);

      let received = Buffer.alloc(0);
      let settled = false;
      const socket = net.connect({ host: this.host, port: this.port });
      this.inFlight.add(socket);
      socket.setNoDelay(true);

      const finish = (err: Error | undefined, reply?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inFlight.delete(socket);
        socket.destroy();
        if (err) reject(err);
        else resolve(reply ?? Buffer.alloc(0));
      };

      const timer = setTimeout(() => {
        finish(
          new SwtpmControlError(`${where} did not answer ${command} within ${this.timeoutMs} ms`, command),
        );
      }, this.timeoutMs);

      socket.once('connect', () => {
        socket.write(request);
      });
      socket.on('data', (data: Buffer) => {
        received = Buffer.concat([received, data]);
        if (received.length < 4) return;
        // CMD_GET_CAPABILITY on swtpm <= 0.7 has no result word; its first u32 is the mask's high half (0).
        const result = received.readUInt32BE(0);
        if (result !== 0) {
          finish(
            new SwtpmControlError(
              `${where} answered ${command} with result ${hex32(result)}`,
              command,
              result,
            ),
          );
          return;
        }
        const need = replyLength(received);
        if (need !== undefined && received.length >= need) finish(undefined, received.subarray(0, need));
      });
      socket.once('end', () => {
        const need = replyLength(received);
        finish(
          new SwtpmControlError(
            `${where} closed the connection during ${command} after ${received.length} reply bytes` +
              (need !== undefined ? ` (expected ${need})` : ''),
            command,
          ),
        );
      });
      socket.once('close', () => {
        finish(new SwtpmControlError(`${where} closed the connection during ${command}`, command));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        const reason =
          err.code === 'ECONNREFUSED'
            ? 'refused the connection (is swtpm running with --ctrl type=tcp on that port?)'
            : `failed: ${err.message}`;
        finish(
          new SwtpmControlError(`${where} ${reason} during ${command}`, command, undefined, { cause: err }),
        );
      });
    });
  }
}
