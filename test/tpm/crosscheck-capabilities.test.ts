import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { NV_ReadPublic } from '../../src/tpm/commands/nv.js';
import { algorithmFromName } from '../../src/tpm/constants/algorithms.js';
import { propertyName } from '../../src/tpm/constants/properties.js';
import { encode } from '../../src/tpm/marshal/codec.js';
import { getCapabilityAll, getHandles, getProperties } from '../../src/tpm/read/capability.js';
import { readPcrBank } from '../../src/tpm/read/pcrs.js';
import { TPMS_NV_PUBLIC } from '../../src/tpm/structures/nv.js';
import { selectedPcrs } from '../../src/tpm/structures/pcr.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import {
  bitsToWord,
  hex,
  map,
  num,
  PERMANENT_BITS,
  STARTUP_CLEAR_BITS,
  toolHandles,
  toolVariable,
  toolYaml,
  useTempDir,
  withTpm,
} from './crosscheck-support.js';

const swtpm = useSwtpm({ provision: true });
const temp = useTempDir();

const OWNER_INDEX = 0x01500100;
const COUNTER_INDEX = 0x01500101;
const POLICY = createHash('sha256').update('crosscheck-capabilities policy').digest();
const EXTENDED_PCRS = [0, 7, 16, 23];

beforeAll(async () => {
  const i = swtpm.get();
  // State made with tpm2-tools only: extended PCRs, an index with a policy, a counter, a loaded transient.
  for (const pcr of EXTENDED_PCRS) {
    const digest = createHash('sha256').update(`pcr ${pcr}`).digest('hex');
    await tpm2(i, ['tpm2_pcrextend', `${pcr}:sha256=${digest}`]);
  }
  await writeFile(temp.file('policy.bin'), POLICY);
  await tpm2(i, [
    'tpm2_nvdefine',
    `0x${OWNER_INDEX.toString(16)}`,
    '-C',
    'o',
    '-s',
    '48',
    '-a',
    'ownerread|ownerwrite|authread|policywrite|no_da',
    '-L',
    temp.file('policy.bin'),
  ]);
  await tpm2(i, [
    'tpm2_nvdefine',
    `0x${COUNTER_INDEX.toString(16)}`,
    '-C',
    'o',
    '-a',
    'nt=counter|ownerread|ownerwrite|authread|authwrite',
  ]);
  await tpm2(i, ['tpm2_nvincrement', `0x${COUNTER_INDEX.toString(16)}`, '-C', 'o']);
  // Without a resource manager the primary stays loaded after the tool exits: a transient handle to list.
  await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', temp.file('primary.ctx')]);
});

describe('TPM properties equal tpm2_getcap', () => {
  it('every fixed property (0x100..0x1FF) has the raw value tpm2_getcap properties-fixed prints', async () => {
    const ours = await withTpm(swtpm.get(), (tpm) => getProperties(tpm, 0x100, 0x200));
    const tools = map(await toolYaml(swtpm.get(), ['tpm2_getcap', 'properties-fixed']));
    const toolRaw = Object.fromEntries(Object.entries(tools).map(([name, v]) => [name, num(map(v).raw)]));
    // tpm2-tools 5.4 prints the fixed properties it has names for, up to TPM_PT_MODES (0x12D); libtpms
    // also reports TPM_PT_MAX_CAP_BUFFER (0x12E, revision 1.59), which the tool silently skips.
    const beyondTools = [...ours.keys()].filter((pt) => pt > 0x12d);
    expect(beyondTools).toEqual([0x12e]);
    const ourRaw = Object.fromEntries(
      [...ours].filter(([pt]) => pt <= 0x12d).map(([pt, value]) => [propertyName(pt), value]),
    );
    expect(ours.size).toBeGreaterThan(40);
    expect(ourRaw).toEqual(toolRaw);
    expect(ours.get(0x12e)).toBe(0x400); // libtpms MAX_CAP_BUFFER
    expect(ours.get(0x105)).toBe(0x49424d00); // "IBM\0"
  });

  it('every variable property (0x200..0x2FF) equals tpm2_getcap properties-variable, bit maps rebuilt', async () => {
    const ours = await withTpm(swtpm.get(), (tpm) => getProperties(tpm, 0x200, 0x300));
    const tools = await toolVariable(swtpm.get());
    const toolRaw: Record<string, number> = {};
    for (const [name, v] of Object.entries(tools)) {
      if (name === 'TPM2_PT_PERMANENT') toolRaw[name] = bitsToWord(v, PERMANENT_BITS);
      else if (name === 'TPM2_PT_STARTUP_CLEAR') toolRaw[name] = bitsToWord(v, STARTUP_CLEAR_BITS);
      else toolRaw[name] = num(v);
    }
    const ourRaw = Object.fromEntries([...ours].map(([pt, value]) => [propertyName(pt), value]));
    expect(ourRaw).toEqual(toolRaw);
    expect(ours.get(0x201)).toBe(0x8000000f); // orderly, all hierarchies enabled
    expect(ours.get(0x202)).toBe(5); // 3 certificates + 2 indices defined above
  });
});

