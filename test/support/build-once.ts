import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Runs `build` when `isStale()` says the build output is missing or older than its sources,
 * under a lock folder in the temporary directory so two vitest workers never build at once (the
 * second waits, then finds the output fresh). A lock older than `maxMs` belongs to a dead worker
 * and is taken over.
 */
export async function buildOnce(options: {
  lockName: string;
  maxMs: number;
  isStale: () => boolean;
  build: () => Promise<void>;
}): Promise<void> {
  if (!options.isStale()) return;
  const lock = path.join(tmpdir(), options.lockName);
  const deadline = Date.now() + options.maxMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > options.maxMs) rmdirSync(lock);
      } catch {
        // removed meanwhile
      }
      if (Date.now() > deadline) throw new Error(`waited ${options.maxMs / 1000} s for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (options.isStale()) await options.build();
  } finally {
    rmdirSync(lock);
  }
}
