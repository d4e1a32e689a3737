import { responseLength } from './response-frame.js';
import { type Framing, SocketTransport } from './socket-transport.js';
import type { TransportOptions } from './transport.js';

/**
 * swtpm's data channel speaks raw TPM command bytes (swtpm mainloop.c: a stream of TPM
 * commands, no extra framing). Its control channel (CMD_INIT for a power cycle) is at the
 * port above; see ./swtpm-control.ts.
 */
const rawFraming: Framing = {
  encode: (command) => command,
  decode: (buf, where) => {
    const size = responseLength(buf, where);
    if (size === undefined || buf.length < size) return undefined;
    return { response: buf.subarray(0, size), consumed: size };
  },
};

export function swtpmTransport(host: string, port: number, options?: TransportOptions): SocketTransport {
  return new SocketTransport(host, port, rawFraming, 'swtpm', options);
}
