/**
 * Replacing a file whole: the new content goes to a temporary file created exclusively beside it
 * (safe-file.ts), is fsync'd, then renamed over the old one, and the folder is fsync'd. A crash
 * leaves the old file or the new one, never half of one; rename() replaces a symbolic link at the
 * destination as a name, never writing through it. See docs/security.md, "Files tpm-doctor writes".
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createNewFile, type NewFileOptions } from './safe-file.js';

/** Writes `data` as the whole of `file` (0600 unless `options.mode` says otherwise), atomically, durably. */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: Pick<NewFileOptions, 'mode'> = {},
): void {
  const dir = path.dirname(file);
  // Unpredictable, so nobody can plant something at it ahead of time (they would only make the
  // exclusive create fail anyway).
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = createNewFile(tmp, options);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Never made it to the disk.
    }
    throw e;
  }
  fsyncDir(dir);
}

/** fsyncs folder `dir`, so an entry created or renamed in it survives a power cut. */
export function fsyncDir(dir: string): void {
  // Node cannot open a folder for FlushFileBuffers on Windows; NTFS journals the entry itself.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
