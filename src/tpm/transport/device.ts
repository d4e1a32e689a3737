import fs from 'node:fs';
import { TransportError } from '../errors.js';
import { type DeviceFile, nodeDeviceFile } from './device-file.js';
import { responseLength } from './response-frame.js';
import { DEFAULT_TIMEOUT_MS, MAX_RESPONSE_SIZE, type Transport, type TransportOptions } from './transport.js';

/**
 * A Linux TPM character device. /dev/tpmrm0 (the kernel's resource manager) comes first: it
 * lets many clients share the TPM and flushes what a crashed client left behind. /dev/tpm0 is
 * the raw device, one client at a time, with no clean-up (the cause of TPM_RC_OBJECT_MEMORY
 * reports in tpm2-tools #303).
 *
 * The device is opened O_NONBLOCK. The kernel (drivers/char/tpm/tpm-dev-common.c) then only
 * queues the written command; tpm_common_read answers 0 bytes until the queued work has a
 * response, and waits on the buffer mutex while the work holds it (the command is running). It
 * never answers EAGAIN. So, as tpm2-tss's device TCTI waits for POLLIN before reading, a 0-byte
 * read before the first response byte means "not ready yet" and is retried until the deadline;
 * a 0-byte read after some bytes is a truncated response. EAGAIN is still "not ready" for other
 * character devices (a pty, a vTPM proxy). A read the kernel holds while the command runs takes
 * a libuv worker until the kernel's own command timeout; the deadline does not wait for it: the
 * send fails at the deadline and the descriptor is closed (which cancels the command in the
 * kernel) as soon as that read returns. The command's result is printed at the deadline, but the
 * process itself ends only when that read returns: the worker waits uninterruptibly on the
 * file's buffer mutex (tpm_common_read), where no signal reaches it, and Node's exit joins its
 * worker threads. The kernel bounds the wait by the command's duration (drivers/char/tpm/
 * tpm2-cmd.c, tpm2_calc_ordinal_duration: two minutes for most commands); docs/testing.md.
 */
export class DeviceTransport implements Transport {
  readonly description: string;
  private handle: Promise<number> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;

  constructor(
    private readonly path: string,
    options: TransportOptions = {},
    private readonly io: DeviceFile = nodeDeviceFile,
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
    if (fd !== undefined) await this.io.close(fd);
  }

  private file(): Promise<number> {
    this.handle ??= this.io
      .open(this.path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK)
      .catch((e: NodeJS.ErrnoException) => {
        this.handle = undefined;
        throw new TransportError(`cannot open ${this.path}: ${describeOpenError(e)}`, {
          cause: e,
          absent: e.code === 'ENOENT' || e.code === 'ENODEV' || e.code === 'ENXIO',
        });
      });
    return this.handle;
  }

  private async exchange(command: Uint8Array): Promise<Uint8Array> {
    const fd = await this.file();
    try {
      const bytesWritten = await this.io.write(fd, command);
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
      const reading = this.io.read(fd, buf, received);
      let bytesRead: number | typeof TIMED_OUT;
      try {
        bytesRead = await beforeDeadline(reading, deadline);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
          await this.close();
          throw new TransportError(`reading from ${this.path} failed: ${(e as Error).message}`, { cause: e });
        }
        bytesRead = 0;
      }
      if (bytesRead === TIMED_OUT) {
        // The kernel holds this read until the command ends: close the descriptor only then, so
        // its number is never reused under a pending read. The next send opens a fresh one.
        this.handle = undefined;
        void reading.then(
          () => this.io.close(fd),
          () => this.io.close(fd),
        );
        throw this.timedOut();
      }
      if (bytesRead === 0 && received > 0) {
        await this.close();
        throw new TransportError(`${this.path} reached end of file mid-response`);
      }
      if (bytesRead > 0) {
        // The kernel hands over the whole response in one read (tpm_common_read); a character
        // device in general (a pty, a vTPM proxy) may deliver it in pieces, so gather until the
        // header's size is complete.
        received += bytesRead;
        let size: number | undefined;
        try {
          size = responseLength(buf.subarray(0, received), this.description);
        } catch (e) {
          await this.close();
          throw e;
        }
        if (size !== undefined && received >= size) {
          if (received > size) {
            await this.close();
            throw new TransportError(
              `${this.path} returned ${received} bytes; the response header says ${size}`,
            );
          }
          return buf.slice(0, size);
        }
        delay = 0;
        continue;
      }
      if (Date.now() >= deadline) {
        // Closing the file cancels the command in the kernel; the next send reopens it.
        await this.close();
        throw this.timedOut();
      }
      delay = Math.min(delay === 0 ? 1 : delay * 2, 20);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))),
      );
    }
  }

  private timedOut(): TransportError {
    return new TransportError(`${this.path} did not answer within ${this.timeoutMs} ms`);
  }
}

const TIMED_OUT = Symbol('timed out');

/** The read's outcome, or TIMED_OUT when the deadline comes first (the read is left running). */
function beforeDeadline(reading: Promise<number>, deadline: number): Promise<number | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([reading, timeout]).finally(() => clearTimeout(timer));
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
