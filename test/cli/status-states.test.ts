/**
 * TPM states built with tpm2-tools (never with tpm-doctor's own code) show up in `tpm-doctor status`:
 * an owner NV index, a loaded transient object, DA failures up to lockout, disableClear, owner and
 * lockout auth values (which must never be printed), and a disabled endorsement hierarchy.
 *
 * The tests run in order on one swtpm and each builds on the state the previous ones left.
 */
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import {
  hex8,
  map,
  runCli,
  statusJson,
  toolHandles,
  toolNvPublics,
  toolVariableProperties,
  toolYaml,
  useBuiltCli,
  useTempDir,
} from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm();
const temp = useTempDir();

const OWNER_INDEX = '0x01500016';
const DA_INDEX = '0x01500020';
const PERSISTENT = '0x81000001';
const MAX_TRIES = 4;
const RECOVERY_S = 600;
const LOCKOUT_RECOVERY_S = 1200;
const OWNER_AUTH = 'newpass';
const LOCKOUT_AUTH = 'lockpass';
const NV_AUTH = 'nv-right-7q';

/** One failed authorisation (wrong password) on the DA-protected index. */
async function failOnce(): Promise<void> {
  const r = await tpm2(swtpm.get(), ['tpm2_nvread', DA_INDEX, '-C', DA_INDEX, '-P', 'wrong', '-s', '8'], {
    allowFailure: true,
  });
  // TPM_RC_AUTH_FAIL on session 1: "the authorization HMAC check failed and DA counter incremented".
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/0x98e/i);
}

/** The Get-Tpm-like summary of the text output, its wrapped lines joined. */
async function summary(uri: string): Promise<string> {
  const text = await runCli(['status', '--tpm', uri]);
  expect(text.code).toBe(0);
  const m = /^ {2}Summary +(.*(?:\n {23}.*)*)/m.exec(text.stdout);
  expect(m, text.stdout).not.toBeNull();
  return (m?.[1] ?? '').replace(/\n +/g, ' ');
}

