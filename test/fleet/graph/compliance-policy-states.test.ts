/**
 * Calls 14 and 15 (docs/graph-calls.md) through the real IntuneClient against the lab tenant over
 * HTTP: a device's compliance policy states with their setting states, and assigning a
 * Remediations package to a group; and what triage makes of the policy states.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GraphError } from '../../../src/fleet/graph/graph-error.js';
import type { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import { complianceDetailReasons } from '../../../src/fleet/triage/compliance-detail.js';
import { triageFleet } from '../../../src/fleet/triage/triage.js';
import type { TriageResult } from '../../../src/fleet/triage/triage-result.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { labIntune } from '../../support/lab-graph.js';

let lab: LabTenant;
let intune: IntuneClient;

beforeAll(async () => {
  lab = await startLabTenant({ devices: 400, seed: 3, omitRetryAfterRate: 0 });
  intune = labIntune(lab);
});
afterAll(async () => {
  await lab?.close();
});

function indexOfCondition(condition: string): number {
  for (let i = 0; i < lab.devices.size; i++) if (lab.devices.condition(i) === condition) return i;
  throw new Error(`the lab seeded no ${condition} device`);
}

describe('compliancePolicyStates (call 14)', () => {
  test('a device needing a clear fails TpmRequired; a healthy one fails nothing; an unknown id is a per-id 404', async () => {
    const broken = lab.views.managedDevice(indexOfCondition('tpm-needs-clear')).id;
    const healthy = lab.views.managedDevice(indexOfCondition('healthy')).id;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const answers = await intune.compliancePolicyStates([broken, healthy, unknown]);

    const brokenStates = answers.get(broken);
    expect(brokenStates?.ok).toBe(true);
    const settings = brokenStates?.ok ? brokenStates.value.flatMap((p) => p.settingStates) : [];
    expect(settings.find((s) => s.setting === 'Windows10CompliancePolicy.TpmRequired')?.state).toBe(
      'nonCompliant',
    );

    const healthyStates = answers.get(healthy);
    expect(healthyStates?.ok).toBe(true);
    const healthySettings = healthyStates?.ok ? healthyStates.value.flatMap((p) => p.settingStates) : [];
    expect(healthySettings.length).toBeGreaterThan(0);
    expect(healthySettings.every((s) => s.state === 'compliant')).toBe(true);

    const missing = answers.get(unknown);
    expect(missing?.ok).toBe(false);
    expect(missing && !missing.ok ? missing.status : 0).toBe(404);
  });

  test('complianceDetailReasons names the policy, the error code and the value for failing settings only', () => {
    const lines = complianceDetailReasons(
      {
        ok: true,
        value: [
          {
            id: 'p1',
            displayName: 'Windows baseline',
            state: 'nonCompliant',
            settingStates: [
              {
                setting: 'Windows10CompliancePolicy.TpmRequired',
                settingName: 'Require TPM',
                state: 'nonCompliant',
                errorCode: -2016281112,
                errorDescription: null,
                currentValue: 'false',
              },
              {
                setting: 'Windows10CompliancePolicy.SecureBootEnabled',
                settingName: 'Secure Boot',
                state: 'compliant',
                errorCode: 0,
                errorDescription: null,
                currentValue: 'true',
              },
            ],
          },
        ],
      },
      ['Windows10CompliancePolicy.TpmRequired', 'Windows10CompliancePolicy.SecureBootEnabled'],
    );
    expect(lines).toEqual([
      'Windows10CompliancePolicy.TpmRequired: nonCompliant in policy "Windows baseline", error -2016281112, device reports "false"',
    ]);
    expect(
      complianceDetailReasons({ ok: false, status: 403, code: 'Forbidden', message: 'no' }, ['x']),
    ).toEqual(['compliance policy states not read: Forbidden']);
    expect(complianceDetailReasons(undefined, ['x'])).toEqual([]);
  });

  test('triage adds the policy detail to the reasons of devices failing a TPM setting', async () => {
    const results: TriageResult[] = [];
    await triageFleet(intune, { onResult: (r) => void results.push(r) });
    const clearCandidates = results.filter((r) => r.class === 'tpm-clear-candidate');
    expect(clearCandidates.length).toBeGreaterThan(0);
    for (const r of clearCandidates) {
      expect(
        r.reasons.some((line) => /TpmRequired: nonCompliant in policy ".+", error -2016281112/.test(line)),
      ).toBe(true);
    }
    const healthy = results.filter((r) => r.class === 'healthy');
    expect(healthy.every((r) => r.reasons.every((line) => !line.includes('in policy')))).toBe(true);
  });
});

describe('assignHealthScript (call 15)', () => {
  test('assigns a package that exists, and a missing one is a 404 GraphError', async () => {
    const script = await intune.findHealthScript('tpm-doctor evidence');
    expect(script).toBeDefined();
    await expect(
      intune.assignHealthScript(script?.id as string, '11111111-2222-4333-8444-555555555555'),
    ).resolves.toBeUndefined();
    const missing = intune.assignHealthScript(
      '00000000-0000-4000-8000-000000000000',
      '11111111-2222-4333-8444-555555555555',
    );
    await expect(missing).rejects.toBeInstanceOf(GraphError);
    await expect(missing).rejects.toMatchObject({ status: 404 });
  });
});
