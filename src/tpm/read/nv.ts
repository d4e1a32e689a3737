import type { AuthHandle, CommandRunner } from '../command.js';
import { NV_Read, NV_ReadPublic } from '../commands/nv.js';
import { MarshalError } from '../errors.js';
import type { TpmsNvPublic } from '../structures/nv.js';

/** A conservative chunk size, used only when the caller does not pass the TPM's TPM_PT_NV_BUFFER_MAX. */
const FALLBACK_NV_BUFFER_MAX = 512;

/**
 * Reads a whole NV index, in chunks of at most TPM_PT_NV_BUFFER_MAX bytes (Part 3 §31.13:
 * larger reads fail with TPM_RC_VALUE). `auth` defaults to the index authorising itself with an
 * empty password; EK certificates (TCG EK Credential Profile §2.2.1.5) are readable that way and
 * through owner authorisation.
 */
export async function readNvIndex(
  tpm: CommandRunner,
  nvIndex: number,
  options: { auth?: AuthHandle | number; nvBufferMax?: number; public?: TpmsNvPublic } = {},
): Promise<Uint8Array> {
  const pub = options.public ?? (await tpm.run(NV_ReadPublic, { nvIndex })).nvPublic;
  const chunk = options.nvBufferMax && options.nvBufferMax > 0 ? options.nvBufferMax : FALLBACK_NV_BUFFER_MAX;
  const out = new Uint8Array(pub.dataSize);
  for (let offset = 0; offset < pub.dataSize; offset += chunk) {
    const size = Math.min(chunk, pub.dataSize - offset);
    const { data } = await tpm.run(NV_Read, { authHandle: options.auth ?? nvIndex, nvIndex, size, offset });
    if (data.length !== size) {
      throw new MarshalError(
        `TPM2_NV_Read of 0x${nvIndex.toString(16)} returned ${data.length} bytes at offset ${offset}; asked for ${size}`,
        0,
      );
    }
    out.set(data, offset);
  }
  return out;
}
