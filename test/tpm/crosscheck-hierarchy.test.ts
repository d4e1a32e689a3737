import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GetCapability } from '../../src/tpm/commands/capability.js';
import { ReadClock } from '../../src/tpm/commands/clock.js';
import { CreatePrimary, HierarchyChangeAuth, HierarchyControl } from '../../src/tpm/commands/hierarchy.js';
import { PCR_Allocate, PCR_Extend } from '../../src/tpm/commands/pcr.js';
import { GetRandom } from '../../src/tpm/commands/random.js';
import { Shutdown, Startup } from '../../src/tpm/commands/startup.js';
import { GetTestResult, SelfTest } from '../../src/tpm/commands/testing.js';
import { TpmError } from '../../src/tpm/rc/tpm-error.js';
import { getCapabilityAll, getProperties } from '../../src/tpm/read/capability.js';
import { password } from '../../src/tpm/session/password.js';
import { pcrSelectBitmap, selectedPcrs } from '../../src/tpm/structures/pcr.js';
import type { TpmtPublic } from '../../src/tpm/structures/public.js';
import type { Tpm } from '../../src/tpm/tpm.js';
import { SwtpmControl } from '../../src/tpm/transport/swtpm-control.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import {
  bitsToWord,
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

const TPM_RH_OWNER = 0x40000001;
const TPM_RH_ENDORSEMENT = 0x4000000b;
const TPM_RH_PLATFORM = 0x4000000c;
const TPM_SU_CLEAR = 0;
const SHA1 = 0x0004;
const SHA256 = 0x000b;
const SHA384 = 0x000c;
const SHA512 = 0x000d;
const ALL_PCRS = Array.from({ length: 24 }, (_, n) => n);
const EMPTY = new Uint8Array(0);

/** The error `p` rejects with; fails the test if it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected the TPM to refuse, but the command succeeded');
}

/** An orderly power cycle: our Shutdown(CLEAR), _TPM_Init over swtpm's control channel, our Startup(CLEAR). */
async function powerCycle(): Promise<void> {
  const i = swtpm.get();
  await withTpm(i, (tpm) => tpm.run(Shutdown, { shutdownType: TPM_SU_CLEAR }));
  const control = new SwtpmControl(i.host, i.controlPort);
  try {
    await control.init();
  } finally {
    await control.close();
  }
  await withTpm(i, (tpm) => tpm.run(Startup, { startupType: TPM_SU_CLEAR }));
}

async function toolPcrBanks(): Promise<Record<string, number[]>> {
  const banks = map(await toolYaml(swtpm.get(), ['tpm2_getcap', 'pcrs']))['selected-pcrs'] as unknown[];
  return Object.fromEntries(
    banks.map((b) => {
      const [[name, pcrs]] = Object.entries(map(b)) as [[string, unknown[]]];
      return [name, pcrs.map(num)];
    }),
  );
}

async function ourPcrBanks(tpm: Tpm): Promise<Record<number, number[]>> {
  const banks = await getCapabilityAll(tpm, 5, 0);
  return Object.fromEntries(banks.map((b) => [b.hash, selectedPcrs(b.pcrSelect)]));
}

describe('self test, random numbers and the clock', () => {
  it('SelfTest(full) then GetTestResult answers TPM_RC_SUCCESS, as tpm2_gettestresult does', async () => {
    const result = await withTpm(swtpm.get(), async (tpm) => {
      await tpm.run(SelfTest, { fullTest: true });
      return tpm.run(GetTestResult, {});
    });
    expect(result.testResult).toBe(0);
    const tools = map(await toolYaml(swtpm.get(), ['tpm2_gettestresult']));
    expect(tools.status).toBe('success');
  });

  it('GetRandom returns what was asked, capped at TPM_PT_MAX_DIGEST, and never the same twice', async () => {
    await withTpm(swtpm.get(), async (tpm) => {
      const maxDigest = (await getProperties(tpm, 0x120, 0x121)).get(0x120)!;
      expect(maxDigest).toBe(64);
      expect((await tpm.run(GetRandom, { bytesRequested: 16 })).randomBytes).toHaveLength(16);
      expect((await tpm.run(GetRandom, { bytesRequested: 1 })).randomBytes).toHaveLength(1);
      expect((await tpm.run(GetRandom, { bytesRequested: 0 })).randomBytes).toHaveLength(0);
      expect((await tpm.run(GetRandom, { bytesRequested: 100 })).randomBytes).toHaveLength(maxDigest);
      const a = (await tpm.run(GetRandom, { bytesRequested: 32 })).randomBytes;
      const b = (await tpm.run(GetRandom, { bytesRequested: 32 })).randomBytes;
      expect(a).not.toEqual(b);
    });
  });

  it('ReadClock is monotonic and brackets the clock tpm2_readclock reads in between', async () => {
    const i = swtpm.get();
    const first = await withTpm(i, (tpm) => tpm.run(ReadClock, {}));
    const tools = map(await toolYaml(i, ['tpm2_readclock']));
    await new Promise((r) => setTimeout(r, 20));
    const second = await withTpm(i, (tpm) => tpm.run(ReadClock, {}));
    const a = first.currentTime;
    const b = second.currentTime;
    const toolClock = BigInt(num(map(tools.clock_info).clock));
    expect(a.clockInfo.clock <= toolClock && toolClock <= b.clockInfo.clock).toBe(true);
    expect(b.clockInfo.clock - a.clockInfo.clock >= 20n).toBe(true);
    expect(b.time >= a.time).toBe(true);
    expect(a.clockInfo.resetCount).toBe(num(map(tools.clock_info).reset_count));
    expect(a.clockInfo.restartCount).toBe(num(map(tools.clock_info).restart_count));
    expect(a.clockInfo.safe).toBe(map(tools.clock_info).safe === 'yes');
  });
});

