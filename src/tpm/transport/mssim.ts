import { TransportError } from '../errors.js';
import { responseLength } from './response-frame.js';
import { type Framing, SocketTransport } from './socket-transport.js';
import type { TransportOptions } from './transport.js';

/** TPM_SEND_COMMAND of the Microsoft TPM 2.0 simulator's TCP protocol (reference code TpmTcpProtocol.h). */
const TPM_SEND_COMMAND = 8;

/**
 * The Microsoft simulator framing (also accepted by IBM's tpm_server and by swtpm's data port):
 * command = u32 TPM_SEND_COMMAND, u8 locality, u32 size, bytes; response = u32 size, bytes,
 * u32 acknowledgement (0).
 */
function mssimFraming(locality = 0): Framing {
  return {
    encode: (command) => {
      const out = new Uint8Array(9 + command.length);
      const view = new DataView(out.buffer);
      view.setUint32(0, TPM_SEND_COMMAND);
      view.setUint8(4, locality);
      view.setUint32(5, command.length);
      out.set(command, 9);
      return out;
    },
    decode: (buf, where) => {
      if (buf.length < 4) return undefined;
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const size = view.getUint32(0);
      const body = buf.subarray(4);
      const declared = responseLength(body, where);
      if (declared !== undefined && declared !== size) {
        throw new TransportError(
          `${where} framed a ${size}-byte response whose TPM header says ${declared} bytes`,
        );
      }
      if (buf.length < 4 + size + 4) return undefined;
      const ack = view.getUint32(4 + size);
      if (ack !== 0) throw new TransportError(`${where} acknowledged the command with ${ack}, expected 0`);
      return { response: buf.subarray(4, 4 + size), consumed: 4 + size + 4 };
    },
  };
}

export function mssimTransport(host: string, port: number, options?: TransportOptions): SocketTransport {
  return new SocketTransport(host, port, mssimFraming(), 'mssim', options);
}
