import type { TpmsAuthCommand, TpmsAuthResponse } from '../structures/basic.js';

/**
 * What a session sees of one command when it authorises it (Part 1 §19.6 "cpHash"): enough to
 * compute cpHash = H(commandCode || names || parameters) for HMAC and policy sessions, and to
 * encrypt the first parameter. Password sessions ignore it.
 */
export interface CommandContext {
  readonly commandCode: number;
  /** Names of every handle in the handle area, in order (Part 1 §16: Name of an entity). */
  readonly handleNames: readonly Uint8Array[];
  /** The marshalled parameter area. */
  readonly parameters: Uint8Array;
}

/** What a session sees of the response, to check rpHash = H(responseCode || commandCode || parameters). */
export interface ResponseContext {
  readonly commandCode: number;
  readonly responseCode: number;
  readonly parameters: Uint8Array;
}

/**
 * A session as a value (go-tpm's `Session`). The executor asks each session for its
 * TPMS_AUTH_COMMAND and hands it back the TPMS_AUTH_RESPONSE; HMAC, salted and policy sessions
 * implement the same two methods, so no command definition changes when they arrive.
 */
export interface Session {
  readonly kind: 'password' | 'hmac' | 'policy';
  authorize(command: CommandContext): TpmsAuthCommand | Promise<TpmsAuthCommand>;
  verify(response: ResponseContext, auth: TpmsAuthResponse): void | Promise<void>;
}
