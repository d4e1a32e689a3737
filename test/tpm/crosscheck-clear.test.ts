import { describe, expect, it } from 'vitest';
import {
  DictionaryAttackLockReset,
  DictionaryAttackParameters,
} from '../../src/tpm/commands/dictionary-attack.js';
import { Clear, ClearControl } from '../../src/tpm/commands/hierarchy.js';
import { TpmError } from '../../src/tpm/rc/tpm-error.js';
import { getProperties } from '../../src/tpm/read/capability.js';
import { readNvIndex } from '../../src/tpm/read/nv.js';
import type { Tpm } from '../../src/tpm/tpm.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import {
  bitsToWord,
  hex,
  map,
  num,
  PERMANENT_BITS,
  toolHandles,
  toolVariable,
  toolYaml,
  useTempDir,
  withTpm,
} from './crosscheck-support.js';

const swtpm = useSwtpm({ provision: true });
const temp = useTempDir();

const TPM_RH_LOCKOUT = 0x4000000a;
const TPM_RH_PLATFORM = 0x4000000c;
const OWNER_INDEX = 0x01500030;
const DA_INDEX = 0x01500040;
const EK_CERTS = [0x01c00002, 0x01c00016, 0x01c08000];
const DISABLE_CLEAR = 0x100;
const IN_LOCKOUT = 0x200;

/** The error `p` rejects with; fails the test if it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected the TPM to refuse, but the command succeeded');
}

async function permanent(tpm: Tpm): Promise<number> {
  return (await getProperties(tpm, 0x200, 0x201)).get(0x200)!;
}

/** MAX_AUTH_FAIL, LOCKOUT_INTERVAL, LOCKOUT_RECOVERY and LOCKOUT_COUNTER as tpm2_getcap prints them. */
async function toolDa(): Promise<{ maxTries: number; interval: number; recovery: number; counter: number }> {
  const v = await toolVariable(swtpm.get());
  return {
    maxTries: num(v.TPM2_PT_MAX_AUTH_FAIL),
    interval: num(v.TPM2_PT_LOCKOUT_INTERVAL),
    recovery: num(v.TPM2_PT_LOCKOUT_RECOVERY),
    counter: num(v.TPM2_PT_LOCKOUT_COUNTER),
  };
}

describe('TPM2_Clear sent by us, as tpm2-tools sees it', () => {
  const certsBefore = new Map<number, string>();

  it('tpm2-tools sets the stage: an owner index, a persistent primary, DA parameters 10/100/200', async () => {
    const i = swtpm.get();
    await tpm2(i, [
      'tpm2_nvdefine',
      `0x${OWNER_INDEX.toString(16)}`,
      '-C',
      'o',
      '-s',
      '16',
      '-a',
      'ownerread|ownerwrite',
    ]);
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', temp.file('primary.ctx')]);
    await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', temp.file('primary.ctx'), '0x81000008']);
    await tpm2(i, ['tpm2_flushcontext', '-t']);
    await tpm2(i, ['tpm2_dictionarylockout', '-s', '-n', '10', '-t', '100', '-l', '200']);
    expect(await toolDa()).toMatchObject({ maxTries: 10, interval: 100, recovery: 200 });
    expect(await toolHandles(i, 'persistent')).toEqual([0x81000008, 0x81010001, 0x81010016]);
    expect(await toolHandles(i, 'nv-index')).toEqual([OWNER_INDEX, ...EK_CERTS]);
    await withTpm(i, async (tpm) => {
      const props = await getProperties(tpm, 0x20f, 0x212);
      expect([...props.values()]).toEqual([10, 100, 200]);
      for (const index of EK_CERTS)
        certsBefore.set(index, hex(await readNvIndex(tpm, index, { nvBufferMax: 1024 })));
    });
  });

  it('after our Clear(TPM_RH_PLATFORM, empty password) the owner index and objects are gone, the certificates stay, DA is back to 3/1000/1000', async () => {
    const i = swtpm.get();
    await withTpm(i, (tpm) => tpm.run(Clear, { authHandle: TPM_RH_PLATFORM }));
    expect(await toolHandles(i, 'nv-index')).toEqual(EK_CERTS);
    // Clear flushes owner and endorsement persistent objects, the swtpm_setup EKs included.
    expect(await toolHandles(i, 'persistent')).toEqual([]);
    expect(await toolDa()).toEqual({ maxTries: 3, interval: 1000, recovery: 1000, counter: 0 });
    const pub = map(await toolYaml(i, ['tpm2_nvreadpublic', '0x1c08000']));
    expect(num(map(map(pub['0x1c08000']).attributes).value)).toBe(0x62072801);
    await withTpm(i, async (tpm) => {
      for (const index of EK_CERTS) {
        expect(hex(await readNvIndex(tpm, index, { nvBufferMax: 1024 })), `0x${index.toString(16)}`).toBe(
          certsBefore.get(index),
        );
      }
    });
  });

  it('our DictionaryAttackParameters(lockout) shows in tpm2_getcap properties-variable', async () => {
    await withTpm(swtpm.get(), (tpm) =>
      tpm.run(DictionaryAttackParameters, {
        lockHandle: TPM_RH_LOCKOUT,
        newMaxTries: 7,
        newRecoveryTime: 50,
        lockoutRecovery: 60,
      }),
    );
    expect(await toolDa()).toEqual({ maxTries: 7, interval: 50, recovery: 60, counter: 0 });
  });

  it('our DictionaryAttackLockReset(lockout) zeroes the LOCKOUT_COUNTER a wrong tpm2_nvread password raised', async () => {
    const i = swtpm.get();
    const idx = `0x${DA_INDEX.toString(16)}`;
    // No no_da: a wrong password on this index counts as a dictionary-attack failure.
    await tpm2(i, ['tpm2_nvdefine', idx, '-C', 'o', '-s', '8', '-a', 'authread|authwrite', '-p', 'right']);
    await tpm2(i, ['tpm2_nvwrite', idx, '-P', 'right', '-i', '-'], { input: Buffer.alloc(8, 1) });
    const failed = await tpm2(i, ['tpm2_nvread', idx, '-P', 'wrong'], { allowFailure: true });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/0x0*98e/i);
    expect((await toolDa()).counter).toBe(1);
    await withTpm(i, (tpm) => tpm.run(DictionaryAttackLockReset, { lockHandle: TPM_RH_LOCKOUT }));
    expect((await toolDa()).counter).toBe(0);
  });

  it('with disableClear set by tpm2_clearcontrol -C l s, our Clear gets TPM_RC_DISABLED through lockout and platform alike', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_clearcontrol', '-C', 'l', 's']);
    await withTpm(i, async (tpm) => {
      expect((await permanent(tpm)) & DISABLE_CLEAR).toBe(DISABLE_CLEAR);
      for (const authHandle of [TPM_RH_LOCKOUT, TPM_RH_PLATFORM]) {
        const error = await rejection(tpm.run(Clear, { authHandle }));
        expect(error).toBeInstanceOf(TpmError);
        expect((error as TpmError).responseCode).toBe(0x120);
        expect((error as TpmError).decoded.name).toBe('TPM_RC_DISABLED');
        expect((error as TpmError).lockoutAuthBlocked).toBe(false);
      }
      // Part 3 §24.7: lockout may only set disableClear.
      const byLockout = await rejection(tpm.run(ClearControl, { auth: TPM_RH_LOCKOUT, disable: false }));
      expect(byLockout).toBeInstanceOf(TpmError);
      // libtpms answers TPM_RC_AUTH_FAIL without a session index (0x08E, not 0x98E): no password was
      // wrong, and lockout authorization is not blocked by it.
      expect((byLockout as TpmError).responseCode).toBe(0x08e);
      await tpm.run(DictionaryAttackLockReset, { lockHandle: TPM_RH_LOCKOUT });
      expect((await permanent(tpm)) & DISABLE_CLEAR).toBe(DISABLE_CLEAR);
    });
    expect(bitsToWord((await toolVariable(i)).TPM2_PT_PERMANENT, PERMANENT_BITS) & DISABLE_CLEAR).toBe(
      DISABLE_CLEAR,
    );
  });

  it('our ClearControl(platform, NO) re-enables Clear, as tpm2_getcap and a Clear show', async () => {
    const i = swtpm.get();
    await withTpm(i, (tpm) => tpm.run(ClearControl, { auth: TPM_RH_PLATFORM, disable: false }));
    expect(bitsToWord((await toolVariable(i)).TPM2_PT_PERMANENT, PERMANENT_BITS) & DISABLE_CLEAR).toBe(0);
    await withTpm(i, (tpm) => tpm.run(Clear, { authHandle: TPM_RH_PLATFORM }));
    expect(await toolHandles(i, 'nv-index')).toEqual(EK_CERTS);
  });
});

