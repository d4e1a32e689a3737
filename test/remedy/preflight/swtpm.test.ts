/**
 * The gate over a real swtpm put into broken states with tpm2-tools (never with tpm-doctor's own
 * code): only the read (probeTpmStatus) and the gate are ours. swtpm serves one data connection at
 * a time, so each probe closes its connection before tpm2-tools runs.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import type { SwtpmInstance } from '../../../src/lab/swtpm-process.js';
import { probeTpmStatus } from '../../../src/probe/tpm-status.js';
import type { GateOptions } from '../../../src/remedy/preflight/gate.js';
import { runPreflight } from '../../../src/remedy/preflight/run-preflight.js';
import type { Snapshot } from '../../../src/snapshot/snapshot.js';
import { Tpm } from '../../../src/tpm/tpm.js';
import { swtpmTransport } from '../../../src/tpm/transport/swtpm.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';
import { byId, expectActionable, expectNoRecoveryPassword } from './support.js';

const swtpm = useSwtpm({ provision: true });

async function probe(instance: SwtpmInstance): Promise<Snapshot> {
  const tpm = new Tpm(swtpmTransport(instance.host, instance.port, { timeoutMs: 30_000 }));
  try {
    const status = await probeTpmStatus(tpm, { uri: instance.uri, lab: true });
    return { schema: 'tpm-doctor/snapshot/v1', takenAt: status.collectedAt, tpm: status, windows: null };
  } finally {
    await tpm.close();
  }
}

async function gate(options: GateOptions) {
  const snapshot = await probe(swtpm.get());
  const result = runPreflight(snapshot, diagnose(snapshot), options);
  expectActionable(result);
  expectNoRecoveryPassword(result);
  return result;
}

const DECOMMISSION: GateOptions = { method: 'platform', purpose: 'decommission' };

describe('preflight on a provisioned swtpm', () => {
  it('healthy: a decommission clear with platform auth passes; a repair clear is refused (nothing to repair)', async () => {
    const r = await gate(DECOMMISSION);
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.passed).toBe(true);
    expect(byId(r, 'backup.recovery-password').message).toContain('not a Windows device');
    expect(r.inventory.persistentObjects.some((o) => o.startsWith('0x81010001 '))).toBe(true);
    expect(r.inventory.windows).toEqual([]);
    const repair = await gate({ ...DECOMMISSION, purpose: 'repair' });
    expect(byId(repair, 'reason').status).toBe('fail');
    expect(repair.passed).toBe(false);
  });

  it('tpm2_clearcontrol -C l s: blocker.disable-clear fails, whatever the purpose; lifting it passes again', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_clearcontrol', '-C', 'l', 's']);
    try {
      const r = await gate(DECOMMISSION);
      const c = byId(r, 'blocker.disable-clear');
      expect(c.status).toBe('fail');
      expect(c.evidence).toContainEqual({ source: 'tpm', field: 'TPMA_PERMANENT.disableClear', value: true });
      expect(c.message).toContain('tpm2_clearcontrol -C p c');
      expect(r.passed).toBe(false);
    } finally {
      await tpm2(i, ['tpm2_clearcontrol', '-C', 'p', 'c']);
    }
    expect((await gate(DECOMMISSION)).passed).toBe(true);
  });

  it('DA lockout from failed authorisations: blocker.lockout fails with the seconds remaining', async () => {
    const i = swtpm.get();
    const index = '0x01400200';
    await tpm2(i, [
      'tpm2_dictionarylockout',
      '--setup-parameters',
      '--max-tries',
      '2',
      '--recovery-time',
      '600',
      '--lockout-recovery-time',
      '1200',
    ]);
    await tpm2(i, [
      'tpm2_nvdefine',
      index,
      '-C',
      'p',
      '-s',
      '8',
      '-a',
      'authread|authwrite|platformcreate',
      '-p',
      'right-value',
    ]);
    for (let n = 0; n < 2; n++) {
      const r = await tpm2(i, ['tpm2_nvread', index, '-C', index, '-P', 'wrong', '-s', '8'], {
        allowFailure: true,
      });
      expect(r.code).not.toBe(0);
    }
    const r = await gate(DECOMMISSION);
    const c = byId(r, 'blocker.lockout');
    expect(c.status).toBe('fail');
    expect(c.evidence).toContainEqual({ source: 'tpm', field: 'TPMA_PERMANENT.inLockout', value: true });
    expect(c.evidence).toContainEqual({ source: 'preflight', field: 'lockoutRemainingSeconds', value: 600 });
    expect(c.message).toContain('about 10 min remain');
    expect(c.message).toContain('Never clear the TPM to escape a lockout');
    expect(r.passed).toBe(false);
    const repair = await gate({ ...DECOMMISSION, purpose: 'repair' });
    expect(byId(repair, 'reason').message).toContain('"wait"');
    // The platform-created index survives a clear, so it is not in the inventory.
    expect(repair.inventory.nonPlatformNvIndices).toEqual([]);
  });
});
