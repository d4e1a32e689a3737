/**
 * A TPM without EK certificates: a swtpm that swtpm_setup never provisioned (no certificate in NV,
 * no persistent EK). Its manufacturer (IBM) does not keep certificates online, so this is a
 * warning whose remedy is the maker (update), never a clear.
 */
import { describe, expect, it } from 'vitest';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';
import { diagnoseLive, ids } from './support.js';

const swtpm = useSwtpm();

describe('scenario: no EK certificate', () => {
  it('a non-provisioned TPM: tpm.ek-cert-missing (warning, update), nothing else', async () => {
    const i = swtpm.get();
    expect((await tpm2(i, ['tpm2_getcap', 'handles-nv-index'])).stdout.trim()).toBe('');
    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.ek-cert-missing']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.evidence).toEqual([
      { source: 'tpm', field: 'EK certificates in NV (0x01c00000-0x01c07fff)', value: 0 },
      { source: 'tpm', field: 'TPM_PT_MANUFACTURER', value: 'IBM' },
    ]);
    expect(f.remedy).toMatchObject({ step: 'update', destroysKeys: false });
    expect(f.remedy.action).toContain('A clear does not create one');
    expect(f.impacts).toEqual(['attestation', 'compliance']);
    expect(d.verdict).toMatchObject({
      status: 'warnings',
      nextStep: 'update',
      because: ['tpm.ek-cert-missing'],
      clearRecommended: false,
    });
  });
});
