import { randomUUID } from 'node:crypto';
import type { GraphErrorBody } from '../../fleet/graph/graph-types.js';

/**
 * A Graph error, thrown by a route and turned into Graph's error body
 * ({"error": {"code", "message", "innerError": {"request-id", "date"}}}, Microsoft Graph
 * "Error responses and resource types") with its HTTP status.
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function graphErrorBody(
  code: string,
  message: string,
  requestId: string = randomUUID(),
  clientRequestId?: string,
): GraphErrorBody {
  return {
    error: {
      code,
      message,
      innerError: {
        'request-id': requestId,
        ...(clientRequestId === undefined ? {} : { 'client-request-id': clientRequestId }),
        date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
      },
    },
  };
}

export const badRequest = (message: string) => new GraphError(400, 'BadRequest', message);
export const notFound = (message: string) => new GraphError(404, 'ResourceNotFound', message);
