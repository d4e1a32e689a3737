/**
 * The clear run on a real provisioned swtpm, with the state to clear built by tpm2-tools: a normal
 * run (platform, then lockout with a lockout value set), the gate refusing, disableClear, a blocked
 * lockout authorization and a wrong one. Crashes at every step boundary: clear-run-crash.test.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClearReceipt } from '../../../src/remedy/clear/clear-receipt.js';
import { ClearRunError, resumeClearRun, startClearRun } from '../../../src/remedy/clear/clear-run.js';
import { readJournal, runState } from '../../../src/remedy/journal.js';
import type { Tpm } from '../../../src/tpm/tpm.js';
import { type ClearFingerprint, takeClearFingerprint } from '../../../src/verify/clear-fingerprint.js';
import { proveNoClear } from '../../../src/verify/clear-proof.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';
import { buildOwnerState, nvIndices, OWNER_NV, OWNER_OBJECT, persistentHandles } from './owner-state.js';
import { passedGate, swtpmClient } from './support.js';

const swtpm = useSwtpm({ provision: true });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-clear-run-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` with our client of the swtpm (counting TPM2_Clear commands), closed before tpm2-tools runs again. */
async function withClient<T>(fn: (tpm: Tpm) => Promise<T>): Promise<{ value: T; clears: number }> {
  let clears = 0;
  const tpm = swtpmClient(swtpm.get().port, () => {
    clears += 1;
  });
  try {
    return { value: await fn(tpm), clears };
  } finally {
    await tpm.close();
  }
}

async function fingerprint(): Promise<ClearFingerprint> {
  return (await withClient((tpm) => takeClearFingerprint(tpm))).value;
}

function steps(journalPath: string): string[] {
  const read = readJournal(journalPath);
  expect(read.error).toBeUndefined();
  expect(read.torn).toBe(false);
  return read.records.map((r) => `${r.kind}${r.step === undefined ? '' : ` ${r.step}`}`);
}

const FULL_RUN = [
  'run-started',
  ...['gate-recorded', 'fingerprint-before', 'clear', 'fingerprint-after', 'proof'].flatMap((s) => [
    `step-started ${s}`,
    `step-succeeded ${s}`,
  ]),
  'run-finished',
];

describe('a clear run', () => {
  it('clears through platform, proves it, journals every step and writes a receipt chained to the journal', async () => {
    await buildOwnerState(swtpm.get());
    expect(await persistentHandles(swtpm.get())).toContain(OWNER_OBJECT);
    const { value: result, clears } = await withClient((tpm) =>
      startClearRun({
        tpm,
        journalDir: dir,
        gate: passedGate(),
        method: 'platform',
        purpose: 'decommission',
        approvedBy: 'Ada',
        ticket: 'CHG-1',
      }),
    );
    expect(clears).toBe(1);
    expect(result.status).toBe('finished');
    expect(result.failure).toBeNull();
    expect(result.proof?.proven).toBe(true);
    expect(await persistentHandles(swtpm.get())).not.toContain(OWNER_OBJECT);
    expect(await nvIndices(swtpm.get())).not.toContain(OWNER_NV);

    expect(steps(result.journalPath)).toEqual(FULL_RUN);
    const records = readJournal(result.journalPath).records;
    expect(runState(records).status).toBe('finished');
    const gateRecord = records.find((r) => r.kind === 'step-succeeded' && r.step === 'gate-recorded');
    expect((gateRecord?.data as Record<string, unknown> | undefined)?.inventory).toEqual(
      passedGate().inventory,
    );

    expect(result.receiptPath).toBe(path.join(dir, `${result.runId}.receipt.json`));
    const receipt = JSON.parse(readFileSync(result.receiptPath ?? '', 'utf8')) as ClearReceipt;
    expect(receipt).toEqual(result.receipt);
    expect(receipt.journalHash).toBe(records.at(-1)?.hash);
    expect(receipt.journalSeq).toBe(records.length);
    expect(receipt).toMatchObject({
      runId: result.runId,
      purpose: 'decommission',
      approvedBy: 'Ada',
      ticket: 'CHG-1',
    });
    expect(receipt.before.srkName).toMatch(/^000b[0-9a-f]{64}$/);
    expect(receipt.after.srkName).not.toBe(receipt.before.srkName);
    expect(receipt.after.ek).toBe(receipt.before.ek);
    expect(receipt.proof.proven).toBe(true);

    // Resuming a finished run sends nothing and gives the same result.
    const again = await withClient((tpm) => resumeClearRun({ tpm, journalPath: result.journalPath }));
    expect(again.clears).toBe(0);
    expect(again.value).toEqual(result);
    expect(readJournal(result.journalPath).records).toHaveLength(records.length);
  });

  it('clears through lockout with its value, which never reaches the journal or the receipt', async () => {
    const secret = 'lockout-Secret-7781';
    await buildOwnerState(swtpm.get());
    await tpm2(swtpm.get(), ['tpm2_changeauth', '-c', 'l', secret]);
    const { value: result, clears } = await withClient((tpm) =>
      startClearRun({
        tpm,
        journalDir: dir,
        gate: passedGate(),
        method: 'lockout',
        lockoutAuth: secret,
        purpose: 'repair',
      }),
    );
    expect(clears).toBe(1);
    expect(result.status).toBe('finished');
    expect(result.proof?.proven).toBe(true);
    expect(steps(result.journalPath)).toEqual(FULL_RUN);
    expect(readFileSync(result.journalPath, 'utf8')).not.toContain(secret);
    expect(readFileSync(result.receiptPath ?? '', 'utf8')).not.toContain(secret);
    expect(result.receipt).toMatchObject({ approvedBy: null, ticket: null, method: 'lockout' });
  });
});

