import { TPM_RS_PW } from '../constants/handles.js';
import { TPMA_SESSION } from '../constants/structure-tags.js';
import { MarshalError } from '../errors.js';
import type { TpmsAuthResponse } from '../structures/basic.js';
import type { ResponseContext, Session } from './session.js';

/** TPMA_SESSION.continueSession (Part 2 §8.4); ignored by the TPM for TPM_RS_PW but conventional. */
const CONTINUE_SESSION = TPMA_SESSION.continueSession;

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

/**
 * A password session (Part 1 §19.8.4): the auth value travels in the clear as the "hmac".
 * The value is held in a closure, never as a property, so logging or JSON-serialising the
 * session (or anything holding it) cannot leak it.
 */
export function password(auth: string | Uint8Array = EMPTY): Session {
  const value = typeof auth === 'string' ? utf8.encode(auth) : Uint8Array.from(auth);
  return Object.freeze({
    kind: 'password' as const,
    authorize: () => ({
      sessionHandle: TPM_RS_PW,
      nonce: EMPTY,
      sessionAttributes: CONTINUE_SESSION,
      hmac: value,
    }),
    verify: (_response: ResponseContext, reply: TpmsAuthResponse) => {
      // Part 1 §19.8.4: the TPM answers a password session with an empty nonce and an empty hmac.
      if (reply.nonce.length !== 0 || reply.hmac.length !== 0) {
        throw new MarshalError('the TPM answered a password session with a non-empty nonce or hmac', 0, [
          'TPMS_AUTH_RESPONSE',
        ]);
      }
    },
    toJSON: () => '[password session]',
    [Symbol.for('nodejs.util.inspect.custom')]: () => '[password session]',
  });
}
