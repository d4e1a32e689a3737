/**
 * The session's header secret (src/console/sign-in.ts). The sign-in page sends the browser to
 * `/#session=SECRET`; the fragment never goes to a server. The page keeps the secret in
 * localStorage, which only this scheme, host AND port can read
 * (https://html.spec.whatwg.org/multipage/webstorage.html#dom-localstorage), unlike the cookie,
 * which a browser sends to every port of the host (RFC 6265 §8.5).
 */
const KEY = 'tpm-doctor-session';
const SESSION_IN_FRAGMENT = /^#session=([A-Za-z0-9_-]{1,100})$/;

/** Moves a secret the sign-in handed over from the address bar (and so from history) into storage. */
export function takeSessionFromAddress(): void {
  const handed = SESSION_IN_FRAGMENT.exec(location.hash);
  if (handed === null) return;
  localStorage.setItem(KEY, handed[1]!);
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}

/** The header every request to the console's API carries. */
export function sessionHeaders(): Record<string, string> {
  const secret = localStorage.getItem(KEY);
  return secret === null ? {} : { 'X-Tpm-Doctor-Session': secret };
}
