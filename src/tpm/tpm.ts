import type {
  AnyCommand,
  AuthHandle,
  CommandInput,
  CommandOutput,
  CommandRunner,
  ErrorLayer,
  HandleRef,
} from './command.js';
import { TPM_ST } from './constants/structure-tags.js';
import { MarshalError } from './errors.js';
import { Reader } from './marshal/reader.js';
import { Writer } from './marshal/writer.js';
import { RC } from './rc/decode-response-code.js';
import { explainLockoutRecovery } from './rc/lockout-recovery.js';
import { TpmError } from './rc/tpm-error.js';
import { nameOfHandle, requireHandleNames } from './session/handle-names.js';
import { password } from './session/password.js';
import type { CommandContext, Session } from './session/session.js';
import { TPMS_AUTH_COMMAND, TPMS_AUTH_RESPONSE } from './structures/basic.js';
import type { Transport } from './transport/transport.js';

/** Part 2 §6.6.3: warnings that mean "send the same command again" (Part 3 §5.5). */
const RETRYABLE: ReadonlySet<number> = new Set([RC.RETRY, RC.YIELDED, RC.TESTING]);

export interface RetryPolicy {
  /** Total tries including the first. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface TpmOptions {
  retry?: Partial<RetryPolicy>;
  /** What may explain a TpmError further before `run` rejects with it, in order; default {@link DEFAULT_ERROR_LAYERS}. */
  errorLayers?: readonly ErrorLayer[];
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 8, initialDelayMs: 10, maxDelayMs: 1000 };
/** TPM_RC_LOCKOUT on a lockout-authorised command says how long lockout stays blocked on this TPM. */
const DEFAULT_ERROR_LAYERS: readonly ErrorLayer[] = [explainLockoutRecovery];
const EMPTY = new Uint8Array(0);

/**
 * The one generic executor: marshals any command definition, authorises it with its sessions,
 * sends it over the transport and unmarshals the response. Commands run one at a time, because
 * a TPM (and swtpm's single data connection) executes one command at a time.
 */
export class Tpm implements CommandRunner {
  private readonly retry: RetryPolicy;
  private readonly errorLayers: readonly ErrorLayer[];
  private busy = false;
  /** True while error layers run (within one command's turn). */
  private explaining = false;
  private readonly waiting: (() => void)[] = [];
  /** Runs commands within the current turn, for error layers (which run inside a command's turn). */
  private readonly inTurn: CommandRunner = {
    run: (command, input, options = {}) => this.execute(command, input, options.sessions ?? []),
  };

  constructor(
    readonly transport: Transport,
    options: TpmOptions = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.errorLayers = options.errorLayers ?? DEFAULT_ERROR_LAYERS;
  }

  /** Runs one command. Extra sessions (audit, encryption) follow the handles' own sessions. */
  run<C extends AnyCommand>(
    command: C,
    input: CommandInput<C>,
    options: { sessions?: readonly Session[] } = {},
  ): Promise<CommandOutput<C>> {
    return this.serialised(() => this.execute(command, input, options.sessions ?? []));
  }

  /** Sends bytes as they are and returns the raw response (for tests and diagnostics). */
  sendRaw(command: Uint8Array): Promise<Uint8Array> {
    return this.serialised(() => this.transport.send(command));
  }

