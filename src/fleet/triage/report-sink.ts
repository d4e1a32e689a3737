import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { EN } from '../../text/messages/en.js';

/**
 * Where a streaming report writes: one chunk at a time, awaited, so a 100,000-row CSV or JSON
 * report is never built as one string.
 */
export type ReportSink = (chunk: string) => void | Promise<void>;

/**
 * A sink over a Node stream (a file, stdout) that waits for 'drain' when the stream is full.
 * A reader that stopped reading (`fleet triage --format csv | head`) is not a failure: the write
 * fails with EPIPE (POSIX write(2); Windows reports a broken pipe as EPIPE or EOF), the rest of
 * the report has nobody to go to and is dropped, and the command ends with its own exit code as
 * every other command does (src/cli/quiet-pipe.ts). Any other write error fails the report.
 */
export function streamSink(stream: Writable): ReportSink {
  let readerGone = false;
  return async (chunk) => {
    if (readerGone) return;
    if (stream.destroyed) {
      if (stream.errored && !isClosedPipe(stream.errored)) throw stream.errored;
      readerGone = true;
      return;
    }
    if (stream.write(chunk)) return;
    const ac = new AbortController();
    try {
      await Promise.race([
        once(stream, 'drain', { signal: ac.signal }),
        once(stream, 'close', { signal: ac.signal }),
      ]);
    } catch (error) {
      if (!isClosedPipe(error)) throw error;
      readerGone = true;
    } finally {
      ac.abort();
    }
    if (stream.destroyed) {
      if (stream.errored && !isClosedPipe(stream.errored)) throw stream.errored;
      readerGone = true;
    }
  };
}

function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'EOF';
}

/** Which tenant a report describes. `lab` puts the "LAB TENANT" label on every report. */
export interface ReportTarget {
  /** The Graph base URL and tenant id, e.g. "https://graph.microsoft.com (contoso.onmicrosoft.com)". Never a credential. */
  description: string;
  lab: boolean;
}

/** The label lab reports carry wherever they show (English; the console shows it in the admin's language). */
export const LAB_LABEL = EN['lab.tenant-label'];

/**
 * Gathers small chunks (one row each) into writes of about `limit` characters: a 100,000-row
 * report is then a few hundred stream writes instead of 100,000 (each write costs more than the
 * row it carries). `flush()` must be awaited before the stream ends.
 */
export function bufferedSink(
  inner: ReportSink,
  limit = 64 * 1024,
): { sink: ReportSink; flush: () => Promise<void> } {
  let parts: string[] = [];
  let size = 0;
  const flush = async () => {
    if (parts.length === 0) return;
    const chunk = parts.join('');
    parts = [];
    size = 0;
    await inner(chunk);
  };
  return {
    sink: async (chunk) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= limit) await flush();
    },
    flush,
  };
}
