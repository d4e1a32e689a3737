/**
 * The largest JSON answer tpm-doctor reads from Graph or a token endpoint: 64 MiB. The largest
 * answers it asks for are a managedDevices page of up to 1,000 devices with $select (half a MB
 * from the lab; a real device object is a few KB) and a JSON $batch of 20 answers (each one
 * device's object or one page of its list). A server that sends more
 * is broken or hostile: without a cap the process would hold the whole body in memory (twice,
 * as bytes then as text) until it died. docs/graph-calls.md gives the figures.
 */
export const GRAPH_JSON_MAX_BYTES = 64 * 1024 * 1024;

/** A body longer than its cap: reading stopped at the cap and the rest was refused. */
export class BodyTooLargeError extends RangeError {
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`the answer is larger than the ${formatBytes(maxBytes)} allowed`);
    this.name = 'BodyTooLargeError';
    this.maxBytes = maxBytes;
  }
}

/** "64 MiB", "512 KiB" or "100 bytes": a cap as the admin reads it. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * Reads a response body as UTF-8 text, at most `maxBytes` of it. A Content-Length above the cap
 * is refused before reading; a body that goes past the cap (no Content-Length, or one that lied,
 * or a body that never ends) is cancelled at the cap. Both throw BodyTooLargeError; a connection
 * that breaks mid-body throws what fetch threw.
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  // As Response.text() decodes: UTF-8, a byte-order mark dropped, bad sequences replaced.
  return new TextDecoder().decode(Buffer.concat(chunks, total));
}
