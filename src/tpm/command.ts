import { commandName, type TpmCommandCode } from './constants/command-codes.js';
import { type Codec, type Fields, type StructOf, struct } from './marshal/codec.js';
import type { TpmError } from './rc/tpm-error.js';
import type { Session } from './session/session.js';

/**
 * One declarative definition per TPM 2.0 command (Part 3), in the manner of go-tpm's direct
 * API: the handle area (which handles need authorisation), the parameter area, the response
 * handles and the response parameters. The executor in ./tpm.ts marshals any of them, so adding
 * a command is a declaration, not new plumbing.
 */

/** A handle slot: 'auth' needs an authorisation session (Part 3 "Auth Index"), 'handle' does not. */
export type HandleSlot = 'auth' | 'handle';

/** A handle with its Name (Part 1 §16); the Name is needed by HMAC/policy sessions (cpHash). */
export interface HandleRef {
  readonly handle: number;
  readonly name?: Uint8Array;
}

/** go-tpm's AuthHandle: the handle, its Name and the session that authorises it, kept together. */
export interface AuthHandle extends HandleRef {
  readonly session: Session;
}

export interface CommandDefinition<
  H extends Record<string, HandleSlot>,
  P extends Fields,
  RH extends readonly string[],
  R extends Fields,
> {
  /** The spec name, e.g. 'TPM2_NV_Read'. */
  readonly name: string;
  /** TPM_CC (Part 2 §6.5.2). */
  readonly code: number;
  /** The handle area in wire order. */
  readonly handles: H;
  readonly params: Codec<StructOf<P>>;
  /** Names of the handles the TPM returns before the response parameters (e.g. CreatePrimary's objectHandle). */
  readonly responseHandles: RH;
  readonly response: Codec<StructOf<R>>;
}

// biome-ignore lint/suspicious/noExplicitAny: the executor accepts any command definition.
export type AnyCommand = CommandDefinition<any, any, readonly string[], any>;

type HandleInput<S extends HandleSlot> = S extends 'auth' ? AuthHandle | number : HandleRef | number;

/** What a caller passes: every handle by name (a bare number means "no Name, empty password") and every parameter. */
export type CommandInput<C> =
  C extends CommandDefinition<infer H, infer P, readonly string[], Fields>
    ? { [K in keyof H]: HandleInput<H[K]> } & StructOf<P>
    : never;

/** What the TPM returns: the response handles by name and the response parameters. */
export type CommandOutput<C> =
  C extends CommandDefinition<Record<string, HandleSlot>, Fields, infer RH, infer R>
    ? { [K in RH[number]]: number } & StructOf<R>
    : never;

/**
 * Whatever runs command definitions: a Tpm, or, inside an error layer, the executor itself (see
 * ErrorLayer below). The readers in ./read/ take one, so they work in both places.
 */
export interface CommandRunner {
  run<C extends AnyCommand>(
    command: C,
    input: CommandInput<C>,
    options?: { sessions?: readonly Session[] },
  ): Promise<CommandOutput<C>>;
}

/**
 * Declares a command. `code` is its TPM_CC from ./constants/command-codes.ts, which also gives its
 * Part 3 name ('TPM2_NV_Read'). `params` and `response` are field lists in wire order.
 */
export function defineCommand<
  const H extends Record<string, HandleSlot>,
  P extends Fields,
  const RH extends readonly string[],
  R extends Fields,
>(definition: {
  code: TpmCommandCode;
  handles: H;
  params: P;
  responseHandles?: RH;
  response: R;
}): CommandDefinition<H, P, RH, R> {
  const name = commandName(definition.code);
  return {
    name,
    code: definition.code,
    handles: definition.handles,
    params: struct(`${name} parameters`, definition.params),
    responseHandles: definition.responseHandles ?? ([] as unknown as RH),
    response: struct(`${name} response`, definition.response),
  };
}

/**
 * A layer that may replace the TpmError a command failed with by a better-explained one before the
 * Tpm rejects with it (./rc/lockout-recovery.ts is one). It runs within the failed command's turn,
 * and `tpm` runs commands in that same turn, so what it reads is the state the failure left.
 */
export type ErrorLayer = (error: TpmError, tpm: CommandRunner) => Promise<TpmError>;