describe('PCR_Extend', () => {
  it('extends PCR 16 exactly as tpm2_pcrread then shows: new = SHA256(old || digest)', async () => {
    const i = swtpm.get();
    const read = async () => {
      const banks = map(await toolYaml(i, ['tpm2_pcrread', 'sha256:16']));
      return String(map(banks.sha256)['16']).toLowerCase().replace(/^0x/, '');
    };
    const before = await read();
    const digest = createHash('sha256').update('extended by tpm-doctor').digest();
    await withTpm(i, (tpm) =>
      tpm.run(PCR_Extend, { pcrHandle: 16, digests: [{ hashAlg: SHA256, digest: new Uint8Array(digest) }] }),
    );
    const expected = createHash('sha256').update(Buffer.from(before, 'hex')).update(digest).digest('hex');
    expect(await read()).toBe(expected);
    expect(expected).not.toBe(before);
  });
});

describe('hierarchy authorization and enables', () => {
  it('our HierarchyChangeAuth(owner) sets "secret": tpm2_nvdefine needs -P secret; resetting it with our code works', async () => {
    const i = swtpm.get();
    await withTpm(i, (tpm) =>
      tpm.run(HierarchyChangeAuth, { authHandle: TPM_RH_OWNER, newAuth: new TextEncoder().encode('secret') }),
    );
    expect(bitsToWord((await toolVariable(i)).TPM2_PT_PERMANENT, PERMANENT_BITS) & 0x1).toBe(0x1);

    const define = ['tpm2_nvdefine', '0x1500060', '-C', 'o', '-s', '8', '-a', 'ownerread|ownerwrite'];
    const without = await tpm2(i, define, { allowFailure: true });
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/0x0*9a2/i); // TPM_RC_BAD_AUTH, session 1
    await tpm2(i, [...define, '-P', 'secret']);
    expect(await toolHandles(i, 'nv-index')).toContain(0x01500060);

    await withTpm(i, async (tpm) => {
      // The empty password no longer authorises the owner hierarchy ...
      const refused = await rejection(
        tpm.run(HierarchyChangeAuth, { authHandle: TPM_RH_OWNER, newAuth: EMPTY }),
      );
      expect((refused as TpmError).responseCode).toBe(0x9a2);
      // ... the new one does, and sets it back to empty.
      await tpm.run(HierarchyChangeAuth, {
        authHandle: { handle: TPM_RH_OWNER, session: password('secret') },
        newAuth: EMPTY,
      });
    });
    expect(bitsToWord((await toolVariable(i)).TPM2_PT_PERMANENT, PERMANENT_BITS) & 0x1).toBe(0);
    await tpm2(i, ['tpm2_nvundefine', '0x1500060', '-C', 'o']);
  });

  it('our HierarchyControl(platform, endorsement, NO) makes tpm2_createek fail with TPM_RC_HIERARCHY; YES restores it', async () => {
    const i = swtpm.get();
    await withTpm(i, (tpm) =>
      tpm.run(HierarchyControl, { authHandle: TPM_RH_PLATFORM, enable: TPM_RH_ENDORSEMENT, state: false }),
    );
    const startupClear = () =>
      toolVariable(i).then((v) => bitsToWord(v.TPM2_PT_STARTUP_CLEAR, STARTUP_CLEAR_BITS));
    expect((await startupClear()) & 0x4).toBe(0); // ehEnable
    const createEk = ['tpm2_createek', '-c', temp.file('ek.ctx'), '-G', 'rsa', '-u', temp.file('ek.pub')];
    const failed = await tpm2(i, createEk, { allowFailure: true });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/0x0*185/i); // TPM_RC_HIERARCHY on handle 1
    const ours = await withTpm(i, (tpm) =>
      rejection(
        tpm.run(CreatePrimary, {
          primaryHandle: TPM_RH_ENDORSEMENT,
          inSensitive: { userAuth: EMPTY, data: EMPTY },
          inPublic: KEYEDHASH_PRIMARY,
          outsideInfo: EMPTY,
          creationPCR: [],
        }),
      ),
    );
    expect((ours as TpmError).responseCode).toBe(0x185);
    expect((ours as TpmError).decoded.name).toBe('TPM_RC_HIERARCHY');

    await withTpm(i, (tpm) =>
      tpm.run(HierarchyControl, { authHandle: TPM_RH_PLATFORM, enable: TPM_RH_ENDORSEMENT, state: true }),
    );
    expect((await startupClear()) & 0x4).toBe(0x4);
    await tpm2(i, createEk);
    await tpm2(i, ['tpm2_flushcontext', '-t']);
  });
});