describe('states made with tpm2-tools show up in status', () => {
  it('an owner NV index: hierarchy owner, not platform-created, attributes as tpm2_nvreadpublic prints', async () => {
    const i = swtpm.get();
    expect(await summary(i.uri)).toBe(
      'ready yes, enabled yes, owner auth set no, locked out no, clear allowed yes',
    );
    await tpm2(i, ['tpm2_nvdefine', OWNER_INDEX, '-C', 'o', '-s', '32', '-a', 'ownerread|ownerwrite']);
    const { code, json } = await statusJson(i.uri);
    expect(code).toBe(0);
    const tool = (await toolNvPublics(i)).find((nv) => nv.index === OWNER_INDEX);
    expect(tool).toBeDefined();
    const ours = json.nvIndices?.find((nv) => nv.index === OWNER_INDEX);
    expect(ours).toMatchObject({
      hierarchy: 'owner',
      platformCreated: false,
      size: 32,
      type: 'ordinary',
      nameAlg: 'sha256',
      attributes: tool?.attributes,
      attributesValue: hex8(tool?.attributesValue ?? -1),
      name: tool?.name,
    });
    expect(ours?.attributes.split('|').sort()).toEqual(['ownerread', 'ownerwrite']);
    expect(json.capacity?.nvIndicesDefined).toBe(json.nvIndices?.length);
  });

  it('a transient object tpm2_createprimary left loaded is listed, and gone after tpm2_flushcontext', async () => {
    const i = swtpm.get();
    // No resource manager between tpm2-tools and swtpm: the primary stays loaded after the tool exits.
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', temp.file('primary.ctx')]);
    const loaded = await toolHandles(i, 'transient');
    expect(loaded).toHaveLength(1);
    const before = await statusJson(i.uri);
    expect(before.code).toBe(0);
    expect(before.json.transientHandles).toEqual(loaded);
    const avail = (await toolVariableProperties(i)).TPM2_PT_HR_TRANSIENT_AVAIL;
    expect(before.json.capacity?.transientAvailable).toBe(avail);
    const text = await runCli(['status', '--tpm', i.uri]);
    expect(text.stdout).toMatch(new RegExp(`^ {2}Transient handles +${loaded[0]}$`, 'm'));

    await tpm2(i, ['tpm2_flushcontext', '-t']);
    expect(await toolHandles(i, 'transient')).toEqual([]);
    const after = await statusJson(i.uri);
    expect(after.json.transientHandles).toEqual([]);
    expect(after.json.capacity?.transientAvailable).toBe((avail ?? 0) + 1);
  });

  it('an owner key made persistent with tpm2_evictcontrol is listed with the name tpm2_readpublic prints', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'rsa2048', '-c', temp.file('srk.ctx')]);
    await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', temp.file('srk.ctx'), PERSISTENT]);
    await tpm2(i, ['tpm2_flushcontext', '-t']);
    expect(await toolHandles(i, 'persistent')).toEqual([PERSISTENT]);
    const printed = map(await toolYaml(i, ['tpm2_readpublic', '-c', PERSISTENT]));
    const tools = await toolVariableProperties(i);
    const { code, json } = await statusJson(i.uri);
    expect(code).toBe(0);
    expect(json.persistentObjects).toHaveLength(1);
    expect(json.persistentObjects?.[0]).toMatchObject({
      handle: PERSISTENT,
      hierarchy: 'owner',
      type: 'rsa',
      keyBits: 2048,
      name: String(printed.name),
      attributes: String(map(printed.attributes).value),
    });
    expect(json.capacity?.persistentLoaded).toBe(tools.TPM2_PT_HR_PERSISTENT);
    expect(json.capacity?.persistentAvailable).toBe(tools.TPM2_PT_HR_PERSISTENT_AVAIL);
    expect(json.transientHandles).toEqual([]);
  });

  it('DA parameters set with tpm2_dictionarylockout and N failed tries are reported', async () => {
    const i = swtpm.get();
    await tpm2(i, [
      'tpm2_dictionarylockout',
      '--setup-parameters',
      '--max-tries',
      String(MAX_TRIES),
      '--recovery-time',
      String(RECOVERY_S),
      '--lockout-recovery-time',
      String(LOCKOUT_RECOVERY_S),
    ]);
    await tpm2(i, [
      'tpm2_nvdefine',
      DA_INDEX,
      '-C',
      'o',
      '-s',
      '8',
      '-a',
      'authread|authwrite',
      '-p',
      NV_AUTH,
    ]);
    await writeFile(temp.file('eight.bin'), Buffer.from('12345678'));
    await tpm2(i, ['tpm2_nvwrite', DA_INDEX, '-C', DA_INDEX, '-P', NV_AUTH, '-i', temp.file('eight.bin')]);
    const fresh = await statusJson(i.uri);
    expect(fresh.json.dictionaryAttack).toEqual({
      inLockout: false,
      failedTries: 0,
      maxTries: MAX_TRIES,
      recoveryTimeSeconds: RECOVERY_S,
      lockoutRecoverySeconds: LOCKOUT_RECOVERY_S,
      lockoutAuthSet: false,
    });

    const n = MAX_TRIES - 2;
    for (let k = 0; k < n; k++) await failOnce();
    const tools = await toolVariableProperties(i);
    expect(tools.TPM2_PT_LOCKOUT_COUNTER).toBe(n);
    const { code, json } = await statusJson(i.uri);
    expect(code).toBe(0);
    expect(json.dictionaryAttack?.failedTries).toBe(n);
    expect(json.dictionaryAttack?.inLockout).toBe(false);
    expect(json.permanent?.flags.inLockout).toBe(false);
    const text = await runCli(['status', '--tpm', i.uri]);
    expect(text.stdout).toMatch(new RegExp(`^ {2}Failed tries +${n} of ${MAX_TRIES} allowed$`, 'm'));
    expect(text.stdout).toMatch(/^ {2}Recovery +one failure forgiven every 10 min$/m);
    expect(text.stdout).toMatch(/^ {2}Lockout auth retry +after 20 min /m);
    expect(text.stdout).toMatch(/^ {2}Locked out +no$/m);
  });

  it('after maxTries failures the TPM is in lockout: inLockout in dictionaryAttack and in TPMA_PERMANENT', async () => {
    const i = swtpm.get();
    const { json: before } = await statusJson(i.uri);
    const left = MAX_TRIES - (before.dictionaryAttack?.failedTries ?? 0);
    expect(left).toBe(2);
    for (let k = 0; k < left; k++) await failOnce();
    // The right password is now refused too: TPM_RC_LOCKOUT (0x921).
    const right = await tpm2(i, ['tpm2_nvread', DA_INDEX, '-C', DA_INDEX, '-P', NV_AUTH, '-s', '8'], {
      allowFailure: true,
    });
    expect(right.stderr).toMatch(/0x921/);
    const tools = await toolVariableProperties(i);
    const { code, json } = await statusJson(i.uri);
    expect(code).toBe(0);
    expect(json.dictionaryAttack).toMatchObject({
      inLockout: true,
      failedTries: MAX_TRIES,
      maxTries: MAX_TRIES,
    });
    expect(json.permanent?.flags.inLockout).toBe(true);
    expect(json.permanent?.set).toContain('inLockout');
    expect(json.permanent?.value).toBe(hex8(tools.TPM2_PT_PERMANENT ?? -1));
    const text = await runCli(['status', '--tpm', i.uri]);
    expect(text.stdout).toMatch(/^ {2}Locked out +YES/m);
    // The summary an admin knows from Get-Tpm: not ready while locked out.
    expect(await summary(i.uri)).toBe(
      'ready NO, enabled yes, owner auth set no, locked out YES, clear allowed yes',
    );
  });

  it('tpm2_clearcontrol -C l s sets disableClear', async () => {
    const i = swtpm.get();
    const { json: before } = await statusJson(i.uri);
    expect(before.permanent?.flags.disableClear).toBe(false);
    await tpm2(i, ['tpm2_clearcontrol', '-C', 'l', 's']);
    const tools = await toolVariableProperties(i);
    const { json } = await statusJson(i.uri);
    expect(json.permanent?.flags.disableClear).toBe(true);
    expect(json.permanent?.value).toBe(hex8(tools.TPM2_PT_PERMANENT ?? -1));
    expect(await summary(i.uri)).toMatch(/, clear allowed NO$/);
  });

  it('owner and lockout auth values set with tpm2_changeauth: the flags are set and the values never printed', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_changeauth', '-c', 'o', OWNER_AUTH]);
    await tpm2(i, ['tpm2_changeauth', '-c', 'l', LOCKOUT_AUTH]);
    const tools = await toolVariableProperties(i);
    const json = await statusJson(i.uri);
    expect(json.code).toBe(0);
    expect(json.json.permanent?.flags).toMatchObject({ ownerAuthSet: true, lockoutAuthSet: true });
    expect(json.json.permanent?.flags.endorsementAuthSet).toBe(false);
    expect(json.json.dictionaryAttack?.lockoutAuthSet).toBe(true);
    expect(await summary(i.uri)).toMatch(/, owner auth set yes,/);
    expect(json.json.permanent?.value).toBe(hex8(tools.TPM2_PT_PERMANENT ?? -1));
    const text = await runCli(['status', '--tpm', i.uri]);
    const verbose = await runCli(['status', '--tpm', i.uri, '--verbose']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}Lockout auth set +yes$/m);
    for (const run of [json, text, verbose]) {
      const all = `${run.stdout}\n${run.stderr}`;
      for (const secret of [OWNER_AUTH, LOCKOUT_AUTH, NV_AUTH]) {
        expect(all).not.toContain(secret);
        expect(all.toLowerCase()).not.toContain(Buffer.from(secret).toString('hex'));
        expect(all).not.toContain(Buffer.from(secret).toString('base64').replace(/=+$/, ''));
      }
    }
  });

  it('tpm2_hierarchycontrol -C p ehEnable clear clears ehEnable in TPMA_STARTUP_CLEAR', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_hierarchycontrol', '-C', 'p', 'ehEnable', 'clear']);
    const tools = await toolVariableProperties(i);
    expect((tools.TPM2_PT_STARTUP_CLEAR ?? 0) & 0x4).toBe(0);
    const { code, json } = await statusJson(i.uri);
    // No endorsement-hierarchy object or EK certificate here, so nothing needs that hierarchy.
    expect(code).toBe(0);
    expect(json.errors).toEqual([]);
    expect(json.startupClear?.flags).toMatchObject({ ehEnable: false, shEnable: true, phEnable: true });
    expect(json.startupClear?.set).not.toContain('ehEnable');
    expect(json.startupClear?.value).toBe(hex8(tools.TPM2_PT_STARTUP_CLEAR ?? -1));
    // The owner's persistent key is still readable and listed.
    expect(json.persistentObjects?.map((o) => o.handle)).toEqual([PERSISTENT]);
    expect(await summary(i.uri)).toMatch(/^ready NO, enabled NO, /);
  });
});
