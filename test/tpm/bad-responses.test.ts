import { afterEach, describe, expect, it } from 'vitest';
import { GetCapability } from '../../src/tpm/commands/capability.js';
import { MarshalError, TransportError } from '../../src/tpm/errors.js';
import { TpmError } from '../../src/tpm/rc/tpm-error.js';
import { Tpm } from '../../src/tpm/tpm.js';
import { mssimTransport } from '../../src/tpm/transport/mssim.js';
import type { SocketTransport } from '../../src/tpm/transport/socket-transport.js';
import { swtpmTransport } from '../../src/tpm/transport/swtpm.js';
import { MAX_RESPONSE_SIZE } from '../../src/tpm/transport/transport.js';
import { type FakeTpmServer, response, startFakeTpmServer, unusedPort } from '../support/fake-tpm-server.js';
import { useSwtpm } from '../support/swtpm-harness.js';

/** TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES, TPM_PT_MANUFACTURER, 1), Part 3 §30.2. */
const GET_MANUFACTURER = Uint8Array.from([
  0x80, 0x01, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x01, 0x7a, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x01, 0x05,
  0x00, 0x00, 0x00, 0x01,
]);
/** Its answer: moreData NO, TPM_CAP_TPM_PROPERTIES, one property, TPM_PT_MANUFACTURER = "IBM\0". */
const MANUFACTURER_BODY = [0, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 1, 5, 0x49, 0x42, 0x4d, 0x00];
const GOOD = response(MANUFACTURER_BODY);

let server: FakeTpmServer | undefined;
let transport: SocketTransport | undefined;

afterEach(async () => {
  await transport?.close();
  await server?.close();
  transport = undefined;
  server = undefined;
});

/** The bytes of a response as a plain Uint8Array (SocketTransport hands back a Node Buffer, a Uint8Array subclass). */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

async function fake(timeoutMs = 10_000): Promise<{ server: FakeTpmServer; transport: SocketTransport }> {
  server = await startFakeTpmServer();
  transport = swtpmTransport(server.host, server.port, { timeoutMs });
  return { server, transport };
}

