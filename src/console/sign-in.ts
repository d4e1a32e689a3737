import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie's name. Not __Host-: that prefix needs Secure, and the console is plain HTTP on loopback. */
export const SESSION_COOKIE = 'tpm_doctor_console';

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
  readonly token = randomBytes(32).toString('base64url');
  readonly #tokenDigest = digest(this.token);
  #used = false;
  readonly #sessions = new Set<string>();

  /** Exchanges the token for a new session id, once; a wrong or reused token gets nothing. */
  exchange(token: string): { session: string } | { refused: 'wrong' | 'used' } {
    if (!timingSafeEqual(digest(token), this.#tokenDigest)) return { refused: 'wrong' };
    if (this.#used) return { refused: 'used' };
    this.#used = true;
    const session = randomBytes(32).toString('base64url');
    this.#sessions.add(digest(session).toString('hex'));
    return { session };
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

  signOut(session: string): void {
    this.#sessions.delete(digest(session).toString('hex'));
  }
}
