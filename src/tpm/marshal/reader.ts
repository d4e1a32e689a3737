import { MarshalError } from '../errors.js';

/**
 * A bounds-checked big-endian cursor over TPM bytes (TPM 2.0 Part 1 §18: all integers are
 * big-endian). Every read that would run past the end throws a MarshalError saying how many
 * bytes were needed and how many were left, so a truncated response never becomes a wrong value.
 */
export class Reader {
  private readonly view: DataView;
  private pos: number;
  private readonly end: number;

  private readonly data: Uint8Array;

  constructor(data: Uint8Array, start = 0, end = data.length) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    if (n > this.end - this.pos) {
      throw new MarshalError(
        `truncated: ${what} needs ${n} byte${n === 1 ? '' : 's'} at offset ${this.pos}, ${this.end - this.pos} left`,
        this.pos,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1, 'a UINT8'));
  }

  u16(): number {
    return this.view.getUint16(this.need(2, 'a UINT16'));
  }

  u32(): number {
    return this.view.getUint32(this.need(4, 'a UINT32'));
  }

  u64(): bigint {
    return this.view.getBigUint64(this.need(8, 'a UINT64'));
  }

  /** A copy of the next n bytes (a copy, so callers may keep it after the response buffer is reused). */
  bytes(n: number): Uint8Array {
    const at = this.need(n, 'a byte array');
    // Not this.data.slice(): on a Node Buffer (what sockets deliver) slice() is a view, not a copy.
    return new Uint8Array(this.data.subarray(at, at + n));
  }

  /** A reader over the next n bytes only; this reader moves past them. */
  sub(n: number, what: string): Reader {
    const at = this.need(n, what);
    return new Reader(this.data, at, at + n);
  }

  /** Throws unless every byte was consumed: trailing bytes mean we and the TPM disagree on the layout. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) {
      throw new MarshalError(
        `${what} has ${this.end - this.pos} unexpected trailing byte${this.end - this.pos === 1 ? '' : 's'} at offset ${this.pos}`,
        this.pos,
      );
    }
  }
}
