import fs from 'node:fs';

/**
 * The four system calls the device: transport makes on a TPM character device, behind an
 * interface so that a test can stand in for the kernel's side (drivers/char/tpm/
 * tpm-dev-common.c) with its exact timing: a read that answers 0 bytes before the queued
 * command starts, and one that blocks while it runs.
 */
export interface DeviceFile {
  open(path: string, flags: number): Promise<number>;
  write(fd: number, bytes: Uint8Array): Promise<number>;
  /** Reads into `into` from `offset` to its end; resolves with the byte count (0 included). */
  read(fd: number, into: Uint8Array, offset: number): Promise<number>;
  close(fd: number): Promise<void>;
}

// node:fs callbacks wrapped by hand: node:fs/promises would load a dozen more internal modules
// at start-up (readline, watchers) for nothing (docs/benchmarks.md).
export const nodeDeviceFile: DeviceFile = {
  open: (path, flags) =>
    new Promise((resolve, reject) => fs.open(path, flags, (e, fd) => (e ? reject(e) : resolve(fd)))),
  write: (fd, bytes) =>
    new Promise((resolve, reject) =>
      fs.write(fd, bytes, 0, bytes.length, null, (e, n) => (e ? reject(e) : resolve(n))),
    ),
  read: (fd, into, offset) =>
    new Promise((resolve, reject) =>
      fs.read(fd, into, offset, into.length - offset, null, (e, n) => (e ? reject(e) : resolve(n))),
    ),
  close: (fd) => new Promise((resolve) => fs.close(fd, () => resolve())),
};