/** The rejection of `p`, and how long it took; fails the test if `p` resolves. */
async function rejection(p: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const start = performance.now();
  try {
    await p;
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
  throw new Error('expected a rejection, got a value');
}

describe('SocketTransport against a misbehaving peer', () => {
  it('answers a well-formed response with exactly its bytes (the baseline)', async () => {
    const { server: s, transport: t } = await fake();
    s.reply(GOOD);
    expect(plain(await t.send(GET_MANUFACTURER))).toEqual(GOOD);
    expect(s.commands).toEqual([GET_MANUFACTURER]);
  });

  it('a header-only response (size says 20) followed by close is a TransportError naming the 10 bytes', async () => {
    const { server: s, transport: t } = await fake();
    s.reply([{ write: response([], { size: 20 }) }, { close: true }]);
    const { error, ms } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/closed the connection after 10 bytes of a response/);
    expect(ms).toBeLessThan(2000);
  });

  it('half a body followed by close is a TransportError naming how much arrived', async () => {
    const { server: s, transport: t } = await fake();
    s.reply([{ write: GOOD.subarray(0, 18) }, { close: true }]);
    const { error } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/after 18 bytes of a response/);
  });

  it('a peer that closes mid-response, in two writes, is a TransportError', async () => {
    const { server: s, transport: t } = await fake();
    s.reply([
      { write: GOOD.subarray(0, 4) },
      { waitMs: 30 },
      { write: GOOD.subarray(4, 12) },
      { close: true },
    ]);
    const { error } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/after 12 bytes/);
  });

  it('a peer that closes before answering says so', async () => {
    const { server: s, transport: t } = await fake();
    s.reply([{ close: true }]);
    const { error } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/closed the connection before answering/);
  });

  it(`rejects a size field above ${MAX_RESPONSE_SIZE} at once, without waiting for the bytes or the timeout`, async () => {
    const { server: s, transport: t } = await fake(10_000);
    // Only the header is sent and the connection stays open: waiting for 128 KiB would hang until the timeout.
    s.reply([{ write: response([], { size: 0x20000 }) }, { silent: true }]);
    const { error, ms } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toContain(`claiming ${0x20000} bytes`);
    expect((error as Error).message).toContain(String(MAX_RESPONSE_SIZE));
    expect(ms).toBeLessThan(2000);
  });

  it('accepts a response of exactly MAX_RESPONSE_SIZE bytes (the limit is inclusive)', async () => {
    const { server: s, transport: t } = await fake();
    const big = response(new Uint8Array(MAX_RESPONSE_SIZE - 10));
    s.reply(big);
    expect((await t.send(GET_MANUFACTURER)).length).toBe(MAX_RESPONSE_SIZE);
  });

  it.each([0, 6, 9])('rejects a size field of %i (below the 10-byte header)', async (size) => {
    const { server: s, transport: t } = await fake();
    s.reply([{ write: response([], { size }) }, { silent: true }]);
    const { error, ms } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toContain(`claiming ${size} bytes`);
    expect(ms).toBeLessThan(2000);
  });

  it('rejects tag 0x1234 as soon as two bytes arrive', async () => {
    const { server: s, transport: t } = await fake();
    s.reply([{ write: Uint8Array.from([0x12, 0x34]) }, { silent: true }]);
    const { error, ms } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/tag 0x1234/);
    expect(ms).toBeLessThan(2000);
  });

  it('rejects bytes beyond the declared size instead of keeping them for the next command', async () => {
    const { server: s, transport: t } = await fake();
    s.reply(Uint8Array.from([...GOOD, 0xde, 0xad, 0xbe]));
    const { error } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/3 bytes beyond the response size/);
  });

  it('a stray byte after a complete response drops the connection; the next command gets its own answer', async () => {
    const { server: s, transport: t } = await fake();
    s.reply([{ write: GOOD }, { waitMs: 50 }, { write: Uint8Array.from([0x80]) }], GOOD);
    expect(plain(await t.send(GET_MANUFACTURER))).toEqual(GOOD);
    await new Promise((r) => setTimeout(r, 150));
    expect(plain(await t.send(GET_MANUFACTURER))).toEqual(GOOD);
    expect(s.connections).toBe(2);
  });

  it('a peer that never answers ends in a TransportError after timeoutMs, never a hang', async () => {
    const { server: s, transport: t } = await fake(300);
    s.reply([{ silent: true }]);
    const { error, ms } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/did not answer within 300 ms/);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2000);
  });

  it('a response that stops half way without a close also times out', async () => {
    const { server: s, transport: t } = await fake(300);
    s.reply([{ write: GOOD.subarray(0, 15) }, { silent: true }]);
    const { error, ms } = await rejection(t.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/did not answer within 300 ms/);
    expect(ms).toBeLessThan(2000);
  });

  it('connection refused is a TransportError that says nothing is listening', async () => {
    const port = await unusedPort();
    transport = swtpmTransport('127.0.0.1', port, { timeoutMs: 5000 });
    const { error, ms } = await rejection(transport.send(GET_MANUFACTURER));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe(
      `swtpm://127.0.0.1:${port}: connection refused: nothing is listening there (is swtpm / the simulator running?)`,
    );
    expect(ms).toBeLessThan(2000);
  });

  it.each([
    ['an oversized size field', [{ write: response([], { size: 0x10001 }) }, { silent: true }]],
    ['a wrong tag', [{ write: response([], { tag: 0x1234 }) }]],
    ['a truncated response and close', [{ write: GOOD.subarray(0, 12) }, { close: true }]],
    ['trailing bytes', [{ write: Uint8Array.from([...GOOD, 0]) }]],
  ] as const)('after %s, the next command reconnects and gets a correct response', async (_what, bad) => {
    const { server: s, transport: t } = await fake();
    s.reply(bad, GOOD);
    await expect(t.send(GET_MANUFACTURER)).rejects.toBeInstanceOf(TransportError);
    expect(plain(await t.send(GET_MANUFACTURER))).toEqual(GOOD);
    expect(s.connections).toBe(2);
    expect(s.commands).toEqual([GET_MANUFACTURER, GET_MANUFACTURER]);
  });

  it('after a timeout, a late answer to the old command is not taken as the answer to the next', async () => {
    const { server: s, transport: t } = await fake(300);
    const late = response([0, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 1, 5, 0x4c, 0x41, 0x54, 0x45]); // "LATE"
    s.reply([{ waitMs: 600 }, { write: late }], GOOD);
    await expect(t.send(GET_MANUFACTURER)).rejects.toThrow(/did not answer within 300 ms/);
    expect(plain(await t.send(GET_MANUFACTURER))).toEqual(GOOD);
    await new Promise((r) => setTimeout(r, 400));
    s.reply(GOOD);
    expect(plain(await t.send(GET_MANUFACTURER))).toEqual(GOOD);
  });

  it('commands sent concurrently go out one at a time, each with its own answer', async () => {
    const { server: s, transport: t } = await fake();
    const answers = [1, 2, 3].map((n) => response([...MANUFACTURER_BODY.slice(0, -1), n]));
    s.reply(...answers.map((a) => [{ waitMs: 20 }, { write: a }]));
    const got = await Promise.all([1, 2, 3].map(() => t.send(GET_MANUFACTURER)));
    expect(got.map(plain)).toEqual(answers);
    expect(s.connections).toBe(1);
  });

  it('a closed transport refuses to send', async () => {
    const { transport: t } = await fake();
    await t.close();
    await expect(t.send(GET_MANUFACTURER)).rejects.toThrow(/transport is closed/);
  });
});

