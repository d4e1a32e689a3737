/**
 * Where a run's files are opened: its journal, its lock and its receipt's temporary file, and the
 * directory fsync that makes a new file's entry durable. One place, so how these files are created
 * (flags, modes) is decided once for all of them.
 */
import { closeSync, constants, fsyncSync, openSync } from 'node:fs';

/** A new run's journal: O_APPEND, refusing a file that exists ('x': a run ID is never reused). */
export function createJournalFile(file: string): number {
  return openSync(file, 'ax');
}

/** An existing journal, to read it and append to it through the same descriptor. */
export function openJournalFile(file: string): number {
  return openSync(file, constants.O_RDWR | constants.O_APPEND);
}

/** A run's lock file: 'wx' (O_CREAT | O_EXCL), so exactly one of several creators wins. */
export function createLockFile(lock: string): number {
  return openSync(lock, 'wx');
}

/** The temporary file a receipt is written to before it is renamed into place. */
export function createReceiptTempFile(file: string): number {
  return openSync(file, 'w');
}

/** fsync a directory, so a file created (or a directory made) in it survives a power cut. */
export function fsyncDir(dir: string): void {
  // Node cannot open a directory for FlushFileBuffers on Windows; NTFS journals the entry itself.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
