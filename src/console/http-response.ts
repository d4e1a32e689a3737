import type { ServerResponse } from 'node:http';
import { escapeHtml } from '../fleet/triage/report-html.js';
import { LAB_LABEL } from '../fleet/triage/report-sink.js';

/**
 * The Content-Security-Policy of every response: our own scripts, styles, images and API only; no
 * inline script or style, no plug-ins, no framing, no <base>, forms only to ourselves
 * (https://www.w3.org/TR/CSP3/). The front end is built to need nothing more (console/).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The header that marks every answer of a lab tenant, as the lab tenant marks its own. */
export const LAB_HEADER = 'x-tpm-doctor-lab';

/** Headers every response carries, whatever it is. */
export function securityHeaders(
  response: ServerResponse,
  lab: boolean,
  cache: 'no-store' | 'immutable',
): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  // The sign-in URL holds the token: no page may pass its URL on to anything.
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader(
    'Cache-Control',
    cache === 'immutable' ? 'private, max-age=31536000, immutable' : 'no-store',
  );
  // Header values are Latin-1: the label's words, without its dash.
  if (lab) response.setHeader(LAB_HEADER, 'LAB tenant, simulated devices');
}

/**
 * JSON that stays data wherever it lands: `<`, `>`, `&` and the JavaScript line separators are
 * written as \u escapes, so a device name such as "</script><img onerror=...>" is inert even to
 * a reader that sniffs or inlines it (the front end shows it as text in any case).
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = safeJson(value);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * The LAB banner the server writes into every page of a lab tenant, before any script runs; in
 * the admin's language when `label` is given (the pages of the front end), else English.
 */
export function labBanner(lab: boolean, label: string = LAB_LABEL): string {
  return lab ? `<div class="lab-banner" role="note">${escapeHtml(label)}</div>` : '';
}

/**
 * A small page of the server's own (refusals, sign-in): plain HTML, no script, no style but the
 * user agent's. `refresh` sends the browser on to a URL of ours (a same-origin navigation, so the
 * SameSite=Strict cookie goes with it even when the sign-in link was opened from another site).
 */
export function sendPage(
  response: ServerResponse,
  status: number,
  page: { title: string; text: string; lab: boolean; refresh?: string },
  /** The page's language and its own words (the console's `--lang`); English by default. */
  words: { lang: string; labLabel: string; openLink: string } = {
    lang: 'en',
    labLabel: LAB_LABEL,
    openLink: 'Open the console',
  },
): void {
  const refresh =
    page.refresh === undefined
      ? ''
      : `<meta http-equiv="refresh" content="0;url=${escapeHtml(page.refresh)}">`;
  const link =
    page.refresh === undefined
      ? ''
      : `<p><a href="${escapeHtml(page.refresh)}">${escapeHtml(words.openLink)}</a></p>`;
  const body = `<!doctype html>
<html lang="${escapeHtml(words.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${refresh}
<title>${page.lab ? 'LAB · ' : ''}${escapeHtml(page.title)} · tpm-doctor console</title></head>
<body>${labBanner(page.lab, words.labLabel)}<main><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.text)}</p>${link}</main></body></html>
`;
  response.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}
