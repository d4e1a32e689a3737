/**
 * A stand-in for the Linux kernel's side of /dev/tpm0 and /dev/tpmrm0 opened O_NONBLOCK, with
 * the timing of drivers/char/tpm/tpm-dev-common.c, at the system-call boundary the device:
 * transport uses (DeviceFile):
 * - write() queues the command on a workqueue and returns at once (EBUSY while one is queued
 *   or its response is unread);
 * - read() before the queued work has started answers 0 bytes (response_length is 0), never
 *   EAGAIN;
 * - read() while the work runs waits for it (the work holds buffer_mutex), then answers the
 *   whole response;
 * - close() waits for the work (flush_work) and drops the response.
 * A pty bridge (the other device tests) answers EAGAIN instead and cannot show either case; no
 * vtpm_proxy is available on CI machines. The real kernel is exercised by test/qemu/.
 */
import type { DeviceFile } from '../../src/tpm/transport/device-file.js';

export interface KernelTpmDeviceOptions {
  /** Runs one command on the TPM behind the device (the kernel's tpm_transmit). */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /** How long the queued work waits before it starts (workqueue scheduling); reads see 0 bytes meanwhile. */
  startDelayMs: number;
}

interface OpenFile {
  state: 'idle' | 'queued' | 'running' | 'ready';
  response?: Uint8Array;
  work?: Promise<void>;
}

export class KernelTpmDevice implements DeviceFile {
  /** Every read's result, in order: what the transport was shown. */
  readonly reads: number[] = [];
  readonly opened: number[] = [];
  readonly closed: number[] = [];
  private readonly files = new Map<number, OpenFile>();
  private nextFd = 100;

  constructor(private readonly options: KernelTpmDeviceOptions) {}

  async open(): Promise<number> {
    const fd = this.nextFd++;
    this.files.set(fd, { state: 'idle' });
    this.opened.push(fd);
    return fd;
  }

  async write(fd: number, bytes: Uint8Array): Promise<number> {
    const file = this.file(fd);
    if (file.state !== 'idle') throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' });
    const command = bytes.slice();
    file.state = 'queued';
    file.work = (async () => {
      await new Promise((resolve) => setTimeout(resolve, this.options.startDelayMs));
      file.state = 'running';
      file.response = await this.options.transmit(command);
      file.state = 'ready';
    })();
    return bytes.length;
  }

  async read(fd: number, into: Uint8Array, offset: number): Promise<number> {
    const file = this.file(fd);
    if (file.state === 'running') await file.work;
    if (file.state !== 'ready' || !file.response) {
      this.reads.push(0);
      return 0;
    }
    const n = Math.min(file.response.length, into.length - offset);
    into.set(file.response.subarray(0, n), offset);
    file.response = file.response.subarray(n);
    if (file.response.length === 0) {
      file.state = 'idle';
      file.response = undefined;
    }
    this.reads.push(n);
    return n;
  }

  async close(fd: number): Promise<void> {
    const file = this.file(fd);
    await file.work;
    this.files.delete(fd);
    this.closed.push(fd);
  }

  private file(fd: number): OpenFile {
    const file = this.files.get(fd);
    if (!file) throw Object.assign(new Error('EBADF'), { code: 'EBADF' });
    return file;
  }
}
