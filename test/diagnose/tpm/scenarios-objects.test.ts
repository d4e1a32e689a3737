/**
 * Objects left in the TPM, made with tpm2-tools on a provisioned swtpm (each state is undone
 * before the next test with tpm2-tools too):
 * - stale persistent objects and owner NV indices ("old information in the vault"): a warning whose
 *   remedy is NOT a clear;
 * - a transient object left loaded (tpm2_createprimary -c, no resource manager): restart;
 * - persistent space nearly full: reconfigure (and the objects filling it are stale too).
 */
import { describe, expect, it } from 'vitest';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';
import { diagnoseLive, ids, useTempDir } from './support.js';

const swtpm = useSwtpm({ provision: true });
const temp = useTempDir();

const STALE_KEY = '0x81000005';
const STALE_NV = '0x01500000';

describe('scenario: stale objects, leaked transients, persistent space', () => {
  it('a persistent key at 0x81000005 and an owner NV index are stale objects: warning, no clear', async () => {
    const i = swtpm.get();
    const ctx = temp.file('stale.ctx');
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', ctx]);
    await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', ctx, STALE_KEY]);
    await tpm2(i, ['tpm2_flushcontext', '-t']);
    await tpm2(i, ['tpm2_nvdefine', STALE_NV, '-C', 'o', '-s', '32', '-a', 'ownerread|ownerwrite']);

    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.stale-objects']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.remedy).toMatchObject({ step: 'none', destroysKeys: false });
    expect(f.blocksClear).toBeUndefined();
    // Exactly the two objects made above; the EKs (0x81010001, 0x81010016) and the platform-created
    // certificate indices are expected.
    expect(f.evidence.map((e) => e.field).sort()).toEqual([
      `owner NV index ${STALE_NV}`,
      `persistent object ${STALE_KEY}`,
    ]);
    expect(f.evidence.find((e) => e.field === `persistent object ${STALE_KEY}`)?.value).toMatch(
      /^ecc nist_p256, /,
    );
    expect(d.verdict).toMatchObject({
      status: 'warnings',
      nextStep: 'none',
      because: [],
      clearRecommended: false,
      clearBlockedBy: [],
    });

    await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', STALE_KEY]);
    await tpm2(i, ['tpm2_nvundefine', STALE_NV, '-C', 'o']);
    expect(ids(await diagnoseLive(i))).toEqual([]);
  });

  it('a transient object left loaded by tpm2_createprimary is a leak: restart', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', temp.file('leak.ctx')]);
    const loaded = (await tpm2(i, ['tpm2_getcap', 'handles-transient'])).stdout.trim();
    expect(loaded).toMatch(/^- 0x80/);

    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.transient-leak']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('warning');
    expect(f.evidence[0]).toEqual({
      source: 'tpm',
      field: 'loaded transient handles',
      value: loaded.replace(/^- /, '').toLowerCase(),
    });
    expect(d.verdict).toMatchObject({
      status: 'warnings',
      nextStep: 'restart',
      because: ['tpm.transient-leak'],
      clearRecommended: false,
    });

    await tpm2(i, ['tpm2_flushcontext', '-t']);
    expect(ids(await diagnoseLive(i))).toEqual([]);
  });

  it('persistent space nearly full (HR_PERSISTENT_AVAIL < 2): reconfigure, never a clear', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', temp.file('filler.ctx')]);
    // Use the loaded object by its handle: loading the context file again would load another copy each time.
    const loaded = /0x[0-9a-fA-F]+/.exec((await tpm2(i, ['tpm2_getcap', 'handles-transient'])).stdout)?.[0];
    expect(loaded).toBeDefined();
    const avail = async () => {
      const out = (await tpm2(i, ['tpm2_getcap', 'properties-variable'])).stdout;
      return Number(/TPM2_PT_HR_PERSISTENT_AVAIL: (0x[0-9a-fA-F]+|\d+)/.exec(out)?.[1]);
    };
    const handles: string[] = [];
    let left = await avail();
    // Persist the same primary again and again until one slot is left.
    for (let n = 0x81000100; left > 1; n++) {
      const handle = `0x${n.toString(16)}`;
      await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', loaded!, handle]);
      handles.push(handle);
      if (handles.length % 8 === 0 || left <= 3) left = await avail();
      else left -= 1;
    }
    left = await avail();
    await tpm2(i, ['tpm2_flushcontext', '-t']);
    expect(left).toBe(1);

    const d = await diagnoseLive(i);
    expect(ids(d)).toEqual(['tpm.persistent-space-low', 'tpm.stale-objects']);
    const low = d.findings.find((f) => f.id === 'tpm.persistent-space-low')!;
    expect(low.severity).toBe('warning');
    expect(low.evidence[0]).toEqual({ source: 'tpm', field: 'TPM_PT_HR_PERSISTENT_AVAIL', value: 1 });
    expect(low.remedy).toMatchObject({ step: 'reconfigure', destroysKeys: false });
    const stale = d.findings.find((f) => f.id === 'tpm.stale-objects')!;
    expect(stale.evidence).toHaveLength(handles.length);
    expect(d.verdict).toMatchObject({
      status: 'warnings',
      nextStep: 'reconfigure',
      because: ['tpm.persistent-space-low'],
      clearRecommended: false,
    });
  });
});
