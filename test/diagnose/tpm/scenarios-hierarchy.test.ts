/**
 * Hierarchy states made with tpm2-tools on a provisioned swtpm:
 * - disableClear (tpm2_clearcontrol -C l s): info on its own, it blocks a clear; the TPM really
 *   refuses TPM2_Clear (0x120), and only platform authorisation lifts it;
 * - storage / endorsement hierarchy disabled (tpm2_hierarchycontrol -C p ... clear): restart, and a
 *   power cycle (TPM2_Startup(CLEAR)) does bring it back.
 */
import { describe, expect, it } from 'vitest';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';
import { diagnoseLive, ids, powerCycle } from './support.js';

const swtpm = useSwtpm({ provision: true });

describe('scenario: clear disabled and hierarchies disabled', () => {
  it('disableClear: tpm.clear-disabled (info, reconfigure) blocks a clear; TPM2_Clear really fails with 0x120', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_clearcontrol', '-C', 'l', 's']);
    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.clear-disabled']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('info');
    expect(f.evidence).toEqual([
      { source: 'tpm', field: 'TPMA_PERMANENT.disableClear', value: true },
      { source: 'tpm', field: 'TPM_PT_PERMANENT', value: '0x00000500' },
    ]);
    expect(f.remedy).toMatchObject({ step: 'reconfigure', destroysKeys: false });
    expect(f.blocksClear).toMatch(/disableClear/);
    // Info only: nothing to do on a working device, but the block is on record.
    expect(d.verdict).toMatchObject({ status: 'healthy', nextStep: 'none', clearRecommended: false });
    expect(d.verdict.clearBlockedBy.map((b) => b.finding)).toEqual(['tpm.clear-disabled']);

    const clear = await tpm2(i, ['tpm2_clear', '-c', 'l'], { allowFailure: true });
    expect(clear.code).not.toBe(0);
    expect(clear.stderr).toMatch(/0x120/);

    await tpm2(i, ['tpm2_clearcontrol', '-C', 'p', 'c']);
    expect(ids(await diagnoseLive(i))).toEqual([]);
  });

  it('storage and endorsement hierarchies disabled: tpm.hierarchy-disabled, restart', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_hierarchycontrol', '-C', 'p', 'shEnable', 'clear']);
    let d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.hierarchy-disabled']);
    expect(d.findings[0]!.title).toBe('The TPM storage hierarchy is disabled');
    expect(d.findings[0]!.evidence.slice(0, 2)).toEqual([
      { source: 'tpm', field: 'TPMA_STARTUP_CLEAR.shEnable', value: false },
      { source: 'tpm', field: 'TPM_PT_STARTUP_CLEAR', value: '0x8000000d' },
    ]);
    // libtpms refuses TPM2_ReadPublic on the persistent EKs meanwhile (tpm2-tools agrees: 0x18b); they are
    // cited as unreadable, and tpm.stale-objects gives them the benefit of the doubt.
    const tool = await tpm2(i, ['tpm2_readpublic', '-c', '0x81010001'], { allowFailure: true });
    expect(tool.stderr).toMatch(/0x18b/i);
    expect(d.findings[0]!.evidence.slice(2).map((e) => e.field)).toEqual([
      'persistent object 0x81010001',
      'persistent object 0x81010016',
    ]);
    expect(d.findings[0]!.evidence[2]!.value).toMatch(/^unreadable: TPM2_ReadPublic: TPM_RC_HANDLE/);

    await tpm2(i, ['tpm2_hierarchycontrol', '-C', 'p', 'ehEnable', 'clear']);
    d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.hierarchy-disabled']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.title).toBe('The TPM storage and endorsement hierarchy is disabled');
    expect(f.impacts).toContain('bitlocker');
    expect(f.impacts).toContain('attestation');
    expect(f.remedy).toMatchObject({ step: 'restart', destroysKeys: false });
    expect(f.blocksClear).toBeUndefined();
    expect(d.verdict).toMatchObject({
      status: 'errors',
      nextStep: 'restart',
      because: ['tpm.hierarchy-disabled'],
      clearRecommended: false,
    });
  });

  it('the restart remedy works: after a power cycle (TPM2_Startup(CLEAR)) the hierarchies are enabled again', async () => {
    const i = swtpm.get();
    await powerCycle(i);
    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual([]);
    expect(d.verdict.status).toBe('healthy');
  });
});
