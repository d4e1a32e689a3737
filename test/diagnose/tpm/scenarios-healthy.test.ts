/**
 * A freshly provisioned swtpm (EK certificates, platform certificate, like a real PC) is healthy:
 * no tpm.* finding at all, verdict healthy. Setting owner, endorsement and lockout authorisation
 * values with tpm2_changeauth changes nothing: Windows 10 1607+ sets the owner authorisation to a
 * random value and discards it (Microsoft Learn, "Change the TPM owner password"), so ownerAuthSet
 * is the NORMAL state of a Windows-managed TPM, and a clear goes through lockout authorisation or
 * the firmware PPI, not owner authorisation. It is deliberately not a finding.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';
import { diagnoseLive, diagnoseTpm, ids, probeSnapshot } from './support.js';

const swtpm = useSwtpm({ provision: true });

describe('scenario: healthy provisioned TPM', () => {
  it('gives no finding and a healthy verdict', async () => {
    const d = await diagnoseLive(swtpm.get());
    expect(ids(d)).toEqual([]);
    expect(d.ruleErrors).toEqual([]);
    expect(d.verdict).toEqual({
      status: 'healthy',
      nextStep: 'none',
      action: 'Nothing to do: the TPM is healthy.',
      because: [],
      clearRecommended: false,
      clearBlockedBy: [],
      unknown: [],
    });
  });

  it('gives no tpm.* finding with every rule of the product either', async () => {
    const d = diagnose(await probeSnapshot(swtpm.get()));
    expect(d.findings.filter((f) => f.id.startsWith('tpm.'))).toEqual([]);
  });

  it('owner, endorsement and lockout auth set (tpm2_changeauth) yield no finding', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_changeauth', '-c', 'o', 'owner-x']);
    await tpm2(i, ['tpm2_changeauth', '-c', 'e', 'endorsement-x']);
    await tpm2(i, ['tpm2_changeauth', '-c', 'l', 'lockout-x']);
    const snapshot = await probeSnapshot(i);
    expect(snapshot.tpm?.permanent?.flags).toMatchObject({
      ownerAuthSet: true,
      endorsementAuthSet: true,
      lockoutAuthSet: true,
    });
    const d = diagnoseTpm(snapshot);
    expect(ids(d)).toEqual([]);
    expect(d.verdict).toMatchObject({ status: 'healthy', nextStep: 'none', clearRecommended: false });
  });
});
