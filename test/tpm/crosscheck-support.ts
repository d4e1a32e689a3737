/**
 * Shared by the crosscheck-*.test.ts files: they compare what our client reads and does against
 * what tpm2-tools 5.x reads and does on the same swtpm.
 *
 * swtpm serves one data connection at a time and tpm2-tools opens a new one per command, so our
 * client always runs inside {@link withTpm}, which closes its connection before returning.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { SwtpmInstance } from '../../src/lab/swtpm-process.js';
import { Tpm } from '../../src/tpm/tpm.js';
import { swtpmTransport } from '../../src/tpm/transport/swtpm.js';

/** Runs `fn` with a fresh client of the instance and always closes its connection afterwards. */
export async function withTpm<T>(instance: SwtpmInstance, fn: (tpm: Tpm) => Promise<T>): Promise<T> {
  const tpm = new Tpm(swtpmTransport(instance.host, instance.port, { timeoutMs: 30_000 }));
  try {
    return await fn(tpm);
  } finally {
    await tpm.close();
  }
}

import { map, num, toolYaml } from '../support/tpm2-tools.js';

export { map, num, toolYaml };

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** A 4-byte big-endian handle, as it appears in a Name. */
export function u32be(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

/** A temporary directory for tpm2-tools context, policy and output files, removed after the file's tests. */
export function useTempDir(): { file(name: string): string; read(name: string): Promise<Uint8Array> } {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-crosscheck-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const file = (name: string): string => {
    if (!dir) throw new Error('useTempDir(): use inside a test or hook');
    return path.join(dir, name);
  };
  return { file, read: async (name) => new Uint8Array(await readFile(file(name))) };
}

/** Handles as tpm2_getcap handles-* prints them (a YAML list, or nothing when there are none). */
export async function toolHandles(
  instance: SwtpmInstance,
  kind: 'persistent' | 'nv-index' | 'transient',
): Promise<number[]> {
  const list = await toolYaml(instance, ['tpm2_getcap', `handles-${kind}`]);
  if (list === null || list === undefined || list === '') return [];
  if (!Array.isArray(list)) throw new Error(`tpm2_getcap handles-${kind} printed ${JSON.stringify(list)}`);
  return list.map(num);
}

/** One property of `tpm2_getcap properties-variable` (a plain value; PERMANENT and STARTUP_CLEAR are bit maps). */
export async function toolVariable(instance: SwtpmInstance): Promise<Record<string, unknown>> {
  return map(await toolYaml(instance, ['tpm2_getcap', 'properties-variable']));
}

/** TPMA_PERMANENT bits as tpm2_getcap prints them (Part 2 §8.6). */
export const PERMANENT_BITS: Record<string, number> = {
  ownerAuthSet: 0x1,
  endorsementAuthSet: 0x2,
  lockoutAuthSet: 0x4,
  disableClear: 0x100,
  inLockout: 0x200,
  tpmGeneratedEPS: 0x400,
};

/** TPMA_STARTUP_CLEAR bits as tpm2_getcap prints them (Part 2 §8.7). */
export const STARTUP_CLEAR_BITS: Record<string, number> = {
  phEnable: 0x1,
  shEnable: 0x2,
  ehEnable: 0x4,
  phEnableNV: 0x8,
  orderly: 0x80000000,
};

/** Rebuilds an attribute word from tpm2_getcap's one-line-per-bit YAML; reserved fields must print 0. */
export function bitsToWord(printed: unknown, bits: Record<string, number>): number {
  const fields = map(printed);
  let word = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (name.startsWith('reserved')) {
      if (num(value) !== 0) throw new Error(`${name} printed ${String(value)}`);
      continue;
    }
    const bit = bits[name];
    if (bit === undefined) throw new Error(`unexpected field ${name}`);
    if (num(value) !== 0) word |= bit;
  }
  return word >>> 0;
}
