import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie's name. Not __Host-: that prefix needs Secure, and the console is plain HTTP on loopback. */
export const SESSION_COOKIE = 'tpm_doctor_console';

/**
 * The request header that carries the session's second secret. A browser sends a cookie for
 * 127.0.0.1 to EVERY port of that host (cookies are not scoped to a port: RFC 6265 §8.5), so a
 * server on another loopback port can receive the cookie and replay it. The page keeps this
 * secret in localStorage, which is scoped to scheme, host AND port
 * (https://html.spec.whatwg.org/multipage/webstorage.html#dom-localstorage), and sends it in this
 * header; no other origin can read it (docs/console.md).
 */
export const SESSION_HEADER = 'x-tpm-doctor-session';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Sign-in as Jupyter does it, narrowed: a random token printed on start is good for ONE sign-in,
 * which gives the browser a random session id in an HttpOnly, SameSite=Strict cookie
 * (docs/console.md). 256 bits each, from the system's CSPRNG. Only digests are compared (in
 * constant time) and kept, so the token and the session ids exist nowhere in a response but the
 * one Set-Cookie of the sign-in.
 */
export class SignIn {
  #token = randomBytes(32).toString('base64url');
  #tokenDigest = digest(this.#token);
  #used = false;
  /** Digests of the links used or replaced: refused as "already used", not as a wrong link. */
  readonly #retired = new Set<string>();
  /** Digest of each session id -> digest of its header secret. */
  readonly #sessions = new Map<string, Buffer>();
  /** Digests of the sessions signed out: their cookie, if a client sends it again, is not "a restart". */
  readonly #ended = new Set<string>();

  /** The sign-in link's token that works now (once). */
  get token(): string {
    return this.#token;
  }

  /**
   * A new one-time token, for another browser, asked for in the console's terminal: the place the
   * first one was printed, so only whoever holds that terminal gets it. It replaces a link not
   * used yet (one live link at a time); sessions already given stay.
   */
  renew(): string {
    this.#retired.add(this.#tokenDigest.toString('hex'));
    this.#token = randomBytes(32).toString('base64url');
    this.#tokenDigest = digest(this.#token);
    this.#used = false;
    return this.#token;
  }

  /**
   * Exchanges the token for a new session id (the cookie) and its header secret, once; a wrong
   * or reused token gets nothing.
   */
  exchange(token: string): { session: string; secret: string } | { refused: 'wrong' | 'used' } {
    const given = digest(token);
    if (!timingSafeEqual(given, this.#tokenDigest))
      return this.#retired.has(given.toString('hex')) ? { refused: 'used' } : { refused: 'wrong' };
    if (this.#used) return { refused: 'used' };
    this.#used = true;
    const session = randomBytes(32).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    this.#sessions.set(digest(session).toString('hex'), digest(secret));
    return { session, secret };
  }

  /**
   * Whether the request carries our cookie with a value that is no session of this console: a
   * session of an earlier run (the console restarted; sessions live in its memory), since a
   * sign-out clears the cookie.
   */
  hasStaleCookie(cookieHeader: string | undefined): boolean {
    return (cookieHeader ?? '').split(';').some((part) => {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) return false;
      return !this.#ended.has(digest(part.slice(eq + 1).trim()).toString('hex'));
    });
  }

  /** The session the request's Cookie header carries, if it is one of ours. */
  sessionOf(cookieHeader: string | undefined): string | undefined {
    if (cookieHeader === undefined) return undefined;
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
      const value = part.slice(eq + 1).trim();
      if (this.#sessions.has(digest(value).toString('hex'))) return value;
    }
    return undefined;
  }

  /** Whether `header` is the secret bound to `session` (both are needed: either alone is refused). */
  proves(session: string, header: string | string[] | undefined): boolean {
    const expected = this.#sessions.get(digest(session).toString('hex'));
    if (expected === undefined || typeof header !== 'string' || header.length > 100) return false;
    return timingSafeEqual(digest(header), expected);
  }

  signOut(session: string): void {
    const key = digest(session).toString('hex');
    this.#sessions.delete(key);
    this.#ended.add(key);
  }
}
