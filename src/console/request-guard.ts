import type { IncomingMessage } from 'node:http';

/** The addresses the console may listen on: loopback only (docs/console.md, "Security model"). */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1'] as const;
export type LoopbackHost = (typeof LOOPBACK_HOSTS)[number];

/** Methods that change state: each must come with our own Origin (CSRF). */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The Host header values a browser sends for this console: anything else is DNS rebinding or a mistake. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `[::1]:${port}`, `localhost:${port}`]);
}

/**
 * Why a request must be refused before anything else is looked at, or undefined:
 * - a Host other than our loopback name and port: a page on another site whose name was made to
 *   resolve to 127.0.0.1 (DNS rebinding) is same-origin with itself, not with us, so its Host
 *   names its own site (https://en.wikipedia.org/wiki/DNS_rebinding; Jupyter and the Chrome
 *   DevTools protocol check Host for the same reason);
 * - an Origin, when the browser sends one, other than ours; and no Origin at all on a state-changing
 *   request (browsers send Origin on every POST: https://fetch.spec.whatwg.org/#origin-header):
 *   a form or script of another site must not act with the admin's cookie. SameSite=Strict already
 *   keeps the cookie off cross-site requests; this check does not depend on it.
 */
export function guardRefusal(request: IncomingMessage, hosts: ReadonlySet<string>): string | undefined {
  const host = request.headers.host?.toLowerCase();
  if (host === undefined || !hosts.has(host)) {
    return 'This console answers only to its own loopback address (the Host header names another site).';
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    let ours = false;
    try {
      const url = new URL(origin);
      ours = url.protocol === 'http:' && url.origin === origin && hosts.has(url.host);
    } catch {
      ours = false;
    }
    if (!ours) return 'Requests from another origin are refused.';
  } else if (STATE_CHANGING.has(request.method ?? '')) {
    return 'A request that changes something must say where it comes from (no Origin header).';
  }
  return undefined;
}