describe('a wrong lockout password blocks lockout authorization (0x921) while inLockout stays 0', () => {
  it('after one failed tpm2_clear -c l, our lockout Clear gets a TpmError that explains the block', async () => {
    const i = swtpm.get();
    await withTpm(i, (tpm) =>
      tpm.run(DictionaryAttackParameters, {
        lockHandle: TPM_RH_LOCKOUT,
        newMaxTries: 3,
        newRecoveryTime: 1000,
        lockoutRecovery: 77,
      }),
    );
    const failed = await tpm2(i, ['tpm2_clear', '-c', 'l', 'wrong'], { allowFailure: true });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/0x0*98e/i);

    const error = await withTpm(i, (tpm) => rejection(tpm.run(Clear, { authHandle: TPM_RH_LOCKOUT })));
    expect(error).toBeInstanceOf(TpmError);
    const e = error as TpmError;
    expect(e.responseCode).toBe(0x921);
    expect(e.lockoutAuthBlocked).toBe(true);
    expect(e.lockoutRecoverySeconds).toBe(77);
    expect(e.message).toContain('lockout authorization is blocked');
    expect(e.message).toContain('77 s');
    expect(e.message).toMatch(/^TPM2_Clear: /);

    // The flags alone do not show it: inLockout is still 0, for us and for tpm2_getcap.
    expect((await withTpm(i, permanent)) & IN_LOCKOUT).toBe(0);
    expect(bitsToWord((await toolVariable(i)).TPM2_PT_PERMANENT, PERMANENT_BITS) & IN_LOCKOUT).toBe(0);
  });

  it('every lockout-authorised command is blocked, platform authorization is not', async () => {
    const i = swtpm.get();
    const error = await withTpm(i, (tpm) =>
      rejection(tpm.run(DictionaryAttackLockReset, { lockHandle: TPM_RH_LOCKOUT })),
    );
    expect((error as TpmError).responseCode).toBe(0x921);
    expect((error as TpmError).lockoutAuthBlocked).toBe(true);
    // Platform authorization is not subject to the lockout block: Clear through platform still works.
    await withTpm(i, (tpm) => tpm.run(Clear, { authHandle: TPM_RH_PLATFORM }));
    expect(await toolHandles(i, 'nv-index')).toEqual(EK_CERTS);
  });
});