describe('Tpm over a misbehaving peer: every failure is typed', () => {
  async function tpmWith(...replies: Parameters<FakeTpmServer['reply']>): Promise<Tpm> {
    const { server: s, transport: t } = await fake(1000);
    s.reply(...replies);
    return new Tpm(t, { retry: { attempts: 1 } });
  }
  const input = { capability: 6, property: 0x105, propertyCount: 1 } as const;

  it('decodes the good response', async () => {
    const tpm = await tpmWith(GOOD);
    expect(await tpm.run(GetCapability, input)).toEqual({
      moreData: false,
      capabilityData: { capability: 6, data: [{ property: 0x105, value: 0x49424d00 }] },
    });
  });

  it('a transport failure reaches the caller as the TransportError', async () => {
    const tpm = await tpmWith([{ write: GOOD.subarray(0, 11) }, { close: true }]);
    await expect(tpm.run(GetCapability, input)).rejects.toBeInstanceOf(TransportError);
  });

  it('a well-framed but short body is a MarshalError with the response in its path', async () => {
    const tpm = await tpmWith(response(MANUFACTURER_BODY.slice(0, 12)));
    const { error } = await rejection(tpm.run(GetCapability, input));
    expect(error).toBeInstanceOf(MarshalError);
    expect((error as MarshalError).path[0]).toBe('TPM2_GetCapability response');
    expect((error as Error).message).toMatch(/truncated/);
  });

  it('an unknown capability selector is a MarshalError naming TPMU_CAPABILITIES', async () => {
    const body = [...MANUFACTURER_BODY];
    body[4] = 0x7f;
    const tpm = await tpmWith(response(body));
    await expect(tpm.run(GetCapability, input)).rejects.toThrow(/TPMU_CAPABILITIES has no member/);
  });

  it('an error code is a TpmError; the same code with a body is a MarshalError', async () => {
    const tpm = await tpmWith(response([], { rc: 0x101 }), response([0], { rc: 0x101 }));
    const { error } = await rejection(tpm.run(GetCapability, input));
    expect(error).toBeInstanceOf(TpmError);
    expect((error as TpmError).responseCode).toBe(0x101);
    await expect(tpm.run(GetCapability, input)).rejects.toBeInstanceOf(MarshalError);
  });

  it('a TPM 1.2-format error (tag 0x00C4, TPM_BADTAG 0x1E) is a TpmError', async () => {
    const tpm = await tpmWith(response([], { tag: 0x00c4, rc: 0x1e }));
    const { error } = await rejection(tpm.run(GetCapability, input));
    expect(error).toBeInstanceOf(TpmError);
    expect((error as TpmError).responseCode).toBe(0x1e);
  });

  it('a success with the sessions tag on a command sent without sessions is a MarshalError', async () => {
    const tpm = await tpmWith(response(MANUFACTURER_BODY, { tag: 0x8002 }));
    await expect(tpm.run(GetCapability, input)).rejects.toThrow(/tag 0x8002 on a successful response/);
  });

  it('TPM_RC_RETRY is retried (a new command on the same connection) until the answer comes', async () => {
    const { server: s, transport: t } = await fake(1000);
    s.reply(response([], { rc: 0x922 }), response([], { rc: 0x922 }), GOOD);
    const tpm = new Tpm(t, { retry: { attempts: 3, initialDelayMs: 1 } });
    expect((await tpm.run(GetCapability, input)).capabilityData.data).toEqual([
      { property: 0x105, value: 0x49424d00 },
    ]);
    expect(s.commands.length).toBe(3);
  });
});

describe('mssim framing against the real swtpm data port', () => {
  const swtpm = useSwtpm();

  it('GetCapability over mssim framing equals the raw transport answer, byte for byte', async () => {
    const { host, port } = swtpm.get();
    const raw = swtpmTransport(host, port, { timeoutMs: 10_000 });
    const rawAnswers: Uint8Array[] = [];
    const props = Uint8Array.from([...GET_MANUFACTURER.subarray(0, 14), 0, 0, 1, 0, 0, 0, 0, 0x40]); // 0x100.., 64
    try {
      rawAnswers.push(plain(await raw.send(GET_MANUFACTURER)), plain(await raw.send(props)));
    } finally {
      await raw.close();
    }
    const ms = mssimTransport(host, port, { timeoutMs: 10_000 });
    try {
      expect(plain(await ms.send(GET_MANUFACTURER))).toEqual(rawAnswers[0]);
      expect(plain(await ms.send(props))).toEqual(rawAnswers[1]);
    } finally {
      await ms.close();
    }
    // swtpm sets moreData (byte 10) because more properties follow 0x105; the rest is our canned answer.
    expect(rawAnswers[0]!.subarray(11)).toEqual(GOOD.subarray(11));
    expect(rawAnswers[1]!.length).toBeGreaterThan(200);
  });

  it('Tpm over mssim decodes the same properties as Tpm over raw framing', async () => {
    const { host, port } = swtpm.get();
    const all = { capability: 6, property: 0x100, propertyCount: 0x80 } as const;
    const rawTpm = new Tpm(swtpmTransport(host, port));
    const viaRaw = await rawTpm.run(GetCapability, all).finally(() => rawTpm.close());
    const msTpm = new Tpm(mssimTransport(host, port));
    const viaMssim = await msTpm.run(GetCapability, all).finally(() => msTpm.close());
    expect(viaMssim).toEqual(viaRaw);
    expect(viaRaw.capabilityData.data.length).toBeGreaterThan(30);
  });
});
