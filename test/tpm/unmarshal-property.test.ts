import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TpmDoctorError } from '../../src/errors.js';
import type { AnyCommand, CommandInput } from '../../src/tpm/command.js';
import { GetCapability } from '../../src/tpm/commands/capability.js';
import { FlushContext } from '../../src/tpm/commands/context.js';
import { CreatePrimary } from '../../src/tpm/commands/hierarchy.js';
import { NV_ReadPublic } from '../../src/tpm/commands/nv.js';
import { ReadPublic } from '../../src/tpm/commands/object.js';
import { PCR_Read } from '../../src/tpm/commands/pcr.js';
import { GetTestResult } from '../../src/tpm/commands/testing.js';
import { type Codec, decode, encode } from '../../src/tpm/marshal/codec.js';
import { Writer } from '../../src/tpm/marshal/writer.js';
import { TPM2B_DIGEST } from '../../src/tpm/structures/basic.js';
import { TPMS_CAPABILITY_DATA } from '../../src/tpm/structures/capability.js';
import { TPMS_NV_PUBLIC } from '../../src/tpm/structures/nv.js';
import { pcrSelectBitmap, TPML_PCR_SELECTION } from '../../src/tpm/structures/pcr.js';
import { type Scheme, type SymDef, TPMT_PUBLIC, type TpmtPublic } from '../../src/tpm/structures/public.js';
import { Tpm } from '../../src/tpm/tpm.js';
import { swtpmTransport } from '../../src/tpm/transport/swtpm.js';
import type { Transport } from '../../src/tpm/transport/transport.js';
import { useSwtpm } from '../support/swtpm-harness.js';

/**
 * The response parser is the unit under test: a Transport that hands back whatever bytes the
 * property generated is the input, not a stand-in for a real part.
 */
class ScriptedTransport implements Transport {
  readonly description = 'scripted';
  response: Uint8Array = new Uint8Array(0);
  async send(): Promise<Uint8Array> {
    return this.response;
  }
  async close(): Promise<void> {}
}

