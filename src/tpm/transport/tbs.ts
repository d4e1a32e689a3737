import { TransportError } from '../errors.js';
import { koffiFromExecutable } from './koffi-in-executable.js';
import { MAX_RESPONSE_SIZE, type Transport } from './transport.js';

/**
 * Windows TPM Base Services (tbs.h): Tbsi_Context_Create with TBS_CONTEXT_PARAMS2
 * { version = TPM_VERSION_20 (2), includeTpm20 flag (bit 2) }, then Tbsip_Submit_Command per
 * command. Called through koffi (a maintained FFI package, an optional dependency loaded only
 * here, only on Windows) with its async call form, so the TPM's work happens off the event loop.
 * Windows' command filter (TBS "blocked commands" list) may refuse some commands for non-admins.
 */
const TBS_SUCCESS = 0;
const TPM_VERSION_20 = 2;
const TBS_CONTEXT_INCLUDE_TPM20 = 1 << 2;
const TBS_COMMAND_LOCALITY_ZERO = 0;
const TBS_COMMAND_PRIORITY_NORMAL = 200;

interface TbsApi {
  create(): number;
  submit(context: number, command: Uint8Array): Promise<Uint8Array>;
  close(context: number): void;
}

export class TbsTransport implements Transport {
  readonly description = 'tbs:';
  private api: TbsApi | undefined;
  private context: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  send(command: Uint8Array): Promise<Uint8Array> {
    const run = this.queue.then(async () => {
      this.api ??= await loadTbs();
      this.context ??= this.api.create();
      return this.api.submit(this.context, command);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.api && this.context !== undefined) this.api.close(this.context);
    this.context = undefined;
  }
}

async function loadTbs(): Promise<TbsApi> {
  if (process.platform !== 'win32') throw new TransportError('tbs: is only available on Windows');
  let koffi: typeof import('koffi');
  try {
    koffi = koffiFromExecutable() ?? (await importKoffi());
  } catch (e) {
    const how = isSingleExecutable()
      ? `this executable could not load it: ${e instanceof Error ? e.message : String(e)}`
      : 'npm install koffi';
    throw new TransportError(`tbs: needs the optional "koffi" package (${how})`, { cause: e });
  }
  // A tbs.dll without these exports (Wine's stub, a damaged system) is a transport failure: the
  // TPM's state stays unknown, never absent.
  let create: ReturnType<ReturnType<typeof koffi.load>['func']>;
  let submit: typeof create;
  let close: typeof create;
  try {
    const lib = koffi.load('tbs.dll');
    koffi.struct('TBS_CONTEXT_PARAMS2', { version: 'uint32', flags: 'uint32' });
    create = lib.func(
      'uint32 __stdcall Tbsi_Context_Create(TBS_CONTEXT_PARAMS2 *params, _Out_ uintptr_t *context)',
    );
    submit = lib.func(
      'uint32 __stdcall Tbsip_Submit_Command(uintptr_t context, uint32 locality, uint32 priority, const uint8_t *command, uint32 commandLength, _Out_ uint8_t *result, _Inout_ uint32 *resultLength)',
    );
    close = lib.func('uint32 __stdcall Tbsip_Context_Close(uintptr_t context)');
  } catch (e) {
    throw new TransportError(`tbs.dll could not be used: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  return {
    create() {
      const out = [0];
      const rc = create({ version: TPM_VERSION_20, flags: TBS_CONTEXT_INCLUDE_TPM20 }, out) as number;
      if (rc !== TBS_SUCCESS) {
        throw new TransportError(`Tbsi_Context_Create failed: ${tbsError(rc)}`, {
          absent: rc >>> 0 === 0x8028400f, // TBS_E_TPM_NOT_FOUND
        });
      }
      return out[0] as number;
    },
    submit(context, command) {
      const result = new Uint8Array(MAX_RESPONSE_SIZE);
      const length = [result.length];
      return new Promise((resolve, reject) => {
        submit.async(
          context,
          TBS_COMMAND_LOCALITY_ZERO,
          TBS_COMMAND_PRIORITY_NORMAL,
          command,
          command.length,
          result,
          length,
          (err: unknown, rc: number) => {
            if (err)
              reject(new TransportError(`Tbsip_Submit_Command failed: ${String(err)}`, { cause: err }));
            else if (rc !== TBS_SUCCESS)
              reject(new TransportError(`Tbsip_Submit_Command failed: ${tbsError(rc)}`));
            else resolve(result.slice(0, length[0]));
          },
        );
      });
    },
    close(context) {
      close(context);
    },
  };
}

/** TBS result codes (tbs.h / winerror.h) an admin is likely to meet. */
function tbsError(rc: number): string {
  const hex = `0x${(rc >>> 0).toString(16).padStart(8, '0')}`;
  const known: Record<number, string> = {
    2150121476: 'TBS_E_INVALID_CONTEXT: the TBS context is invalid',
    2150121477: 'TBS_E_INSUFFICIENT_BUFFER: the response did not fit the buffer',
    2150121478: 'TBS_E_IOERROR: an error occurred talking to the TPM',
    2150121480: 'TBS_E_SERVICE_NOT_RUNNING: the TPM Base Services service is not running',
    2150121481: 'TBS_E_TOO_MANY_TBS_CONTEXTS: too many TBS contexts are open',
    2150121483: 'TBS_E_SERVICE_START_PENDING: the TBS service is still starting',
    2150121487: 'TBS_E_TPM_NOT_FOUND: no compatible TPM was found',
    2150121488: 'TBS_E_SERVICE_DISABLED: the TBS service is disabled',
    2150121490: 'TBS_E_ACCESS_DENIED: access denied (run elevated for this command)',
    2150121494: 'TBS_E_PROVISIONING_INCOMPLETE: TPM provisioning has not finished',
    2150106112: 'TPM_E_COMMAND_BLOCKED: Windows blocks this TPM command (TBS command filter)',
  };
  return `${known[rc >>> 0] ?? 'TBS error'} (${hex})`;
}

async function importKoffi(): Promise<typeof import('koffi')> {
  const mod = (await import('koffi')) as typeof import('koffi') & { default?: typeof import('koffi') };
  return mod.default ?? mod;
}

function isSingleExecutable(): boolean {
  const sea = process.getBuiltinModule?.('node:sea') as typeof import('node:sea') | undefined;
  return sea?.isSea() ?? false;
}
