/**
 * The TPM state the clear-run tests clear, built and inspected with tpm2-tools (the reference peer):
 * an owner persistent object at 0x81000005 and an owner NV index at 0x01500016.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { SwtpmInstance } from '../../../src/lab/swtpm-process.js';
import { tpm2 } from '../../support/tpm2-tools.js';

export const OWNER_OBJECT = '0x81000005';
export const OWNER_NV = '0x01500016';

function hexList(stdout: string): string[] {
  const list = (parse(stdout) as unknown[] | null) ?? [];
  return list.map((h) => `0x${Number(h).toString(16).toUpperCase().padStart(8, '0')}`);
}

/** `tpm2_getcap handles-persistent`, as '0x81000005' strings. */
export async function persistentHandles(instance: SwtpmInstance): Promise<string[]> {
  return hexList((await tpm2(instance, ['tpm2_getcap', 'handles-persistent'])).stdout);
}

/** `tpm2_getcap handles-nv-index`, as '0x01500016' strings. */
export async function nvIndices(instance: SwtpmInstance): Promise<string[]> {
  return hexList((await tpm2(instance, ['tpm2_getcap', 'handles-nv-index'])).stdout);
}

/** Makes sure the owner object and the owner NV index exist (idempotent). Close your own client first. */
export async function buildOwnerState(instance: SwtpmInstance): Promise<void> {
  if (!(await persistentHandles(instance)).includes(OWNER_OBJECT)) {
    const dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-clear-state-'));
    try {
      const ctx = path.join(dir, 'primary.ctx');
      await tpm2(instance, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', ctx]);
      await tpm2(instance, ['tpm2_evictcontrol', '-C', 'o', '-c', ctx, OWNER_OBJECT]);
      await tpm2(instance, ['tpm2_flushcontext', '-t']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!(await nvIndices(instance)).includes(OWNER_NV)) {
    await tpm2(instance, ['tpm2_nvdefine', OWNER_NV, '-C', 'o', '-s', '16', '-a', 'ownerread|ownerwrite']);
  }
}