describe('a clear run that must not clear', () => {
  it('does not start when the gate did not pass: no journal, the TPM untouched', async () => {
    await buildOwnerState(swtpm.get());
    const before = await fingerprint();
    const gate = passedGate();
    gate.passed = false;
    gate.checks.push({
      id: 'backup.escrow',
      status: 'fail',
      message: 'protector {1234} is not escrowed in Entra ID',
      evidence: [],
    });
    const gateDir = path.join(dir, 'refused');
    const { value: error, clears } = await withClient((tpm) =>
      startClearRun({ tpm, journalDir: gateDir, gate, method: 'platform', purpose: 'repair' }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(ClearRunError);
    expect((error as ClearRunError).code).toBe('gate-not-passed');
    expect((error as Error).message).toMatch(/backup\.escrow \(fail\): protector \{1234\} is not escrowed/);
    expect(clears).toBe(0);
    expect(existsSync(gateDir)).toBe(false);
    const after = await fingerprint();
    const proof = proveNoClear(before, after);
    expect(proof.checks.filter((c) => !c.passed)).toEqual([]);
    expect(proof.proven).toBe(true);
  });

  it('fails at the clear when disableClear is set, explains TPM_RC_DISABLED, and leaves the TPM untouched', async () => {
    await buildOwnerState(swtpm.get());
    await tpm2(swtpm.get(), ['tpm2_clearcontrol', '-C', 'l', 's']);
    const before = await fingerprint();
    expect(before.permanent.disableClear).toBe(true);
    const { value: result, clears } = await withClient((tpm) =>
      startClearRun({ tpm, journalDir: dir, gate: passedGate(), method: 'platform', purpose: 'repair' }),
    );
    expect(clears).toBe(1);
    expect(result.status).toBe('failed');
    expect(result.failure).toMatchObject({ step: 'clear', reason: 'disable-clear', responseCode: '0x120' });
    expect(result.failure?.message).toMatch(/disableClear is set \(TPM_RC_DISABLED, 0x120\)/);
    expect(result.failure?.message).toMatch(/Only platform authorization can unset it/);
    expect(result.receipt).toBeNull();
    expect(steps(result.journalPath).slice(-3)).toEqual([
      'step-started clear',
      'step-failed clear',
      'run-abandoned',
    ]);
    const after = await fingerprint();
    expect(proveNoClear(before, after).proven).toBe(true);

    // The run is over: resuming it sends no clear and gives the same failure.
    const again = await withClient((tpm) => resumeClearRun({ tpm, journalPath: result.journalPath }));
    expect(again.clears).toBe(0);
    expect(again.value.failure).toEqual(result.failure);

    await tpm2(swtpm.get(), ['tpm2_clearcontrol', '-C', 'p', 'c']);
  });

  it('fails with the blocked-lockout explanation after one wrong lockout value given to tpm2_clear', async () => {
    await buildOwnerState(swtpm.get());
    // The lockout value is empty (the last clear emptied it): one wrong try blocks lockout for
    // TPM_PT_LOCKOUT_RECOVERY seconds (1000 on swtpm).
    const wrong = await tpm2(swtpm.get(), ['tpm2_clear', '-c', 'l', 'wrongpass'], { allowFailure: true });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/0x98e/i);
    const before = await fingerprint();
    const { value: result } = await withClient((tpm) =>
      startClearRun({ tpm, journalDir: dir, gate: passedGate(), method: 'lockout', purpose: 'repair' }),
    );
    expect(result.status).toBe('failed');
    expect(result.failure).toMatchObject({
      step: 'clear',
      reason: 'lockout-auth-blocked',
      responseCode: '0x921',
    });
    expect(result.failure?.message).toMatch(/lockout authorization is blocked \(TPM_RC_LOCKOUT, 0x921\)/);
    expect(result.failure?.message).toMatch(/up to 1000 seconds/);
    const after = await fingerprint();
    expect(proveNoClear(before, after).proven).toBe(true);
  });

  it('fails with the wrong-lockout explanation (and its DA cost) when the lockout value is wrong', async () => {
    // A platform clear resets the dictionary-attack state (Part 3 §24.6), lifting the block above.
    await tpm2(swtpm.get(), ['tpm2_clear', '-c', 'p']);
    await buildOwnerState(swtpm.get());
    await tpm2(swtpm.get(), ['tpm2_changeauth', '-c', 'l', 'right-value']);
    const before = await fingerprint();
    const { value: result } = await withClient((tpm) =>
      startClearRun({
        tpm,
        journalDir: dir,
        gate: passedGate(),
        method: 'lockout',
        lockoutAuth: 'wrong-value',
        purpose: 'repair',
      }),
    );
    expect(result.status).toBe('failed');
    expect(result.failure).toMatchObject({
      step: 'clear',
      reason: 'wrong-lockout-auth',
      responseCode: '0x98E',
    });
    expect(result.failure?.message).toMatch(
      /lockout authorization value is wrong \(TPM_RC_AUTH_FAIL, 0x98E\)/,
    );
    expect(result.failure?.message).toMatch(/blocks every lockout-authorized command.*for 1000 seconds/);
    const after = await fingerprint();
    expect(proveNoClear(before, after).proven).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length).toBeGreaterThanOrEqual(5);
  });
});

