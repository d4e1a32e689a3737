/**
 * The clear proof on a real provisioned swtpm, with the states built by tpm2-tools: an owner
 * primary, an endorsement-seeded primary and an owner NV index, all three hierarchy auth values
 * set; then `tpm2_clear -c p`; then violations made after the clear.
 */
import { describe, expect, it } from 'vitest';
import { getHandles } from '../../src/tpm/read/capability.js';
import { type ClearFingerprint, takeClearFingerprint } from '../../src/verify/clear-fingerprint.js';
import { type ClearProof, proveClear, proveNoClear } from '../../src/verify/clear-proof.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { useTempDir, withTpm } from '../tpm/crosscheck-support.js';

const swtpm = useSwtpm({ provision: true });
const temp = useTempDir();

const OWNER_AUTH = 'owner-pw';
const ENDORSEMENT_AUTH = 'endorsement-pw';
const LOCKOUT_AUTH = 'lockout-pw';
/** An owner primary: derived from the SPS, so made again after a clear it has another Name. */
const OWNER_OBJECT = '0x81000005';
/** An endorsement primary persisted by the owner: derived from the EPS, so made again it has the same Name. */
const EPS_OBJECT = '0x81000006';
const OWNER_NV = '0x01500016';
const PLATFORM_NV = ['0x01C00002', '0x01C00016', '0x01C08000'];

const ALL_CHECKS = [
  'srk-name-changed',
  'owner-persistent-objects-gone',
  'non-platform-nv-gone',
  'platform-nv-kept',
  'auth-values-reset',
  'ek-unchanged',
  'ek-certificates-unchanged',
  'counters-reset',
];

/** A fingerprint with our client, closed before tpm2-tools runs again; also the transient handles left after it. */
async function fingerprint(
  auth: { ownerAuth?: string; endorsementAuth?: string } = {},
): Promise<{ print: ClearFingerprint; transient: number[] }> {
  return withTpm(swtpm.get(), async (tpm) => {
    const print = await takeClearFingerprint(tpm, auth);
    return { print, transient: await getHandles(tpm, 0x80000000) };
  });
}

function failed(proof: ClearProof<string>): string[] {
  return proof.checks.filter((c) => !c.passed).map((c) => c.id);
}

