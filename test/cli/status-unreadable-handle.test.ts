/**
 * One persistent object the TPM will not describe must not hide the others: with the
 * endorsement hierarchy disabled (tpm2_hierarchycontrol), TPM2_ReadPublic of an EK fails with
 * TPM_RC_HANDLE (libtpms hides objects of a disabled hierarchy), but an owner key beside it is
 * still listed.
 */
import { describe, expect, it } from 'vitest';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { statusJson, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm({ provision: true });
const temp = useTempDir();

describe('an unreadable persistent object', () => {
  it('is reported on its own line while the others are still read', async () => {
    const i = swtpm.get();
    const ctx = temp.file('owner.ctx');
    await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', ctx]);
    await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', ctx, '0x81000001']);
    await tpm2(i, ['tpm2_flushcontext', '-t']);
    await tpm2(i, ['tpm2_hierarchycontrol', '-C', 'p', 'ehEnable', 'clear']);

    const { code, json } = await statusJson(i.uri);
    const objects = json.persistentObjects ?? [];
    const owner = objects.find((o) => o.handle === '0x81000001');
    const ek = objects.find((o) => o.handle === '0x81010001');
    expect(owner).toMatchObject({ error: null, type: 'ecc' });
    expect(ek?.error).toMatch(/TPM_RC_HANDLE/);
    expect(ek?.type).toBe('');
    // The section itself was read: no section-level error for it, and status still exits 0.
    expect(json.errors.filter((e) => e.section === 'persistentObjects')).toEqual([]);
    expect(code).toBe(0);
  });
});