describe('a clear that cannot be proven', () => {
  it('ends failed with the violated check, and files a receipt that says not proven', async () => {
    await buildOwnerState(swtpm.get());
    // Stop the run right after the clear (as a crash would), then define the owner NV index again
    // with the same public area: its Name is the same, so "non-platform-nv-gone" must fail.
    const { value: stopped } = await withClient((tpm) =>
      startClearRun({
        tpm,
        journalDir: dir,
        runId: 'not-proven',
        gate: passedGate(),
        method: 'platform',
        purpose: 'decommission',
        onPoint: (p) => {
          if (p === 'clear:done') throw new Error('stop at clear:done');
        },
      }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect((stopped as Error).message).toBe('stop at clear:done');
    await tpm2(swtpm.get(), ['tpm2_nvdefine', OWNER_NV, '-C', 'o', '-s', '16', '-a', 'ownerread|ownerwrite']);
    const { value: result, clears } = await withClient((tpm) =>
      resumeClearRun({ tpm, journalPath: path.join(dir, 'not-proven.jsonl') }),
    );
    expect(clears).toBe(0);
    expect(result.status).toBe('failed');
    expect(result.failure).toMatchObject({ step: 'proof', reason: 'not-proven' });
    expect(result.failure?.message).toMatch(
      /non-platform-nv-gone: .*still there with the same Name: 0x01500016/,
    );
    expect(result.receipt?.proof.proven).toBe(false);
    expect(result.receipt?.journalHash).toBe(readJournal(result.journalPath).records.at(-1)?.hash);
    expect(steps(result.journalPath).slice(-3)).toEqual([
      'step-started proof',
      'step-failed proof',
      'run-abandoned',
    ]);
    await tpm2(swtpm.get(), ['tpm2_nvundefine', OWNER_NV, '-C', 'o']);
  });
});
