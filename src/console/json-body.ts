import type { IncomingMessage } from 'node:http';

/**
 * A state-changing request's body: a small JSON object, nothing else (docs/console.md). The
 * largest is a dry run naming 1,000 device ids (about 39 kB).
 */
const MAX_BODY_BYTES = 64 * 1024;

export type BodyOutcome = { body: Record<string, unknown> } | { status: 400 | 413 | 415; error: string };

/**
 * Reads a request's JSON body, at most MAX_BODY_BYTES: `Content-Type: application/json` (which a
 * form of another site cannot send without a CORS preflight we never answer), a JSON object, or
 * one clear refusal. An empty body is an empty object (stop, resume, abandon take no fields).
 */
export async function readJsonBody(request: IncomingMessage): Promise<BodyOutcome> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    request.resume();
    return { status: 413, error: `The request body is over ${MAX_BODY_BYTES} bytes.` };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      request.resume();
      return { status: 413, error: `The request body is over ${MAX_BODY_BYTES} bytes.` };
    }
    chunks.push(chunk);
  }
  if (size === 0) return { body: {} };
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    return { status: 415, error: 'The request body must be JSON (Content-Type: application/json).' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { status: 400, error: 'The request body is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { status: 400, error: 'The request body must be a JSON object.' };
  return { body: value as Record<string, unknown> };
}
