import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EvictControl, FlushContext } from '../../src/tpm/commands/context.js';
import { CreatePrimary } from '../../src/tpm/commands/hierarchy.js';
import { NV_DefineSpace, NV_Read, NV_ReadPublic, NV_Write } from '../../src/tpm/commands/nv.js';
import { Create, Load, ReadPublic, Unseal } from '../../src/tpm/commands/object.js';
import { TPMA_NV, TPMA_OBJECT } from '../../src/tpm/constants/attributes.js';
import { encode } from '../../src/tpm/marshal/codec.js';
import { TpmError } from '../../src/tpm/rc/tpm-error.js';
import { getHandles, getProperties } from '../../src/tpm/read/capability.js';
import { readNvIndex } from '../../src/tpm/read/nv.js';
import { TPMT_PUBLIC, type TpmtPublic } from '../../src/tpm/structures/public.js';
import { Tpm } from '../../src/tpm/tpm.js';
import type { Transport } from '../../src/tpm/transport/transport.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { hex, map, num, toolHandles, toolYaml, useTempDir, withTpm } from './crosscheck-support.js';

const swtpm = useSwtpm({ provision: true });
const temp = useTempDir();

const TPM_RH_OWNER = 0x40000001;
const EMPTY = new Uint8Array(0);
const NO_SENSITIVE = { userAuth: EMPTY, data: EMPTY };

/** An ECC P-256 storage parent: restricted decrypt, AES-128-CFB (the tpm2_createprimary default for ECC). */
const ECC_STORAGE: TpmtPublic = {
  type: 0x0023,
  nameAlg: 0x000b,
  objectAttributes:
    TPMA_OBJECT.fixedTPM |
    TPMA_OBJECT.fixedParent |
    TPMA_OBJECT.sensitiveDataOrigin |
    TPMA_OBJECT.userWithAuth |
    TPMA_OBJECT.restricted |
    TPMA_OBJECT.decrypt,
  authPolicy: EMPTY,
  parameters: {
    symmetric: { algorithm: 0x0006, keyBits: 128, mode: 0x0043 },
    scheme: { scheme: 0x0010 },
    curveID: 0x0003,
    kdf: { scheme: 0x0010 },
  },
  unique: { x: EMPTY, y: EMPTY },
};

/** A sealed data object (Part 1 §27.6.6): KEYEDHASH with scheme NULL, data supplied by the caller. */
const SEALED: TpmtPublic = {
  type: 0x0008,
  nameAlg: 0x000b,
  objectAttributes: TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.userWithAuth,
  authPolicy: EMPTY,
  parameters: { scheme: { scheme: 0x0010 } },
  unique: EMPTY,
};

function hexHandle(h: number): string {
  return `0x${h.toString(16)}`;
}

/** Part 1 §16: an object's Name is nameAlg || H_nameAlg(TPMT_PUBLIC). */
function objectName(pub: TpmtPublic): string {
  return `000b${createHash('sha256').update(encode(TPMT_PUBLIC, pub)).digest('hex')}`;
}

