/**
 * PCR banks and startup, made with tpm2-tools and swtpm's control channel on a provisioned swtpm:
 * - a power cycle without TPM2_Startup (TPM_RC_INITIALIZE): tpm.not-ready, restart;
 * - the SHA-256 bank deallocated (tpm2_pcrallocate sha1:all+sha256:none, effective at the next
 *   TPM reset): tpm.sha256-bank-missing, reconfigure.
 */
import { describe, expect, it } from 'vitest';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';
import { diagnoseLive, ids, powerCycle } from './support.js';

const swtpm = useSwtpm({ provision: true });

describe('scenario: TPM not started, SHA-256 bank deallocated', () => {
  it('reset and never started: tpm.not-ready with TPM_RC_INITIALIZE evidence, restart', async () => {
    const i = swtpm.get();
    await powerCycle(i, { startup: false });
    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.not-ready']);
    const f = d.findings[0]!;
    expect(f.title).toBe('The TPM has not been started');
    expect(f.evidence).toEqual([{ source: 'tpm', field: 'started', value: 'false (TPM_RC_INITIALIZE)' }]);
    expect(d.verdict).toMatchObject({ status: 'errors', nextStep: 'restart', clearRecommended: false });
    await tpm2(i, ['tpm2_startup', '-c']);
    expect(ids(await diagnoseLive(i))).toEqual([]);
  });

  it('SHA-256 bank deallocated and the TPM reset: tpm.sha256-bank-missing, reconfigure', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_pcrallocate', 'sha1:all+sha256:none']);
    // The allocation takes effect at the next TPM reset (Part 3 §22.5).
    expect(ids(await diagnoseLive(i))).toEqual([]);
    await powerCycle(i);
    const banks = (await tpm2(i, ['tpm2_getcap', 'pcrs'])).stdout;
    expect(banks).toMatch(/sha1: \[ 0, 1, 2/);
    expect(banks).toMatch(/sha256: \[\s*\]/);

    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.sha256-bank-missing']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.evidence).toEqual([{ source: 'tpm', field: 'allocated PCR banks', value: 'sha1 (24 PCRs)' }]);
    expect(f.remedy.step).toBe('reconfigure');
    expect(f.remedy.action).toMatch(/^Suspend BitLocker first/);
    expect(d.verdict).toMatchObject({ status: 'warnings', nextStep: 'reconfigure', clearRecommended: false });
  });
});