/** Records the last response of a real transport, to capture valid responses from swtpm. */
class RecordingTransport implements Transport {
  last: Uint8Array = new Uint8Array(0);
  constructor(private readonly inner: Transport) {}
  get description(): string {
    return this.inner.description;
  }
  async send(command: Uint8Array): Promise<Uint8Array> {
    this.last = new Uint8Array(await this.inner.send(command));
    return this.last;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Sample {
  label: string;
  command: AnyCommand;
  input: CommandInput<AnyCommand>;
  valid: Uint8Array;
  /** Bytes before the parameter area: header, response handles and, with sessions, parameterSize. */
  paramStart: number;
  /** Bytes after the parameter area: the response auth area. */
  authBytes: number;
}

const ECC_STORAGE_TEMPLATE: TpmtPublic = {
  type: 0x0023, // TPM_ALG_ECC
  nameAlg: 0x000b, // SHA256
  objectAttributes: 0x00030072, // fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|restricted|decrypt
  authPolicy: new Uint8Array(0),
  parameters: {
    symmetric: { algorithm: 0x0006, keyBits: 128, mode: 0x0043 }, // AES-128-CFB
    scheme: { scheme: 0x0010 },
    curveID: 0x0003, // NIST P-256
    kdf: { scheme: 0x0010 },
  },
  unique: { x: new Uint8Array(0), y: new Uint8Array(0) },
};

const swtpm = useSwtpm({ provision: true });
const samples: Sample[] = [];

beforeAll(async () => {
  const { host, port } = swtpm.get();
  const rec = new RecordingTransport(swtpmTransport(host, port, { timeoutMs: 30_000 }));
  const tpm = new Tpm(rec);
  const capture = async <C extends AnyCommand>(
    label: string,
    command: C,
    input: CommandInput<C>,
    sessions: number,
  ): Promise<void> => {
    await tpm.run(command, input);
    const handles = command.responseHandles.length * 4;
    samples.push({
      label,
      command,
      input: input as CommandInput<AnyCommand>,
      valid: rec.last,
      paramStart: 10 + handles + (sessions > 0 ? 4 : 0),
      authBytes: sessions * 5, // a password session's response: empty nonce, attributes, empty hmac
    });
  };
  try {
    await capture(
      'GetCapability(TPM_PROPERTIES)',
      GetCapability,
      { capability: 6, property: 0x100, propertyCount: 0x60 },
      0,
    );
    await capture(
      'GetCapability(ALGS)',
      GetCapability,
      { capability: 0, property: 0, propertyCount: 0x40 },
      0,
    );
    await capture(
      'GetCapability(HANDLES)',
      GetCapability,
      { capability: 1, property: 0x01000000, propertyCount: 0x40 },
      0,
    );
    await capture(
      'GetCapability(COMMANDS)',
      GetCapability,
      { capability: 2, property: 0x11f, propertyCount: 0x20 },
      0,
    );
    await capture('GetCapability(PCRS)', GetCapability, { capability: 5, property: 0, propertyCount: 1 }, 0);
    await capture(
      'GetCapability(ECC_CURVES)',
      GetCapability,
      { capability: 8, property: 0, propertyCount: 0x40 },
      0,
    );
    await capture('NV_ReadPublic(EK certificate)', NV_ReadPublic, { nvIndex: 0x01c00002 }, 0);
    await capture('ReadPublic(RSA EK)', ReadPublic, { objectHandle: 0x81010001 }, 0);
    await capture('ReadPublic(ECC EK)', ReadPublic, { objectHandle: 0x81010016 }, 0);
    await capture(
      'PCR_Read(sha256 0-7)',
      PCR_Read,
      { pcrSelectionIn: [{ hash: 0x000b, pcrSelect: pcrSelectBitmap([0, 1, 2, 3, 4, 5, 6, 7]) }] },
      0,
    );
    await capture('GetTestResult', GetTestResult, {}, 0);
    await capture(
      'CreatePrimary(ECC, owner)',
      CreatePrimary,
      {
        primaryHandle: 0x40000001,
        inSensitive: { userAuth: new Uint8Array(0), data: new Uint8Array(0) },
        inPublic: ECC_STORAGE_TEMPLATE,
        outsideInfo: new Uint8Array(0),
        creationPCR: [],
      },
      1,
    );
    const handle = new DataView(rec.last.buffer).getUint32(10);
    await tpm.run(FlushContext, { flushHandle: handle });
  } finally {
    await tpm.close();
  }
});

const scripted = new ScriptedTransport();
// No retries: a generated TPM_RC_RETRY must not make a run sleep.
const tpm = new Tpm(scripted, { retry: { attempts: 1 } });

type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: unknown };

async function parse(sample: Sample, bytes: Uint8Array): Promise<Outcome> {
  scripted.response = bytes;
  try {
    return { ok: true, value: (await tpm.run(sample.command, sample.input)) as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The contract: a value, or a TpmDoctorError subclass. When a value comes back it must be the
 * faithful reading of the bytes: its response parameters re-encode to exactly the parameter area.
 */
function checkOutcome(sample: Sample, bytes: Uint8Array, outcome: Outcome): void {
  if (!outcome.ok) {
    if (!(outcome.error instanceof TpmDoctorError)) {
      throw new Error(`${sample.label}: untyped ${String(outcome.error)} for ${hex(bytes)}`, {
        cause: outcome.error,
      });
    }
    return;
  }
  const params: Record<string, unknown> = { ...outcome.value };
  for (const h of sample.command.responseHandles) delete params[h];
  const reencoded = encode(sample.command.response, params as never);
  const area = bytes.subarray(sample.paramStart, bytes.length - sample.authBytes);
  expect(hex(reencoded)).toBe(hex(area));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function withSize(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (out.length >= 6) new DataView(out.buffer).setUint32(2, out.length);
  return out;
}

/** A mutation of a valid response; `fixSize` rewrites the header size so parsing gets past it. */
type Mutation = (valid: Uint8Array) => fc.Arbitrary<Uint8Array>;

const flipBytes: Mutation = (valid) =>
  fc
    .tuple(
      fc.array(fc.record({ at: fc.nat(valid.length - 1), xor: fc.integer({ min: 1, max: 255 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.boolean(),
    )
    .map(([flips, fix]) => {
      const out = Uint8Array.from(valid);
      for (const { at, xor } of flips) out[at]! ^= xor;
      return fix ? withSize(out) : out;
    });

const INTERESTING_U16 = [
  0, 1, 2, 3, 4, 5, 0x20, 0x7f, 0x80, 0xff, 0x100, 0x400, 0x7fff, 0x8000, 0xfffe, 0xffff,
];
/** Overwrites a UINT16 or UINT32 somewhere with a value likely to be a bad size field. */
const changeSizeField: Mutation = (valid) =>
  fc
    .tuple(
      fc.nat(Math.max(0, valid.length - 2)),
      fc.oneof(
        fc.constantFrom(...INTERESTING_U16),
        fc.integer({ min: 0, max: 0xffff }),
        fc.constant(valid.length),
        fc.constant(valid.length - 10),
      ),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([at, value, wide, fix]) => {
      const out = Uint8Array.from(valid);
      const view = new DataView(out.buffer);
      if (wide && at + 4 <= out.length) view.setUint32(at, value >>> 0);
      else view.setUint16(at, value & 0xffff);
      return fix ? withSize(out) : out;
    });

/** Algorithm IDs and capability numbers: what TPMU_* selectors take. */
const SELECTORS = [
  0x0001, 0x0004, 0x0005, 0x0006, 0x0008, 0x000a, 0x000b, 0x000c, 0x000d, 0x0010, 0x0014, 0x0015, 0x0018,
  0x001a, 0x0023, 0x0025, 0x0043, 0x0000, 0x0002, 0x0003, 0x0007, 0x0009, 0x000e, 0x0011, 0x00ff,
];
const changeSelector: Mutation = (valid) =>
  fc
    .tuple(fc.nat(Math.max(0, valid.length - 2)), fc.constantFrom(...SELECTORS), fc.boolean())
    .map(([at, value, wide]) => {
      const out = Uint8Array.from(valid);
      const view = new DataView(out.buffer);
      if (wide && at + 4 <= out.length) view.setUint32(at, value);
      else view.setUint16(at, value);
      return out;
    });

const appendBytes: Mutation = (valid) =>
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.boolean()).map(([extra, fix]) => {
    const out = new Uint8Array(valid.length + extra.length);
    out.set(valid);
    out.set(extra, valid.length);
    return fix ? withSize(out) : out;
  });

/** Keeps the header of the valid response (so the parser gets to the body) and randomises the rest. */
const randomBody: Mutation = (valid) =>
  fc
    .uint8Array({ minLength: 0, maxLength: valid.length + 16 })
    .map((body) => withSize(Uint8Array.from([...valid.subarray(0, 10), ...body])));

const MUTATIONS: [string, Mutation, number][] = [
  ['flipped bytes', flipBytes, 700],
  ['changed size fields', changeSizeField, 700],
  ['changed union selectors', changeSelector, 500],
  ['appended bytes', appendBytes, 200],
  ['random bodies', randomBody, 300],
];

describe('Tpm parses captured responses', () => {
  it('every captured response decodes and re-encodes to its own parameter area', async () => {
    expect(samples.map((s) => s.label)).toHaveLength(12);
    for (const sample of samples) {
      const outcome = await parse(sample, sample.valid);
      if (!outcome.ok) throw outcome.error;
      checkOutcome(sample, sample.valid, outcome);
    }
  });
});

describe('Tpm response parsing never fails untyped, whatever the bytes', () => {
  it('a response truncated at every length is a MarshalError, with the header size left or fixed up', async () => {
    let runs = 0;
    for (const sample of samples) {
      for (let len = 0; len < sample.valid.length; len++) {
        const cut = sample.valid.subarray(0, len);
        for (const bytes of [cut, withSize(cut)]) {
          const outcome = await parse(sample, bytes);
          runs++;
          // A prefix of a response the parser accepted whole cannot be a complete response itself.
          expect(outcome.ok, `${sample.label} cut at ${len}`).toBe(false);
          if (!outcome.ok)
            expect((outcome.error as Error).name, `${sample.label} cut at ${len}`).toBe('MarshalError');
        }
      }
    }
    expect(runs).toBeGreaterThan(2000);
  });

  for (const [what, mutation, numRuns] of MUTATIONS) {
    it(`${what}: a value or a typed error`, async () => {
      for (const sample of samples) {
        await fc.assert(
          fc.asyncProperty(mutation(sample.valid), async (bytes) => {
            checkOutcome(sample, bytes, await parse(sample, bytes));
          }),
          { numRuns },
        );
      }
    });
  }

  it('appended bytes with the size fixed up are always rejected as trailing bytes', async () => {
    for (const sample of samples) {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 16 }), async (extra) => {
          const outcome = await parse(sample, withSize(Uint8Array.from([...sample.valid, ...extra])));
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) expect((outcome.error as Error).message).toMatch(/trailing byte/);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('any non-zero response code without a body is a TpmError carrying that code', async () => {
    const sample = samples[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.constantFrom(0x8001, 0x8002, 0x00c4),
        async (rc, tag) => {
          const bytes = new Uint8Array(10);
          const view = new DataView(bytes.buffer);
          view.setUint16(0, tag);
          view.setUint32(2, 10);
          view.setUint32(6, rc);
          const outcome = await parse(sample, bytes);
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) {
            expect((outcome.error as Error).name).toBe('TpmError');
            expect((outcome.error as { responseCode: number }).responseCode).toBe(rc);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// ---- Codec round trips over arbitrary valid values ----

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const NULL = 0x0010;
const XOR = 0x000a;
const ECDAA = 0x001a;
const RSAES = 0x0015;

/** TPMT_SYM_DEF_OBJECT in the shape the decoder produces: NULL alone, XOR with a hash, else bits and mode. */
const symDef: fc.Arbitrary<SymDef> = fc.oneof(
  fc.constant({ algorithm: NULL }),
  u16.map((keyBits) => ({ algorithm: XOR, keyBits })),
  fc
    .record({ algorithm: u16.filter((a) => a !== NULL && a !== XOR), keyBits: u16, mode: u16 })
    .map((s): SymDef => s),
);

function scheme(noDetails: readonly number[]): fc.Arbitrary<Scheme> {
  return fc.oneof(
    fc.constantFrom(NULL, ...noDetails).map((s): Scheme => ({ scheme: s })),
    fc.record({ hashAlg: u16, count: u16 }).map((d): Scheme => ({ scheme: ECDAA, ...d })),
    fc.record({ hashAlg: u16, kdf: u16 }).map((d): Scheme => ({ scheme: XOR, ...d })),
    fc
      .record({ scheme: u16.filter((s) => ![NULL, ECDAA, XOR, ...noDetails].includes(s)), hashAlg: u16 })
      .map((s): Scheme => s),
  );
}

const publicHeader = { nameAlg: u16, objectAttributes: u32, authPolicy: bytes(64) };

const rsaPublic: fc.Arbitrary<TpmtPublic> = fc
  .record({
    ...publicHeader,
    parameters: fc.record({ symmetric: symDef, scheme: scheme([RSAES]), keyBits: u16, exponent: u32 }),
    unique: bytes(512),
  })
  .map((p) => ({ type: 0x0001, ...p }));

const eccPublic: fc.Arbitrary<TpmtPublic> = fc
  .record({
    ...publicHeader,
    parameters: fc.record({ symmetric: symDef, scheme: scheme([]), curveID: u16, kdf: scheme([]) }),
    unique: fc.record({ x: bytes(66), y: bytes(66) }),
  })
  .map((p) => ({ type: 0x0023, ...p }));

const keyedHashPublic: fc.Arbitrary<TpmtPublic> = fc
  .record({ ...publicHeader, parameters: fc.record({ scheme: scheme([]) }), unique: bytes(64) })
  .map((p) => ({ type: 0x0008, ...p }));

const symCipherPublic: fc.Arbitrary<TpmtPublic> = fc
  .record({ ...publicHeader, parameters: fc.record({ sym: symDef }), unique: bytes(64) })
  .map((p) => ({ type: 0x0025, ...p }));

const nvPublic = fc.record({
  nvIndex: u32,
  nameAlg: u16,
  attributes: u32,
  authPolicy: bytes(64),
  dataSize: u16,
});

const pcrSelection = fc.array(fc.record({ hash: u16, pcrSelect: bytes(255) }), { maxLength: 16 });

const DIGEST_SIZES: Record<number, number> = {
  4: 20,
  11: 32,
  12: 48,
  13: 64,
  18: 32,
  39: 32,
  40: 48,
  41: 64,
};
const tpmtHa = fc.oneof(
  fc.constant({ hashAlg: NULL, digest: new Uint8Array(0) }),
  fc
    .constantFrom(...Object.keys(DIGEST_SIZES).map(Number))
    .chain((hashAlg) =>
      fc
        .uint8Array({ minLength: DIGEST_SIZES[hashAlg]!, maxLength: DIGEST_SIZES[hashAlg]! })
        .map((digest) => ({ hashAlg, digest })),
    ),
);

const capabilityData = fc.oneof(
  fc.record({
    capability: fc.constant(0),
    data: fc.array(fc.record({ alg: u16, algProperties: u32 }), { maxLength: 20 }),
  }),
  fc.record({ capability: fc.constantFrom(1, 2, 3, 4), data: fc.array(u32, { maxLength: 40 }) }),
  fc.record({ capability: fc.constant(5), data: pcrSelection }),
  fc.record({
    capability: fc.constant(6),
    data: fc.array(fc.record({ property: u32, value: u32 }), { maxLength: 40 }),
  }),
  fc.record({
    capability: fc.constant(7),
    data: fc.array(fc.record({ tag: u32, pcrSelect: bytes(8) }), { maxLength: 20 }),
  }),
  fc.record({ capability: fc.constant(8), data: fc.array(u16, { maxLength: 20 }) }),
  fc.record({
    capability: fc.constant(9),
    data: fc.array(fc.record({ handle: u32, policyHash: tpmtHa }), { maxLength: 8 }),
  }),
  fc.record({
    capability: fc.constant(10),
    data: fc.array(fc.record({ handle: u32, timeout: u32, attributes: u32 }), { maxLength: 8 }),
  }),
);

function roundTrips<T>(codec: Codec<T>, arb: fc.Arbitrary<T>, numRuns = 500): void {
  fc.assert(
    fc.property(arb, (value) => {
      const wire = encode(codec, value);
      const back = decode(codec, wire);
      expect(back).toEqual(value);
      expect(hex(encode(codec, back))).toBe(hex(wire));
    }),
    { numRuns },
  );
}

describe('codecs: decode(encode(x)) equals x', () => {
  it('TPMT_PUBLIC, RSA', () => roundTrips(TPMT_PUBLIC, rsaPublic));
  it('TPMT_PUBLIC, ECC', () => roundTrips(TPMT_PUBLIC, eccPublic));
  it('TPMT_PUBLIC, KEYEDHASH', () => roundTrips(TPMT_PUBLIC, keyedHashPublic));
  it('TPMT_PUBLIC, SYMCIPHER', () => roundTrips(TPMT_PUBLIC, symCipherPublic));
  it('TPMS_NV_PUBLIC', () => roundTrips(TPMS_NV_PUBLIC, nvPublic));
  it('TPML_PCR_SELECTION', () => roundTrips(TPML_PCR_SELECTION, pcrSelection));
  it('TPMS_CAPABILITY_DATA, every capability', () =>
    roundTrips(TPMS_CAPABILITY_DATA, capabilityData as fc.Arbitrary<never>, 1000));

  it('a TPML_PCR_SELECTION of 17 banks is refused on both sides', () => {
    const banks = Array.from({ length: 17 }, () => ({ hash: 0x0b, pcrSelect: new Uint8Array(3) }));
    expect(() => encode(TPML_PCR_SELECTION, banks)).toThrow(RangeError);
    const wire = encode(TPML_PCR_SELECTION, banks.slice(0, 16));
    const forged = Uint8Array.from([0, 0, 0, 17, ...wire.subarray(4), 0, 0x0b, 3, 0, 0, 0]);
    expect(() => decode(TPML_PCR_SELECTION, forged)).toThrow(/exceeds the maximum of 16/);
  });
});

describe('codecs: arbitrary bytes decode to a value or a MarshalError', () => {
  const codecs: [string, Codec<unknown>][] = [
    ['TPMT_PUBLIC', TPMT_PUBLIC as Codec<unknown>],
    ['TPMS_NV_PUBLIC', TPMS_NV_PUBLIC as Codec<unknown>],
    ['TPML_PCR_SELECTION', TPML_PCR_SELECTION as Codec<unknown>],
    ['TPMS_CAPABILITY_DATA', TPMS_CAPABILITY_DATA as Codec<unknown>],
  ];
  for (const [name, codec] of codecs) {
    it(name, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
          try {
            decode(codec, input);
          } catch (e) {
            expect((e as Error).name).toBe('MarshalError');
          }
        }),
        { numRuns: 2000 },
      );
    });
  }
});

describe('Writer grows past its initial capacity', () => {
  it('encodes values of any size up to the UINT16 limit, whatever the capacity it started with', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: 300 }), (size, capacity) => {
        const data = Uint8Array.from({ length: size }, (_, n) => n & 0xff);
        const w = new Writer(capacity);
        w.u8(0xaa);
        TPM2B_DIGEST.write(w, data);
        w.u32(0xdeadbeef);
        const out = w.finish();
        expect(out.length).toBe(1 + 2 + size + 4);
        expect(decode(TPM2B_DIGEST, out.subarray(1, 3 + size))).toEqual(data);
        expect(new DataView(out.buffer).getUint32(3 + size)).toBe(0xdeadbeef);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Reader copies byte arrays out of the input', () => {
  it('a TPM2B decoded from a Node Buffer is a plain Uint8Array that does not share its memory', () => {
    const input = Buffer.from([0, 2, 7, 8]);
    const digest = decode(TPM2B_DIGEST, input);
    expect(Buffer.isBuffer(digest)).toBe(false);
    input[2] = 99;
    expect(digest).toEqual(Uint8Array.from([7, 8]));
  });
});