/** Counts the commands with a given command code that pass through, to see chunking. */
class CountingTransport implements Transport {
  counts = new Map<number, number>();
  constructor(private readonly inner: Transport) {}
  get description(): string {
    return this.inner.description;
  }
  send(command: Uint8Array): Promise<Uint8Array> {
    const cc = new DataView(command.buffer, command.byteOffset).getUint32(6);
    this.counts.set(cc, (this.counts.get(cc) ?? 0) + 1);
    return this.inner.send(command);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function countingNvReads(
  tpm: Tpm,
  fn: (tpm: Tpm) => Promise<Uint8Array>,
): Promise<[Uint8Array, number]> {
  const counting = new CountingTransport(tpm.transport);
  const data = await fn(new Tpm(counting));
  return [data, counting.counts.get(0x14e) ?? 0];
}

describe('what tpm2-tools made, we see', () => {
  const INDEX = 0x01500018;
  const data = randomBytes(2048);

  it('an owner index of 2048 bytes written by tpm2_nvwrite reads back whole through readNvIndex, in chunks', async () => {
    const i = swtpm.get();
    await tpm2(i, [
      'tpm2_nvdefine',
      hexHandle(INDEX),
      '-C',
      'o',
      '-s',
      '2048',
      '-a',
      'ownerread|ownerwrite|authread|authwrite',
    ]);
    await tpm2(i, ['tpm2_nvwrite', hexHandle(INDEX), '-C', 'o', '-i', '-'], { input: data });

    await withTpm(i, async (tpm) => {
      const nvBufferMax = (await getProperties(tpm, 0x12c, 0x12d)).get(0x12c)!;
      expect(nvBufferMax).toBe(1024);
      const pub = (await tpm.run(NV_ReadPublic, { nvIndex: INDEX })).nvPublic;
      expect(pub.dataSize).toBe(2048);
      expect(pub.attributes).toBe(
        TPMA_NV.OWNERREAD | TPMA_NV.OWNERWRITE | TPMA_NV.AUTHREAD | TPMA_NV.AUTHWRITE | TPMA_NV.WRITTEN,
      );
      // More than TPM_PT_NV_BUFFER_MAX in one TPM2_NV_Read is refused by the TPM: chunking is needed.
      await expect(
        tpm.run(NV_Read, { authHandle: INDEX, nvIndex: INDEX, size: 2048, offset: 0 }),
      ).rejects.toThrow(TpmError);

      const [atMax, readsAtMax] = await countingNvReads(tpm, (t) => readNvIndex(t, INDEX, { nvBufferMax }));
      expect(hex(atMax)).toBe(hex(data));
      expect(readsAtMax).toBe(2);
      const [byOwner, readsByOwner] = await countingNvReads(tpm, (t) =>
        readNvIndex(t, INDEX, { auth: TPM_RH_OWNER, public: pub }),
      );
      expect(hex(byOwner)).toBe(hex(data));
      expect(readsByOwner).toBe(4); // the 512-byte fallback chunk
    });
  });

  it('a primary persisted by tpm2_evictcontrol at 0x81000005 has, through ReadPublic, the Name tpm2_readpublic prints', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'rsa', '-c', temp.file('rsa.ctx')]);
    await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', temp.file('rsa.ctx'), '0x81000005']);
    const tools = map(await toolYaml(i, ['tpm2_readpublic', '-c', '0x81000005']));
    const ours = await withTpm(i, (tpm) => tpm.run(ReadPublic, { objectHandle: 0x81000005 }));
    expect(hex(ours.name)).toBe(tools.name);
    expect(hex(ours.qualifiedName)).toBe(tools['qualified name']);
    expect(ours.outPublic.type).toBe(num(map(tools.type).raw));
    expect(ours.outPublic.objectAttributes).toBe(num(map(tools.attributes).raw));
    expect(hex(ours.outPublic.unique as Uint8Array)).toBe(tools.rsa);
    expect(objectName(ours.outPublic)).toBe(tools.name);
  });
});