/** A small primary that is quick to create (an HMAC key). */
const KEYEDHASH_PRIMARY: TpmtPublic = {
  type: 0x0008,
  nameAlg: SHA256,
  objectAttributes: 0x00040072, // fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign
  authPolicy: EMPTY,
  parameters: { scheme: { scheme: 0x0005, hashAlg: SHA256 } },
  unique: EMPTY,
};

describe('power cycles through swtpm CMD_INIT', () => {
  it('after _TPM_Init our GetCapability gets TPM_RC_INITIALIZE until our Startup(CLEAR); the reset shows in the clock', async () => {
    const i = swtpm.get();
    const before = await withTpm(i, (tpm) => tpm.run(ReadClock, {}));
    await withTpm(i, (tpm) => tpm.run(Shutdown, { shutdownType: TPM_SU_CLEAR }));
    const control = new SwtpmControl(i.host, i.controlPort);
    await control.init().finally(() => control.close());

    await withTpm(i, async (tpm) => {
      const error = await rejection(
        tpm.run(GetCapability, { capability: 6, property: 0x105, propertyCount: 1 }),
      );
      expect(error).toBeInstanceOf(TpmError);
      expect((error as TpmError).responseCode).toBe(0x100);
      expect((error as TpmError).decoded.name).toBe('TPM_RC_INITIALIZE');
      await tpm.run(Startup, { startupType: TPM_SU_CLEAR });
      const { capabilityData } = await tpm.run(GetCapability, {
        capability: 6,
        property: 0x105,
        propertyCount: 1,
      });
      expect(capabilityData.data).toEqual([{ property: 0x105, value: 0x49424d00 }]);
      // A second Startup is refused: the TPM is already started.
      expect(await rejection(tpm.run(Startup, { startupType: TPM_SU_CLEAR }))).toBeInstanceOf(TpmError);
      const after = await tpm.run(ReadClock, {});
      expect(after.currentTime.clockInfo.resetCount).toBe(before.currentTime.clockInfo.resetCount + 1);
    });
    const tools = map(await toolYaml(i, ['tpm2_readclock']));
    expect(num(map(tools.clock_info).reset_count)).toBe(before.currentTime.clockInfo.resetCount + 1);
    // An orderly shutdown: the reset did not count as a dictionary-attack failure.
    expect(num((await toolVariable(i)).TPM2_PT_LOCKOUT_COUNTER)).toBe(0);
  });

  it('our PCR_Allocate(platform) takes effect at the next Startup(CLEAR), as tpm2_getcap pcrs shows', async () => {
    const i = swtpm.get();
    expect(await toolPcrBanks()).toEqual({ sha1: [], sha256: ALL_PCRS, sha384: [], sha512: [] });
    const allocation = await withTpm(i, (tpm) =>
      tpm.run(PCR_Allocate, {
        authHandle: TPM_RH_PLATFORM,
        pcrAllocation: [
          { hash: SHA1, pcrSelect: pcrSelectBitmap(ALL_PCRS) },
          { hash: SHA256, pcrSelect: pcrSelectBitmap(ALL_PCRS) },
          { hash: SHA384, pcrSelect: pcrSelectBitmap(ALL_PCRS) },
          { hash: SHA512, pcrSelect: pcrSelectBitmap([]) },
        ],
      }),
    );
    expect(allocation.allocationSuccess).toBe(true);
    expect(allocation.maxPCR).toBe(24);
    expect(allocation.sizeNeeded).toBeLessThanOrEqual(allocation.sizeAvailable);
    // Not before the reset.
    expect(await toolPcrBanks()).toEqual({ sha1: [], sha256: ALL_PCRS, sha384: [], sha512: [] });

    await powerCycle();
    const expected = { sha1: ALL_PCRS, sha256: ALL_PCRS, sha384: ALL_PCRS, sha512: [] };
    expect(await toolPcrBanks()).toEqual(expected);
    expect(await withTpm(i, ourPcrBanks)).toEqual({
      [SHA1]: ALL_PCRS,
      [SHA256]: ALL_PCRS,
      [SHA384]: ALL_PCRS,
      [SHA512]: [],
    });
    const sha384 = map(map(await toolYaml(i, ['tpm2_pcrread', 'sha384:0'])).sha384);
    expect(String(sha384['0'])).toBe(`0x${'0'.repeat(96)}`);
  });
});