describe('capability lists equal tpm2_getcap', () => {
  it('algorithms: the same IDs with the same TPMA_ALGORITHM bits', async () => {
    const ours = await withTpm(swtpm.get(), (tpm) => getCapabilityAll(tpm, 0, 0));
    const tools = map(await toolYaml(swtpm.get(), ['tpm2_getcap', 'algorithms']));
    const toolAlgs = Object.entries(tools).map(([name, v]) => {
      const f = map(v);
      const bit = (k: string, b: number) => (num(f[k]) ? b : 0);
      expect(num(f.reserved), name).toBe(0);
      const props =
        bit('asymmetric', 0x1) |
        bit('symmetric', 0x2) |
        bit('hash', 0x4) |
        bit('object', 0x8) |
        bit('signing', 0x100) |
        bit('encrypting', 0x200) |
        bit('method', 0x400);
      expect(algorithmFromName(name), name).toBe(num(f.value));
      return { alg: num(f.value), algProperties: props };
    });
    expect(ours).toEqual(toolAlgs);
    expect(ours.length).toBeGreaterThan(20);
  });

  it('commands: the same TPMA_CC words, as many as TPM_PT_TOTAL_COMMANDS', async () => {
    const { ours, total } = await withTpm(swtpm.get(), async (tpm) => ({
      ours: await getCapabilityAll(tpm, 2, 0),
      total: (await getProperties(tpm, 0x129, 0x12a)).get(0x129),
    }));
    const tools = map(await toolYaml(swtpm.get(), ['tpm2_getcap', 'commands']));
    const toolWords = Object.values(tools).map((v) => num(map(v).value));
    expect(ours).toEqual(toolWords);
    expect(ours.length).toBe(total);
    expect(ours.map((cca) => cca & 0xffff)).toContain(0x126); // TPM2_Clear
  });

  it('PCR allocation: the same banks with the same PCRs', async () => {
    const ours = await withTpm(swtpm.get(), (tpm) => getCapabilityAll(tpm, 5, 0));
    const tools = map(await toolYaml(swtpm.get(), ['tpm2_getcap', 'pcrs']));
    const banks = tools['selected-pcrs'];
    if (!Array.isArray(banks)) throw new Error('no selected-pcrs list');
    const toolBanks = banks.map((entry) => {
      const [[name, pcrs]] = Object.entries(map(entry)) as [[string, unknown]];
      return { hash: algorithmFromName(name), pcrs: (pcrs as unknown[]).map(num) };
    });
    expect(ours.map((s) => ({ hash: s.hash, pcrs: selectedPcrs(s.pcrSelect) }))).toEqual(toolBanks);
    expect(toolBanks.find((b) => b.hash === 0x000b)?.pcrs).toHaveLength(24);
  });

  it('ECC curves: the same TPM_ECC_CURVE IDs', async () => {
    const ours = await withTpm(swtpm.get(), (tpm) => getCapabilityAll(tpm, 8, 0));
    const tools = map(await toolYaml(swtpm.get(), ['tpm2_getcap', 'ecc-curves']));
    expect(ours).toEqual(Object.values(tools).map(num));
    expect(ours).toContain(0x0003); // NIST P-256
  });

  it.each([
    ['persistent', 0x81000000, [0x81010001, 0x81010016]],
    ['nv-index', 0x01000000, [0x01500100, 0x01500101, 0x01c00002, 0x01c00016, 0x01c08000]],
    ['transient', 0x80000000, [0x80000000]],
  ] as const)('handles-%s: the same handles', async (kind, first, expected) => {
    const ours = await withTpm(swtpm.get(), (tpm) => getHandles(tpm, first));
    expect(ours).toEqual(await toolHandles(swtpm.get(), kind));
    expect(ours).toEqual(expected);
  });
});