describe('what we made, tpm2-tools sees', () => {
  it('NV_DefineSpace + one 1000-byte NV_Write: tpm2_nvreadpublic shows the index, tpm2_nvread returns our bytes', async () => {
    const i = swtpm.get();
    const INDEX = 0x01500020;
    const data = randomBytes(1000);
    const attributes =
      TPMA_NV.OWNERWRITE | TPMA_NV.OWNERREAD | TPMA_NV.AUTHREAD | TPMA_NV.AUTHWRITE | TPMA_NV.NO_DA;
    await withTpm(i, async (tpm) => {
      await tpm.run(NV_DefineSpace, {
        authHandle: TPM_RH_OWNER,
        auth: EMPTY,
        publicInfo: { nvIndex: INDEX, nameAlg: 0x000b, attributes, authPolicy: EMPTY, dataSize: data.length },
      });
      await tpm.run(NV_Write, { authHandle: TPM_RH_OWNER, nvIndex: INDEX, data, offset: 0 });
    });
    const pub = map(map(await toolYaml(i, ['tpm2_nvreadpublic', hexHandle(INDEX)]))[hexHandle(INDEX)]);
    expect(num(map(pub.attributes).value)).toBe((attributes | TPMA_NV.WRITTEN) >>> 0);
    expect(num(pub.size)).toBe(1000);
    await tpm2(i, ['tpm2_nvread', hexHandle(INDEX), '-C', 'o', '-o', temp.file('nv.out')]);
    expect(hex(await temp.read('nv.out'))).toBe(hex(data));
  });

  it('CreatePrimary + EvictControl at 0x81000006: tpm2_readpublic shows our object under our Name', async () => {
    const i = swtpm.get();
    const created = await withTpm(i, async (tpm) => {
      const out = await tpm.run(CreatePrimary, {
        primaryHandle: TPM_RH_OWNER,
        inSensitive: NO_SENSITIVE,
        inPublic: ECC_STORAGE,
        outsideInfo: EMPTY,
        creationPCR: [],
      });
      await tpm.run(EvictControl, {
        auth: TPM_RH_OWNER,
        objectHandle: out.objectHandle,
        persistentHandle: 0x81000006,
      });
      await tpm.run(FlushContext, { flushHandle: out.objectHandle });
      return out;
    });
    expect(created.objectHandle >>> 24).toBe(0x80);
    expect(objectName(created.outPublic)).toBe(hex(created.name));
    const tools = map(await toolYaml(i, ['tpm2_readpublic', '-c', '0x81000006']));
    expect(tools.name).toBe(hex(created.name));
    expect(num(map(tools.attributes).raw)).toBe(ECC_STORAGE.objectAttributes);
    const point = created.outPublic.unique as { x: Uint8Array; y: Uint8Array };
    expect(tools.x).toBe(hex(point.x));
    expect(tools.y).toBe(hex(point.y));
    expect(await toolHandles(i, 'persistent')).toContain(0x81000006);
  });

  it('FlushContext of every transient handle leaves tpm2_getcap handles-transient empty', async () => {
    const i = swtpm.get();
    // tpm2-tools (no resource manager) left its primaries and context loads behind.
    const before = await toolHandles(i, 'transient');
    expect(before.length).toBeGreaterThan(0);
    await withTpm(i, async (tpm) => {
      const handles = await getHandles(tpm, 0x80000000);
      expect(handles).toEqual(before);
      for (const h of handles) await tpm.run(FlushContext, { flushHandle: h });
      expect(await getHandles(tpm, 0x80000000)).toEqual([]);
    });
    expect(await toolHandles(i, 'transient')).toEqual([]);
  });

  it('Create + Load + Unseal of a sealed object returns the data; tpm2_unseal of it persisted returns it too', async () => {
    const i = swtpm.get();
    const secret = randomBytes(48);
    const loadedName = await withTpm(i, async (tpm) => {
      const parent = await tpm.run(CreatePrimary, {
        primaryHandle: TPM_RH_OWNER,
        inSensitive: NO_SENSITIVE,
        inPublic: ECC_STORAGE,
        outsideInfo: EMPTY,
        creationPCR: [],
      });
      const sealed = await tpm.run(Create, {
        parentHandle: parent.objectHandle,
        inSensitive: { userAuth: EMPTY, data: secret },
        inPublic: SEALED,
        outsideInfo: EMPTY,
        creationPCR: [],
      });
      expect(sealed.outPublic.type).toBe(0x0008);
      expect(sealed.outPublic.unique).toHaveLength(32); // H(seed || data), not the data
      const loaded = await tpm.run(Load, {
        parentHandle: parent.objectHandle,
        inPrivate: sealed.outPrivate,
        inPublic: sealed.outPublic,
      });
      expect(hex(loaded.name)).toBe(objectName(sealed.outPublic));
      const { outData } = await tpm.run(Unseal, { itemHandle: loaded.objectHandle });
      expect(hex(outData)).toBe(hex(secret));
      const read = await tpm.run(ReadPublic, { objectHandle: loaded.objectHandle });
      expect(read.name).toEqual(loaded.name);
      await tpm.run(EvictControl, {
        auth: TPM_RH_OWNER,
        objectHandle: loaded.objectHandle,
        persistentHandle: 0x81000007,
      });
      await tpm.run(FlushContext, { flushHandle: loaded.objectHandle });
      await tpm.run(FlushContext, { flushHandle: parent.objectHandle });
      return loaded.name;
    });
    await tpm2(i, ['tpm2_unseal', '-c', '0x81000007', '-o', temp.file('unsealed')]);
    expect(hex(await temp.read('unsealed'))).toBe(hex(secret));
    expect(map(await toolYaml(i, ['tpm2_readpublic', '-c', '0x81000007'])).name).toBe(hex(loadedName));
  });
});
