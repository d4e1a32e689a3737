import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Where a streaming report writes: one chunk at a time, awaited, so a 100,000-row CSV or JSON
 * report is never built as one string.
 */
export type ReportSink = (chunk: string) => void | Promise<void>;

/** A sink over a Node stream (a file, stdout) that waits for 'drain' when the stream is full. */
export function streamSink(stream: Writable): ReportSink {
  return async (chunk) => {
    if (!stream.write(chunk)) await once(stream, 'drain');
  };
}

/** Which tenant a report describes. `lab` puts the "LAB TENANT" label on every report. */
export interface ReportTarget {
  /** The Graph base URL and tenant id, e.g. "https://graph.microsoft.com (contoso.onmicrosoft.com)". Never a credential. */
  description: string;
  lab: boolean;
}

/** The label lab reports carry wherever they show. */
export const LAB_LABEL = 'LAB TENANT — simulated devices';
