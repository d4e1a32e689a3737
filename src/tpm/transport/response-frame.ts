import { TPM_ST } from '../constants/structure-tags.js';
import { TransportError } from '../errors.js';
import { MAX_RESPONSE_SIZE } from './transport.js';

/** Response tags a TPM 2.0 may send (Part 2 §6.9): NO_SESSIONS, SESSIONS, and RSP_COMMAND for a TPM 1.2-format error. */
const RESPONSE_TAGS: ReadonlySet<number> = new Set([TPM_ST.NO_SESSIONS, TPM_ST.SESSIONS, TPM_ST.RSP_COMMAND]);
const RESPONSE_HEADER_SIZE = 10;

/**
 * How many bytes the TPM response at the start of `buf` occupies, or undefined while the
 * header is incomplete. Rejects impossible headers as soon as they arrive (a bad tag, a size
 * below the 10-byte header or above MAX_RESPONSE_SIZE), so garbage never makes us wait for
 * gigabytes that will never come.
 */
export function responseLength(buf: Uint8Array, where: string): number | undefined {
  if (buf.length < 2) return undefined;
  const tag = (buf[0]! << 8) | buf[1]!;
  if (!RESPONSE_TAGS.has(tag)) {
    throw new TransportError(
      `${where} sent a response with tag 0x${tag.toString(16).padStart(4, '0')}; expected TPM_ST_NO_SESSIONS (0x8001), TPM_ST_SESSIONS (0x8002) or TPM_ST_RSP_COMMAND (0x00c4)`,
    );
  }
  if (buf.length < 6) return undefined;
  const size = ((buf[2]! << 24) | (buf[3]! << 16) | (buf[4]! << 8) | buf[5]!) >>> 0;
  if (size < RESPONSE_HEADER_SIZE || size > MAX_RESPONSE_SIZE) {
    throw new TransportError(
      `${where} sent a response header claiming ${size} bytes; a TPM response is ${RESPONSE_HEADER_SIZE} to ${MAX_RESPONSE_SIZE} bytes`,
    );
  }
  return size;
}