describe('PCR values equal tpm2_pcrread', () => {
  it('every PCR 0-23 of every allocated bank, extended ones included', async () => {
    const i = swtpm.get();
    const pcrs = Array.from({ length: 24 }, (_, n) => n);
    const banks = await withTpm(i, async (tpm) => {
      const allocation = await getCapabilityAll(tpm, 5, 0);
      const out = [];
      for (const bank of allocation) {
        if (selectedPcrs(bank.pcrSelect).length > 0) out.push(await readPcrBank(tpm, bank.hash, pcrs));
      }
      return out;
    });
    expect(banks.length).toBeGreaterThan(0);
    const tools = map(await toolYaml(i, ['tpm2_pcrread']));
    for (const bank of banks) {
      const name = Object.keys(tools).find((n) => algorithmFromName(n) === bank.hashAlg)!;
      const printed = map(tools[name]);
      expect([...bank.values.keys()]).toEqual(pcrs);
      for (const [pcr, digest] of bank.values) {
        expect(`0x${hex(digest)}`, `${name} PCR ${pcr}`).toBe(String(printed[String(pcr)]).toLowerCase());
      }
    }
    const sha256 = banks.find((b) => b.hashAlg === 0x000b)!;
    const zero = new Uint8Array(32);
    for (const pcr of EXTENDED_PCRS) expect(sha256.values.get(pcr)).not.toEqual(zero);
    expect(sha256.values.get(1)).toEqual(zero);
    // One extend from zero: PCR = SHA256(0^32 || SHA256("pcr 7")) (Part 1 §17.2).
    const digest7 = createHash('sha256').update('pcr 7').digest();
    expect(hex(sha256.values.get(7)!)).toBe(createHash('sha256').update(zero).update(digest7).digest('hex'));
  });
});

describe('NV public areas equal tpm2_nvreadpublic', () => {
  it('index, nameAlg, attributes, size, authPolicy and name of every index', async () => {
    const i = swtpm.get();
    const ours = await withTpm(i, async (tpm) => {
      const out = [];
      for (const nvIndex of await getHandles(tpm, 0x01000000))
        out.push(await tpm.run(NV_ReadPublic, { nvIndex }));
      return out;
    });
    const tools = map(await toolYaml(i, ['tpm2_nvreadpublic']));
    expect(ours.map((o) => o.nvPublic.nvIndex)).toEqual(Object.keys(tools).map(num));
    for (const { nvPublic, nvName } of ours) {
      const printed = map(tools[`0x${nvPublic.nvIndex.toString(16)}`]);
      const where = `0x${nvPublic.nvIndex.toString(16)}`;
      expect(nvPublic.nameAlg, where).toBe(num(map(printed['hash algorithm']).value));
      expect(nvPublic.attributes, where).toBe(num(map(printed.attributes).value));
      expect(nvPublic.dataSize, where).toBe(num(printed.size));
      expect(hex(nvPublic.authPolicy), where).toBe(
        String(printed['authorization policy'] ?? '').toLowerCase(),
      );
      expect(hex(nvName), where).toBe(printed.name);
      // Part 1 §16: the Name is nameAlg || H(TPMS_NV_PUBLIC), so our encoding must be the TPM's.
      const digest = createHash('sha256').update(encode(TPMS_NV_PUBLIC, nvPublic)).digest('hex');
      expect(hex(nvName), where).toBe(`000b${digest}`);
    }
    const withPolicy = ours.find((o) => o.nvPublic.nvIndex === OWNER_INDEX)!.nvPublic;
    expect(withPolicy.authPolicy).toEqual(new Uint8Array(POLICY));
    expect(withPolicy.dataSize).toBe(48);
    const counter = ours.find((o) => o.nvPublic.nvIndex === COUNTER_INDEX)!.nvPublic;
    expect((counter.attributes >>> 4) & 0xf).toBe(1); // TPM_NT_COUNTER
    expect(counter.attributes & 0x20000000).toBe(0x20000000); // TPMA_NV_WRITTEN after the increment
    const cert = ours.find((o) => o.nvPublic.nvIndex === 0x01c08000)!.nvPublic;
    expect(cert.attributes).toBe(0x62072801);
  });
});
