import { closeSync, openSync, readSync } from 'node:fs';

/**
 * A file the user named on the command line (a secret, a script, a list of device ids), read
 * with a size limit: `/dev/zero`, a FIFO that never ends or a log file given by mistake must not
 * grow the process until it dies. Reads at most `maxBytes + 1` bytes and refuses anything over
 * `maxBytes`; devices and pipes are allowed (`--lockout-auth-file /dev/stdin`), since only their
 * size is at stake. Errors say what was expected, never what the file holds.
 */
export function readBoundedFile(path: string | 0, maxBytes: number, what: string): string {
  const fd = path === 0 ? 0 : openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) {
      throw new BoundedReadError(`is larger than ${describeBytes(maxBytes)}; expected ${what}`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    if (path !== 0) closeSync(fd);
  }
}

/** The file was readable but too large for what it should be. */
class BoundedReadError extends Error {}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}
