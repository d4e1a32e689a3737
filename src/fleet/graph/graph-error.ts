import { TpmDoctorError } from '../../errors.js';

/**
 * Errors from Microsoft Graph, or from talking to it. `graphCode` is Graph's own error code from the
 * error body (`TooManyRequests`, `ResourceNotFound`, ...; Graph error responses:
 * https://learn.microsoft.com/graph/errors) or one in Graph's style for failures Graph never named:
 * `Timeout`, `NetworkError`, `MalformedResponse`, `UnsafeNextLink`, `TokenUnavailable`. `code`
 * (src/errors.ts) is 'graph-token-unavailable' when no access token could be had, else 'graph-request'.
 *
 * `path` is the request's path with the query's NAMES only (`/v1.0/deviceManagement/managedDevices?$filter&$select`):
 * filter values and skip tokens can hold device or user data, and errors end up in logs.
 * No error ever carries an access token or a client secret.
 */
export class GraphError extends TpmDoctorError {
  /** Graph's error code, e.g. 'TooManyRequests', or ours in Graph's style, e.g. 'Timeout'. */
  readonly graphCode: string;
  /** HTTP status, or 0 when no response arrived (timeout, connection failure). */
  readonly status: number;
  /** Graph's `request-id` (response header or error body), for a Microsoft support case. */
  readonly requestId: string | null;
  readonly method: string;
  readonly path: string;

  constructor(fields: {
    status: number;
    code: string;
    message: string;
    requestId: string | null;
    method: string;
    path: string;
    cause?: unknown;
  }) {
    const where = `${fields.method} ${fields.path}`;
    const status = fields.status === 0 ? 'no response' : `HTTP ${fields.status}`;
    const requestId = fields.requestId ? `, request-id ${fields.requestId}` : '';
    super(
      fields.code === 'TokenUnavailable' ? 'graph-token-unavailable' : 'graph-request',
      `${where}: ${status} ${fields.code}: ${fields.message}${requestId}`,
      {
        cause: fields.cause,
      },
    );
    this.graphCode = fields.code;
    this.status = fields.status;
    this.requestId = fields.requestId;
    this.method = fields.method;
    this.path = fields.path;
  }
}

/**
 * A write (POST) whose outcome is unknown: it was sent, then the answer timed out or the connection
 * broke, or Graph answered 500/502/504 (which do not say whether the action ran). Resending could
 * run the action twice (a second reboot, a second script upload), so the client never retries it
 * and callers must not resend blindly: record the device as unconfirmed and check its state instead
 * (Graph throttling guidance retries only what the service said it did not process: 429, 503).
 */
export class AmbiguousWriteError extends GraphError {}

/** Renders a URL's path for errors and events: the query's parameter names, never their values. */
export function describeRequestPath(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url, 'http://relative.invalid') : url;
  const names = [...new Set(parsed.searchParams.keys())];
  return names.length > 0 ? `${parsed.pathname}?${names.join('&')}` : parsed.pathname;
}