  /**
   * One command (with its retries and error layers) at a time. An idle TPM object starts the
   * work at once; a busy one queues it. The fast path matters: it is measured per command.
   */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    if (!this.busy) {
      this.busy = true;
      return work().finally(() => this.next());
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() =>
      work().finally(() => this.next()),
    );
  }

  private next(): void {
    const resume = this.waiting.shift();
    if (resume) resume();
    else this.busy = false;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async execute<C extends AnyCommand>(
    command: C,
    input: CommandInput<C>,
    extraSessions: readonly Session[],
  ): Promise<CommandOutput<C>> {
    const values = input as Record<string, unknown>;
    const handles: number[] = [];
    const handleNames: Uint8Array[] = [];
    const sessions: Session[] = [];
    const authHandles: number[] = [];
    let named = true;
    for (const [name, slot] of handleSlots(command)) {
      const given = values[name] as number | HandleRef | AuthHandle | undefined;
      if (given === undefined) throw new TypeError(`${command.name}: handle ${name} is missing`);
      const ref: HandleRef = typeof given === 'number' ? { handle: given } : given;
      const handleName = ref.name ?? nameOfHandle(ref.handle);
      if (handleName.length === 0) named = false;
      handles.push(ref.handle);
      handleNames.push(handleName);
      if (slot === 'auth') {
        authHandles.push(ref.handle);
        sessions.push('session' in ref && ref.session ? (ref as AuthHandle).session : password());
      }
    }
    sessions.push(...extraSessions);
    if (!named) {
      requireHandleNames(
        command.name,
        handleSlots(command).map(([slot], i) => ({ slot, handle: handles[i]!, name: handleNames[i]! })),
        sessions,
      );
    }

    const paramWriter = new Writer();
    command.params.write(paramWriter, input);
    const parameters = paramWriter.finish();
    const context: CommandContext = { commandCode: command.code, handleNames, parameters };

    let delay = this.retry.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      // Sessions authorise every attempt afresh: HMAC sessions need a new nonce each time.
      const auths = [];
      for (const s of sessions) auths.push(await s.authorize(context));
      const request = marshalCommand(command.code, handles, auths, parameters);
      const response = await this.transport.send(request);
      const parsed = parseResponse(response, command, sessions.length);
      if (parsed.responseCode === 0) {
        for (let i = 0; i < sessions.length; i++) {
          await sessions[i]!.verify(
            { commandCode: command.code, responseCode: 0, parameters: parsed.parameterBytes },
            parsed.auths[i]!,
          );
        }
        return parsed.output as CommandOutput<C>;
      }
      if (RETRYABLE.has(parsed.responseCode) && attempt < this.retry.attempts) {
        await sleep(delay);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
        continue;
      }
      throw await this.error(parsed.responseCode, command, authHandles);
    }
  }

  /**
   * The TpmError for a response code, as the error layers explain it. A layer that fails changes
   * nothing, and a command a layer runs is not explained in turn (no layer can loop).
   */
  private async error(rc: number, command: AnyCommand, authHandles: number[]): Promise<TpmError> {
    let error = new TpmError(rc, { command: command.name, commandCode: command.code, authHandles });
    if (this.explaining) return error;
    this.explaining = true;
    try {
      for (const layer of this.errorLayers) {
        try {
          error = await layer(error, this.inTurn);
        } catch {
          // The TPM's own answer matters more than a failed explanation of it.
        }
      }
    } finally {
      this.explaining = false;
    }
    return error;
  }
}
const SLOTS = new WeakMap<AnyCommand, [string, string][]>();

/** The handle area of a definition in wire order, computed once per command definition. */
function handleSlots(command: AnyCommand): [string, string][] {
  let slots = SLOTS.get(command);
  if (!slots) {
    slots = Object.entries(command.handles as Record<string, string>);
    SLOTS.set(command, slots);
  }
  return slots;
}

/** Part 1 §18.2/§18.3: header, handle area, authorization area (with its size), parameter area. */
function marshalCommand(
  code: number,
  handles: readonly number[],
  auths: readonly Parameters<typeof TPMS_AUTH_COMMAND.write>[1][],
  parameters: Uint8Array,
): Uint8Array {
  const w = new Writer(64 + parameters.length);
  w.u16(auths.length > 0 ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS);
  w.u32(0); // size, patched below
  w.u32(code);
  for (const h of handles) w.u32(h);
  if (auths.length > 0) {
    const done = w.reserveSize(4);
    for (const a of auths) TPMS_AUTH_COMMAND.write(w, a);
    done();
  }
  w.bytes(parameters);
  w.patchU32(2, w.length);
  return w.finish();
}

interface ParsedResponse {
  responseCode: number;
  output?: unknown;
  parameterBytes: Uint8Array;
  auths: ReturnType<typeof TPMS_AUTH_RESPONSE.read>[];
}

/** Part 1 §18.8-§18.10: response header, handles, (parameterSize when sessions), parameters, auth area. */
function parseResponse(bytes: Uint8Array, command: AnyCommand, sessionCount: number): ParsedResponse {
  const where = `${command.name} response`;
  const r = new Reader(bytes);
  try {
    const tag = r.u16();
    const size = r.u32();
    if (size !== bytes.length) {
      throw new MarshalError(`header says ${size} bytes but ${bytes.length} arrived`, 2);
    }
    const responseCode = r.u32();
    if (responseCode !== 0) {
      // Error responses carry no handles, parameters or sessions (Part 1 §18.9).
      r.expectEnd('an error response');
      return { responseCode, parameterBytes: EMPTY, auths: [] };
    }
    const expectedTag = sessionCount > 0 ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS;
    if (tag !== expectedTag) {
      throw new MarshalError(
        `tag 0x${tag.toString(16)} on a successful response; expected 0x${expectedTag.toString(16)}`,
        0,
      );
    }
    const output: Record<string, unknown> = {};
    for (const name of command.responseHandles) output[name] = r.u32();
    let params: Reader = r;
    if (sessionCount > 0) params = r.sub(r.u32(), 'the parameter area');
    const start = params.offset;
    Object.assign(output, command.response.read(params));
    const parameterBytes = bytes.subarray(start, params.offset);
    if (sessionCount > 0) {
      params.expectEnd('the parameter area');
    }
    const auths = [];
    for (let i = 0; i < sessionCount; i++) auths.push(TPMS_AUTH_RESPONSE.read(r));
    r.expectEnd(where);
    return { responseCode, output, parameterBytes, auths };
  } catch (e) {
    if (e instanceof MarshalError) throw e.within(where);
    throw e;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
