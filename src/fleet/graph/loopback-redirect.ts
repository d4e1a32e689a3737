import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatDuration } from '../../text/duration.js';
import { escapeHtml } from '../triage/report-html.js';

/**
 * The one-shot listener a native app's browser sign-in returns to (RFC 8252 §7.3, "Loopback
 * Interface Redirection"): bound to 127.0.0.1 only, on a free port, it waits for the
 * authorization response on `http://127.0.0.1:PORT/` (the redirect URI an app registration lists
 * as `http://127.0.0.1`), answers the browser, and closes.
 *
 * - The redirect URI names the IP literal, never `localhost` (RFC 8252 §8.3; Microsoft Learn,
 *   "Redirect URI (reply URL) outline and restrictions",
 *   https://learn.microsoft.com/entra/identity-platform/reply-url, "Prefer 127.0.0.1 over
 *   localhost"): browsers resolve `localhost` to ::1 first, and another local user can listen on
 *   [::1] at the same port (a different address, so no conflict with this listener) and receive
 *   the code and state, or show the admin a page of their own.
 * - `state` must come back unchanged (RFC 6749 §10.12, cross-site request forgery): an
 *   authorization response with another state is answered 400 and never used, and the listener
 *   keeps waiting (a process that finds the port without knowing the state cannot end the sign-in).
 *   An error response with the right state (the user cancelled, Conditional Access refused)
 *   ends it as refused.
 * - Only a GET of `/` with the Host `127.0.0.1:PORT` counts (a page elsewhere that makes the
 *   browser request this port, or a name that resolves to loopback, gets 404 or 421).
 * - The listener closes after the first authorization response, on timeout, or on `close()`.
 * - The code is returned, never shown: the page says only whether the sign-in went through.
 * - `error` and `error_description` come from whoever sent the browser here: they are made one
 *   line (every run of white space and control or format characters becomes one space) and cut,
 *   so they cannot draw lines of their own in the admin's terminal.
 */
export interface AuthorizationResponse {
  code: string;
  state: string;
}

export interface LoopbackRedirect {
  /** `http://127.0.0.1:PORT`, the redirect URI to send to the authorization endpoint. */
  readonly redirectUri: string;
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** The authorization response, or why there is none (refused, timed out, closed). */
  readonly response: Promise<AuthorizationResponse>;
  close(): void;
}

/** The authorization server refused (the user cancelled, consent missing, Conditional Access...). */
export class SignInRefusedError extends Error {
  override name = 'SignInRefusedError';
}

export interface LoopbackRedirectOptions {
  /** The state sent with the authorization request. */
  state: string;
  /** How long to wait for the browser to come back. */
  timeoutMs: number;
}

/** The host the redirect URI names and the listener is bound to. */
const LOOPBACK = '127.0.0.1';
/** Longest error code echoed from the authorization response (RFC 6749 §4.1.2.1 codes are one word). */
const MAX_ERROR = 100;
/** Longest error description echoed (Entra's are a few sentences with trace and correlation IDs). */
const MAX_DESCRIPTION = 500;

export async function listenForRedirect(options: LoopbackRedirectOptions): Promise<LoopbackRedirect> {
  if (options.state.length < 16) throw new RangeError('listenForRedirect: the state must be unguessable');
  let settle: { resolve(r: AuthorizationResponse): void; reject(e: Error): void } | undefined;
  const response = new Promise<AuthorizationResponse>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A caller that stops waiting (an error elsewhere) must not leave an unhandled rejection.
  response.catch(() => undefined);
  let port = 0;
  let timer: NodeJS.Timeout | undefined;
  const server = createServer((req, res) => {
    const answer = handle(req, port, options.state);
    if (answer === null) {
      page(res, 404, 'Not found', 'This is tpm-doctor waiting for a sign-in; nothing else is served here.');
      return;
    }
    if (answer.kind === 'wrong-host') {
      page(res, 421, 'Misdirected request', `tpm-doctor answers only at http://${LOOPBACK}:${port}/.`);
      return;
    }
    if (answer.kind === 'wrong-state') {
      page(
        res,
        400,
        'Not this sign-in',
        'This answer does not carry the state of the sign-in tpm-doctor is waiting for (RFC 6749 §10.12), ' +
          'so it was not used. Sign in from the link tpm-doctor printed last.',
      );
      return;
    }
    // The first authorization response decides; the listener closes once the page is sent (the
    // page's own connection ends by itself: `connection: close`).
    res.once('finish', () => stop(false));
    if (answer.kind === 'code') {
      page(
        res,
        200,
        'Signed in',
        'tpm-doctor is signed in. You can close this window and return to the terminal.',
      );
      finish(undefined, { code: answer.code, state: options.state });
    } else {
      page(res, 400, 'Sign-in failed', answer.message);
      finish(new SignInRefusedError(answer.message));
    }
  });
  const finish = (error: Error | undefined, result?: AuthorizationResponse): void => {
    const s = settle;
    settle = undefined;
    if (s === undefined) return;
    clearTimeout(timer);
    if (error) s.reject(error);
    else s.resolve(result!);
  };
  const stop = (everything: boolean): void => {
    finish(new Error('the sign-in was stopped before the browser came back'));
    server.close();
    if (everything) server.closeAllConnections();
    else server.closeIdleConnections();
  };
  const close = (): void => stop(true);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  timer = setTimeout(() => {
    finish(
      new Error(
        `no sign-in within ${formatDuration(options.timeoutMs / 1000)}: the browser did not come back to ` +
          `http://${LOOPBACK}:${port}/ (was the sign-in page opened on this machine?)`,
      ),
    );
    close();
  }, options.timeoutMs);
  timer.unref();
  return { redirectUri: `http://${LOOPBACK}:${port}`, port, response, close };
}

type Answer =
  | { kind: 'code'; code: string }
  | { kind: 'refused'; message: string }
  | { kind: 'wrong-host' }
  | { kind: 'wrong-state' }
  | null;

function handle(req: IncomingMessage, port: number, state: string): Answer {
  const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`);
  if (req.method !== 'GET' || url.pathname !== '/') return null;
  const query = url.searchParams;
  if (!query.has('code') && !query.has('error')) return null;
  if (req.headers.host !== `${LOOPBACK}:${port}`) return { kind: 'wrong-host' };
  if (query.get('state') !== state) return { kind: 'wrong-state' };
  const error = query.get('error');
  if (error !== null) {
    const description = oneLine(query.get('error_description') ?? '', MAX_DESCRIPTION);
    return {
      kind: 'refused',
      message: `the sign-in was refused: ${oneLine(error, MAX_ERROR) || '(no error code)'}${description ? `: ${description}` : ''}`,
    };
  }
  const code = query.get('code') ?? '';
  if (code === '') return { kind: 'refused', message: 'the sign-in answer carried an empty code' };
  return { kind: 'code', code };
}

/** Runs of white space, controls (C0, DEL, C1), format characters and line or paragraph separators. */
const NOT_ONE_LINE = /[\s\p{Cc}\p{Cf}\p{Z}]+/gu;

/** Text from the query as one line of at most `max` characters (an ellipsis where it was cut). */
function oneLine(text: string, max: number): string {
  const line = text.replace(NOT_ONE_LINE, ' ').trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    connection: 'close',
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tpm-doctor: ${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(text)}</p></body></html>`,
  );
}
