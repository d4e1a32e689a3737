import { randomUUID } from 'node:crypto';

/**
 * What the lab's token endpoint answers, in Entra ID's shapes (Microsoft identity platform, the
 * token responses and errors of "OAuth 2.0 client credentials flow" and "OAuth 2.0 authorization
 * code flow").
 */
/** Entra ID's error body for the token endpoint. */
interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

interface AppTokenBody {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

/** A delegated sign-in's answer, as Entra gives it to a public client (with `client_info` asked for). */
export interface DelegatedTokenBody extends AppTokenBody {
  scope: string;
  refresh_token: string;
  id_token: string;
  client_info: string;
}

export type TokenResult =
  | { ok: true; body: AppTokenBody | DelegatedTokenBody }
  | { ok: false; status: number; body: EntraErrorBody };

/** An answer of the token endpoint refusing, in Entra ID's shape (AADSTS code in the description). */
export function tokenError(status: number, error: string, code: number, description: string): TokenResult {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  return {
    ok: false,
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}
