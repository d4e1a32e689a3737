import fs from 'node:fs';
import { TransportError } from '../errors.js';
import { responseLength } from './response-frame.js';
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_SIZE, type Transport, type TransportOptions } from './transport.js';

/**
 * A Linux TPM character device. /dev/tpmrm0 (the kernel's resource manager) comes first: it
 * lets many clients share the TPM and flushes what a crashed client left behind. /dev/tpm0 is
 * the raw device, one client at a time, with no clean-up (the cause of TPM_RC_OBJECT_MEMORY
 * reports in tpm2-tools #303). The device is opened O_NONBLOCK: the kernel (drivers/char/tpm/
 * tpm-dev-common.c) queues the written command and read() answers EAGAIN until the response is
 * ready, so we poll without ever blocking the event loop or a libuv worker, and can time out.
 */
export class DeviceTransport implements Transport {
  readonly description: string;
  private handle: Promise<number> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;

  constructor(
    private readonly path: string,
    options: TransportOptions = {},
  ) {
    this.description = `device:${path}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  send(command: Uint8Array): Promise<Uint8Array> {
    const run = this.queue.then(() => this.exchange(command));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    const fd = handle ? await handle.catch(() => undefined) : undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }

  private file(): Promise<number> {
    this.handle ??= openFd(this.path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK).catch(
      (e: NodeJS.ErrnoException) => {
        this.handle = undefined;
        throw new TransportError(`cannot open ${this.path}: ${describeOpenError(e)}`, {
          cause: e,
          absent: e.code === 'ENOENT' || e.code === 'ENODEV' || e.code === 'ENXIO',
        });
      },
    );
    return this.handle;
  }

  private async exchange(command: Uint8Array): Promise<Uint8Array> {
    const fd = await this.file();
    try {
      const bytesWritten = await writeFd(fd, command);
      if (bytesWritten !== command.length) {
        throw new TransportError(`${this.path} accepted ${bytesWritten} of ${command.length} command bytes`);
      }
    } catch (e) {
      // A half-sent command leaves the device in an unknown state: start afresh next time.
      await this.close();
      if (e instanceof TransportError) throw e;
      throw new TransportError(`writing to ${this.path} failed: ${(e as Error).message}`, { cause: e });
    }
    const buf = new Uint8Array(MAX_RESPONSE_SIZE);
    const deadline = Date.now() + this.timeoutMs;
    let received = 0;
    let delay = 0;
    for (;;) {
      try {
        // The kernel hands over the whole response in one read (tpm_common_read); a character
        // device in general (a pty, a vTPM proxy) may deliver it in pieces, so gather until the
        // header's size is complete.
        const bytesRead = await readFd(fd, buf, received);
        if (bytesRead === 0) throw new TransportError(`${this.path} reached end of file mid-response`);
        received += bytesRead;
        const size = responseLength(buf.subarray(0, received), this.description);
        if (size !== undefined && received >= size) {
          if (received > size) {
            throw new TransportError(
              `${this.path} returned ${received} bytes; the response header says ${size}`,
            );
          }
          return buf.slice(0, size);
        }
        delay = 0;
        continue;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
          if (e instanceof TransportError) {
            await this.close();
            throw e;
          }
          await this.close();
          throw new TransportError(`reading from ${this.path} failed: ${(e as Error).message}`, { cause: e });
        }
      }
      if (Date.now() >= deadline) {
        // Closing the file cancels the command in the kernel; the next send reopens it.
        await this.close();
        throw new TransportError(`${this.path} did not answer within ${this.timeoutMs} ms`);
      }
      delay = Math.min(delay === 0 ? 1 : delay * 2, 20);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

// node:fs callbacks wrapped by hand: node:fs/promises would load a dozen more internal modules
// at start-up (readline, watchers) for nothing (docs/benchmarks.md).
function openFd(path: string, flags: number): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, flags, (e, fd) => (e ? reject(e) : resolve(fd))));
}

function writeFd(fd: number, bytes: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.write(fd, bytes, 0, bytes.length, null, (e, n) => (e ? reject(e) : resolve(n))),
  );
}

function readFd(fd: number, into: Uint8Array, offset: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, into, offset, into.length - offset, null, (e, n) => (e ? reject(e) : resolve(n))),
  );
}

function describeOpenError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such device (no TPM, or its driver is not loaded)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (run as root, or add your user to the "tss" group)';
    case 'EBUSY':
      return 'the device is busy (another program holds /dev/tpm0; use /dev/tpmrm0)';
    default:
      return e.message;
  }
}
