/**
 * A growable big-endian byte buffer for building TPM commands (TPM 2.0 Part 1 §18).
 * Size fields are reserved first and patched once the body is written, so nested
 * TPM2B structures never need a second marshalling pass.
 */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  /**
   * Makes room for n bytes and returns where they go. Callers must call this before reading
   * this.view/this.buf: growing replaces both, so `this.view.setUint32(this.ensure(4), v)` would
   * write through the old, too-small view.
   */
  private ensure(n: number): number {
    const need = this.len + n;
    if (need > this.buf.length) {
      let cap = Math.max(this.buf.length * 2, 16); // from 16, so new Writer(0) cannot loop forever
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.len;
    this.len = need;
    return at;
  }

  u8(v: number): void {
    checkRange(v, 0xff, 'UINT8');
    const at = this.ensure(1);
    this.view.setUint8(at, v);
  }

  u16(v: number): void {
    checkRange(v, 0xffff, 'UINT16');
    const at = this.ensure(2);
    this.view.setUint16(at, v);
  }

  u32(v: number): void {
    checkRange(v, 0xffffffff, 'UINT32');
    const at = this.ensure(4);
    this.view.setUint32(at, v);
  }

  u64(v: bigint): void {
    if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`UINT64 out of range: ${v}`);
    const at = this.ensure(8);
    this.view.setBigUint64(at, v);
  }

  bytes(b: Uint8Array): void {
    const at = this.ensure(b.length);
    this.buf.set(b, at);
  }

  /** Reserves a UINT16/UINT32 size field and returns a function that fills it with the bytes written since. */
  reserveSize(width: 2 | 4): () => void {
    const at = this.ensure(width);
    return () => {
      const size = this.len - at - width;
      if (width === 2) {
        if (size > 0xffff) throw new RangeError(`sized field of ${size} bytes does not fit a UINT16 size`);
        this.view.setUint16(at, size);
      } else {
        this.view.setUint32(at, size);
      }
    };
  }

  /** Overwrites a UINT32 already written at `at` (used for the command header's size). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  /** The bytes written. A view, not a copy: a Writer is not written to after finish(). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function checkRange(v: number, max: number, type: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${type} out of range: ${v}`);
}
