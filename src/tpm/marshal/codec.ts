import { MarshalError } from '../errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/**
 * Codec combinators: every TPM 2.0 structure (Part 2) is declared once, as data, and the same
 * declaration both marshals and unmarshals it. This is the TypeScript counterpart of go-tpm's
 * struct tags: no per-structure toBuffer/fromBuffer code, so adding a structure is a declaration.
 */
export interface Codec<T> {
  /** The Part 2 type name, used in error paths (e.g. 'TPMS_NV_PUBLIC'). */
  readonly type: string;
  write(w: Writer, value: T): void;
  read(r: Reader): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

/** A union member chosen by an earlier field of the same structure (Part 2 §4.13, "selector"). */
export interface Switch<T> {
  readonly kind: 'switch';
  readonly type: string;
  readonly selector: string;
  readonly cases: Readonly<Record<number, Codec<T>>>;
}

export type Field = Codec<unknown> | Switch<unknown>;
export type Fields = Record<string, Field>;
export type StructOf<F extends Fields> = {
  -readonly [K in keyof F]: F[K] extends Codec<infer T> ? T : F[K] extends Switch<infer U> ? U : never;
};

function primitive<T>(type: string, read: (r: Reader) => T, write: (w: Writer, v: T) => void): Codec<T> {
  return { type, read, write };
}

export const u8 = primitive<number>(
  'UINT8',
  (r) => r.u8(),
  (w, v) => w.u8(v),
);
export const u16 = primitive<number>(
  'UINT16',
  (r) => r.u16(),
  (w, v) => w.u16(v),
);
export const u32 = primitive<number>(
  'UINT32',
  (r) => r.u32(),
  (w, v) => w.u32(v),
);
export const u64 = primitive<bigint>(
  'UINT64',
  (r) => r.u64(),
  (w, v) => w.u64(v),
);

/** TPMI_YES_NO (Part 2 §9.2): a BYTE that must be 0 or 1. */
export const yesNo = primitive<boolean>(
  'TPMI_YES_NO',
  (r) => {
    const at = r.offset;
    const v = r.u8();
    if (v > 1) throw new MarshalError(`expected TPMI_YES_NO 0 or 1, got ${v}`, at);
    return v === 1;
  },
  (w, v) => w.u8(v ? 1 : 0),
);

/** The same wire format under its Part 2 name (TPM_HANDLE, TPM_ALG_ID, TPMA_OBJECT, ...). */
export function alias<T>(type: string, inner: Codec<T>): Codec<T> {
  return { type, read: (r) => inner.read(r), write: (w, v) => inner.write(w, v) };
}

/** A TPM2B_ byte buffer: UINT16 size, then that many bytes (Part 2 §10.4). */
export function bytes2b(type = 'TPM2B'): Codec<Uint8Array> {
  return {
    type,
    read: (r) => r.bytes(r.u16()),
    write: (w, v) => {
      if (v.length > 0xffff) throw new RangeError(`${type} of ${v.length} bytes exceeds the UINT16 size`);
      w.u16(v.length);
      w.bytes(v);
    },
  };
}

/** A byte array whose UINT8 size comes first (TPMS_PCR_SELECTION.pcrSelect, Part 2 §10.6.2). */
export function bytes8(type: string): Codec<Uint8Array> {
  return {
    type,
    read: (r) => r.bytes(r.u8()),
    write: (w, v) => {
      w.u8(v.length);
      w.bytes(v);
    },
  };
}

/** Exactly n bytes, no size field (e.g. a digest whose size the hash algorithm fixes). */
export function fixedBytes(type: string, n: number): Codec<Uint8Array> {
  return {
    type,
    read: (r) => r.bytes(n),
    write: (w, v) => {
      if (v.length !== n) throw new RangeError(`${type} must be ${n} bytes, got ${v.length}`);
      w.bytes(v);
    },
  };
}

/**
 * A TPM2B_ that wraps a structure (TPM2B_PUBLIC, TPM2B_NV_PUBLIC, ...): the UINT16 size must
 * match the structure exactly (Part 2 §10.4: "size ... shall be the size of the structure").
 */
export function sized<T>(type: string, inner: Codec<T>): Codec<T> {
  return {
    type,
    read: (r) => {
      const size = r.u16();
      const body = r.sub(size, type);
      const value = within(inner.type, () => inner.read(body));
      body.expectEnd(type);
      return value;
    },
    write: (w, v) => {
      const done = w.reserveSize(2);
      inner.write(w, v);
      done();
    },
  };
}

/** A TPML_ list: UINT32 count, then that many items (Part 2 §10.9). */
export function list<T>(type: string, item: Codec<T>, max = 0xffffffff): Codec<T[]> {
  return {
    type,
    read: (r) => {
      const at = r.offset;
      const count = r.u32();
      if (count > max) throw new MarshalError(`${type} count ${count} exceeds the maximum of ${max}`, at);
      // Each item is at least one byte: a count larger than the bytes left is a lie, reject it early.
      if (count > r.remaining) {
        throw new MarshalError(`${type} claims ${count} items but only ${r.remaining} bytes are left`, at);
      }
      const out = new Array<T>(count);
      for (let i = 0; i < count; i++) out[i] = within(`${type}[${i}]`, () => item.read(r));
      return out;
    },
    write: (w, v) => {
      if (v.length > max) throw new RangeError(`${type} of ${v.length} items exceeds the maximum of ${max}`);
      w.u32(v.length);
      for (const x of v) item.write(w, x);
    },
  };
}

/**
 * Declares a union member chosen by the value of an earlier field named `selector`. `cases` maps
 * each selector value to its member's codec; keep it as a named constant when the structure is
 * typed as a discriminated union (see {@link Variants}), so both come from the same table.
 */
export function select<const C extends Readonly<Record<number, Codec<unknown>>>>(
  type: string,
  selector: string,
  cases: C,
): Switch<Infer<C[keyof C]>> {
  return {
    kind: 'switch',
    type,
    selector,
    cases: cases as Readonly<Record<number, Codec<Infer<C[keyof C]>>>>,
  };
}

/**
 * The member each selector value decodes to, from a `select` cases table:
 * `Variants<{ 1: Codec<RsaParms>; 35: Codec<EccParms> }>` is `{ 1: RsaParms; 35: EccParms }`.
 */
export type Variants<C> = { -readonly [K in keyof C]: Infer<C[K]> };

/**
 * A structure's codec typed as the discriminated union `U` of its variants, so that checking the
 * selector narrows the union members (TPMT_PUBLIC by `type`, TPMS_CAPABILITY_DATA by `capability`).
 * Sound when U is derived (with {@link Variants}) from the same cases tables as the structure's
 * `select` fields: reading yields only those variants, since an unknown selector is a MarshalError,
 * and every variant is a value of the structure (checked here: U must extend S).
 */
export function discriminated<U extends S, S>(codec: Codec<S>): Codec<U> {
  return codec as Codec<unknown> as Codec<U>;
}

/** A structure: its fields in wire order. Field order is the object's key order. */
export function struct<F extends Fields>(type: string, fields: F): Codec<StructOf<F>> {
  const entries = Object.entries(fields);
  return {
    type,
    read: (r) => {
      const out: Record<string, unknown> = {};
      for (const [name, field] of entries) {
        // try/catch inline rather than within(): no closure per field on the hot path.
        try {
          out[name] = readField(r, field, out, type);
        } catch (e) {
          if (e instanceof MarshalError) throw e.within(name);
          throw e;
        }
      }
      return out as StructOf<F>;
    },
    write: (w, v) => {
      const value = v as Record<string, unknown>;
      for (const [name, field] of entries) {
        if (!(name in value)) throw new TypeError(`${type}.${name} is missing`);
        const codec = isSwitch(field) ? pickCase(field, value, type, w.length) : field;
        codec.write(w, value[name]);
      }
    },
  };
}

function isSwitch(field: Field): field is Switch<unknown> {
  return (field as Switch<unknown>).kind === 'switch';
}

function readField(r: Reader, field: Field, partial: Record<string, unknown>, type: string): unknown {
  if (!isSwitch(field)) return field.read(r);
  return pickCase(field, partial, type, r.offset).read(r);
}

function pickCase(
  field: Switch<unknown>,
  value: Record<string, unknown>,
  type: string,
  offset: number,
): Codec<unknown> {
  const sel = value[field.selector];
  const codec = typeof sel === 'number' ? field.cases[sel] : undefined;
  if (!codec) {
    const shown = typeof sel === 'number' ? `0x${sel.toString(16).padStart(4, '0')}` : String(sel);
    throw new MarshalError(
      `${field.type} has no member for ${type}.${field.selector} = ${shown} (known: ${Object.keys(field.cases)
        .map((k) => `0x${Number(k).toString(16)}`)
        .join(', ')})`,
      offset,
    );
  }
  return codec;
}

/** Runs a decode step and, on failure, adds `name` to the error's structure path. */
function within<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MarshalError) throw e.within(name);
    throw e;
  }
}

/** Marshals one value to bytes. */
export function encode<T>(codec: Codec<T>, value: T): Uint8Array {
  const w = new Writer();
  codec.write(w, value);
  return w.finish();
}

/** Unmarshals exactly one value from bytes; trailing bytes are an error. */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array): T {
  const r = new Reader(bytes);
  const v = within(codec.type, () => codec.read(r));
  r.expectEnd(codec.type);
  return v;
}
