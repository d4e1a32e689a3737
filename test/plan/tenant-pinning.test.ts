/** Tenant pinning: a campaign acts only on its own tenant's triage and resumes only there. */
import { describe, expect, it } from 'vitest';
import { tenantPinRefusal } from '../../src/plan/tenant-pinning.js';

const triage = { kind: 'triage', id: 3 } as const;
const campaign = { kind: 'campaign', id: 'c-1' } as const;
const contoso = 'https://graph.microsoft.com tenant contoso.onmicrosoft.com';
const managed = 'https://graph.microsoft.com tenant (managed identity)';
const A = '11111111-1111-1111-1111-111111111111';
const B = '22222222-2222-2222-2222-222222222222';

describe('tenantPinRefusal', () => {
  it('the same tenant may act: same key, or the same display when a side has no key', () => {
    expect(
      tenantPinRefusal(triage, { display: contoso, key: A }, { display: contoso, key: A }),
    ).toBeUndefined();
    expect(tenantPinRefusal(triage, { display: contoso }, { display: contoso, key: A })).toBeUndefined();
    expect(tenantPinRefusal(campaign, { display: contoso, key: A }, { display: contoso })).toBeUndefined();
  });

  it('before sign-in, or against a record of an older build, the display strings decide as before', () => {
    expect(tenantPinRefusal(triage, { display: 'LAB tenant http://127.0.0.1:1' }, { display: contoso })).toBe(
      `triage run 3 is of LAB tenant http://127.0.0.1:1, not of ${contoso}: a campaign acts only on devices triaged in its own tenant`,
    );
    expect(
      tenantPinRefusal(campaign, { display: 'LAB tenant http://127.0.0.1:1', key: A }, { display: contoso }),
    ).toBe(
      `campaign c-1 runs in LAB tenant http://127.0.0.1:1, not in ${contoso}: give the connection options it was created with`,
    );
  });

  it('with managed identity every tenant reads the same: the keys tell them apart, and the message names them', () => {
    const refusal = tenantPinRefusal(triage, { display: managed, key: A }, { display: managed, key: B });
    expect(refusal).toBe(
      `triage run 3 is of ${managed} [tenant ${A}], not of ${managed} [tenant ${B}]: a campaign acts only on devices triaged in its own tenant`,
    );
    expect(tenantPinRefusal(campaign, { display: managed, key: A }, { display: managed, key: B })).toMatch(
      /^campaign c-1 runs in .* \[tenant 1{8}-.*\], not in .* \[tenant 2{8}-.*\]/,
    );
  });

  it('once both keys are known, the key decides even if the flags named the tenant differently', () => {
    const byGuid = `https://graph.microsoft.com tenant ${A}`;
    expect(
      tenantPinRefusal(triage, { display: contoso, key: A }, { display: byGuid, key: A }),
    ).toBeUndefined();
    expect(tenantPinRefusal(triage, { display: contoso, key: A }, { display: contoso, key: B })).toMatch(
      /is of .*, not of .*: a campaign acts only on devices triaged in its own tenant/,
    );
  });
});