function check(proof: ClearProof<string>, id: string) {
  const c = proof.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

async function persistPrimary(hierarchy: 'o' | 'e', handle: string, ownerAuth?: string): Promise<void> {
  const ctx = temp.file(`${hierarchy}-${handle}.ctx`);
  await tpm2(swtpm.get(), ['tpm2_createprimary', '-C', hierarchy, '-G', 'ecc', '-c', ctx]);
  await tpm2(swtpm.get(), [
    'tpm2_evictcontrol',
    '-C',
    'o',
    ...(ownerAuth ? ['-P', ownerAuth] : []),
    '-c',
    ctx,
    handle,
  ]);
  await tpm2(swtpm.get(), ['tpm2_flushcontext', '-t']);
}

async function defineOwnerNv(ownerAuth?: string): Promise<void> {
  await tpm2(swtpm.get(), [
    'tpm2_nvdefine',
    OWNER_NV,
    '-C',
    'o',
    ...(ownerAuth ? ['-P', ownerAuth] : []),
    '-s',
    '16',
    '-a',
    'ownerread|ownerwrite',
  ]);
}

describe('proveClear / proveNoClear on a provisioned swtpm', () => {
  let before: ClearFingerprint;
  let afterClear: ClearFingerprint;

  it('tpm2-tools sets the stage: owner objects, an owner NV index, owner/endorsement/lockout auth', async () => {
    await persistPrimary('o', OWNER_OBJECT);
    await persistPrimary('e', EPS_OBJECT);
    await defineOwnerNv();
    await tpm2(swtpm.get(), ['tpm2_changeauth', '-c', 'o', OWNER_AUTH]);
    await tpm2(swtpm.get(), ['tpm2_changeauth', '-c', 'e', ENDORSEMENT_AUTH]);
    await tpm2(swtpm.get(), ['tpm2_changeauth', '-c', 'l', LOCKOUT_AUTH]);
  });

  it('fingerprints what a clear changes and keeps, and leaves no transient object behind', async () => {
    const { print, transient } = await fingerprint({
      ownerAuth: OWNER_AUTH,
      endorsementAuth: ENDORSEMENT_AUTH,
    });
    before = print;
    expect(transient).toEqual([]);
    expect(print.srk).toHaveProperty('name', expect.stringMatching(/^000b[0-9a-f]{64}$/));
    expect(print.ek).toHaveProperty('name', expect.stringMatching(/^000b[0-9a-f]{64}$/));
    // swtpm_setup persisted the L-1 EK at 0x81010001: our EK from the same template has its Name.
    const persisted = new Map(print.persistent.map((p) => [p.handle, p.name]));
    expect([...persisted.keys()]).toEqual([OWNER_OBJECT, EPS_OBJECT, '0x81010001', '0x81010016']);
    expect(persisted.get('0x81010001')).toBe((print.ek as { name: string }).name);
    expect(print.nv.other.map((n) => n.index)).toEqual([OWNER_NV]);
    expect(print.nv.platform.map((n) => n.index)).toEqual(PLATFORM_NV);
    expect(print.permanent).toMatchObject({
      ownerAuthSet: true,
      endorsementAuthSet: true,
      lockoutAuthSet: true,
      disableClear: false,
    });
    expect(print.ekCertificates.map((c) => c.index)).toEqual(['0x01C00002', '0x01C00016']);
    expect(print.ekCertificates.every((c) => /^[0-9a-f]{64}$/.test(c.sha256 ?? ''))).toBe(true);
    // Plain data: survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(print))).toEqual(print);
  });

  it('without a clear in between: proveClear fails on the SRK and the counters, proveNoClear holds', async () => {
    const { print: again } = await fingerprint({ ownerAuth: OWNER_AUTH, endorsementAuth: ENDORSEMENT_AUTH });
    const clear = proveClear(before, again);
    expect(clear.proven).toBe(false);
    // auth-values-reset also fails: nothing reset the auth values.
    expect(failed(clear)).toEqual([
      'srk-name-changed',
      'owner-persistent-objects-gone',
      'non-platform-nv-gone',
      'auth-values-reset',
      'counters-reset',
    ]);
    expect(check(clear, 'srk-name-changed').actual).toMatch(/^the same Name 000b/);
    const none = proveNoClear(before, again);
    expect(failed(none)).toEqual([]);
    expect(none.proven).toBe(true);
  });

  it('after tpm2_clear -c p every check passes', async () => {
    await tpm2(swtpm.get(), ['tpm2_clear', '-c', 'p']);
    const { print, transient } = await fingerprint();
    afterClear = print;
    expect(transient).toEqual([]);
    const proof = proveClear(before, afterClear);
    expect(proof.checks.map((c) => c.id)).toEqual(ALL_CHECKS);
    expect(failed(proof)).toEqual([]);
    expect(proof.proven).toBe(true);
    expect(check(proof, 'owner-persistent-objects-gone').actual).toBe('all 4 gone');
    expect(check(proof, 'counters-reset').actual).toMatch(/clock \d+ → \d+ ms/);
    expect(afterClear.clock.resetCount).toBe(0);
    expect(afterClear.clock.restartCount).toBe(0);
    expect(proveNoClear(before, afterClear).proven).toBe(false);
  });

  it('the SRK is the one tpm2_createprimary makes from the Provisioning Guidance ECC template', async () => {
    // Unique x and y of 32 zero bytes each (go-tpm ECCSRKTemplate); tpm2-tools splits stdin in half.
    const { stdout } = await tpm2(
      swtpm.get(),
      [
        'tpm2_createprimary',
        '-C',
        'o',
        '-g',
        'sha256',
        '-G',
        'ecc256:null:aes128cfb',
        '-a',
        'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt',
        '-u',
        '-',
        '-c',
        temp.file('srk.ctx'),
      ],
      { input: Buffer.alloc(64) },
    );
    expect(stdout).toMatch(/^sym-keybits: 128$/m);
    const { stdout: pub } = await tpm2(swtpm.get(), ['tpm2_readpublic', '-c', temp.file('srk.ctx')]);
    await tpm2(swtpm.get(), ['tpm2_flushcontext', '-t']);
    expect(pub).toMatch(/^name: [0-9a-f]{68}$/m);
    expect(pub).toContain(`name: ${(afterClear.srk as { name: string }).name}\n`);
  });

  it('objects, an NV index and an owner auth value made again after the clear fail the checks they violate', async () => {
    await persistPrimary('o', OWNER_OBJECT);
    await persistPrimary('e', EPS_OBJECT);
    await defineOwnerNv();
    await tpm2(swtpm.get(), ['tpm2_changeauth', '-c', 'o', 'x']);
    const { print: after, transient } = await fingerprint({ ownerAuth: 'x' });
    expect(transient).toEqual([]);
    const proof = proveClear(before, after);
    expect(proof.proven).toBe(false);
    expect(failed(proof)).toEqual([
      'owner-persistent-objects-gone',
      'non-platform-nv-gone',
      'auth-values-reset',
    ]);
    // The owner primary made again has another Name (new SPS): that object is new, the old one gone.
    // The endorsement primary made again has the same Name (the EPS survives): not provably gone.
    const objects = check(proof, 'owner-persistent-objects-gone').actual;
    expect(objects).toContain(`still there with the same Name: ${EPS_OBJECT} `);
    expect(objects).toContain(`a new object (another Name) now at ${OWNER_OBJECT}`);
    // An NV Name hashes only the public area, so the same definition has the same Name.
    expect(check(proof, 'non-platform-nv-gone').actual).toContain(
      `still there with the same Name: ${OWNER_NV} `,
    );
    expect(check(proof, 'auth-values-reset').actual).toMatch(/^still set: ownerAuthSet \(/);
    // The SRK under the new owner auth still differs from before's; the platform side is intact.
    for (const id of ['srk-name-changed', 'platform-nv-kept', 'ek-unchanged', 'ek-certificates-unchanged']) {
      expect(check(proof, id).passed, id).toBe(true);
    }
  });
});

describe('proveClear reads the counters as Part 3 §24.6 sets them', () => {
  const base: ClearFingerprint = {
    takenAt: '2025-01-01T00:00:00.000Z',
    srk: { name: '000b01' },
    persistent: [],
    nv: { platform: [], other: [] },
    permanent: {
      value: '0x00000000',
      ownerAuthSet: false,
      endorsementAuthSet: false,
      lockoutAuthSet: false,
      disableClear: false,
    },
    ek: { name: '000bee' },
    ekCertificates: [],
    clock: { clock: '5000000000', resetCount: 7, restartCount: 2 },
  };
  const cleared = (clock: ClearFingerprint['clock']): ClearFingerprint => ({
    ...base,
    srk: { name: '000b02' },
    clock,
  });

  it('a reboot after the clear (resetCount 1, clock past before) still shows in resetCount', () => {
    const p = proveClear(base, cleared({ clock: '9000000000', resetCount: 1, restartCount: 0 }));
    expect(check(p, 'counters-reset')).toMatchObject({ passed: true, actual: 'resetCount 7 → 1' });
    expect(p.proven).toBe(true);
  });

  it('counters that only grew are no evidence of a clear', () => {
    const p = proveClear(base, cleared({ clock: '5000000100', resetCount: 8, restartCount: 0 }));
    expect(failed(p)).toEqual(['counters-reset']);
  });

  it('restartCount counts only within the same resetCount', () => {
    const p = proveClear(base, cleared({ clock: '5000000100', resetCount: 7, restartCount: 0 }));
    expect(check(p, 'counters-reset')).toMatchObject({ passed: true, actual: 'restartCount 2 → 0' });
  });

  it('an SRK or EK that could not be read is not proof', () => {
    const p = proveClear(base, {
      ...cleared({ clock: '0', resetCount: 0, restartCount: 0 }),
      srk: { error: 'TPM_RC_AUTH_FAIL' },
      ek: { error: 'TPM_RC_AUTH_FAIL' },
    });
    expect(failed(p)).toEqual(['srk-name-changed', 'ek-unchanged']);
    expect(check(p, 'ek-unchanged').actual).toBe('unknown (TPM_RC_AUTH_FAIL)');
  });
});
