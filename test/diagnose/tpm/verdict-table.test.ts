/**
 * The verdict table: every combination of the states that need a clear (IsReadyInformation 0x900)
 * and the states that must hold a clear back (DA lockout, vulnerable firmware not yet updated,
 * disableClear, a pending restart) or come first on the ladder (a disabled hierarchy), plus noise
 * that must not change the decision (lockout counter high, stale objects, Secure Boot certificate
 * events). clearRecommended is true ONLY when the ladder reaches clear and nothing blocks it.
 */
import { describe, expect, it } from 'vitest';
import type { RemedyStep } from '../../../src/diagnose/finding.js';
import { REMEDY_LADDER } from '../../../src/diagnose/finding.js';
import {
  diagnoseTpm,
  getTpm,
  healthyStatus,
  healthyWindows,
  isReady,
  snapshot,
  withIdentity,
} from './support.js';

const FACTORS = [
  'reduced',
  'lockout',
  'roca',
  'disableClear',
  'restartPending',
  'hierarchy',
  'counterHigh',
  'stale',
  'secureBootEvents',
] as const;
type Factor = (typeof FACTORS)[number];

/** Which finding each blocking factor yields, and the rung it asks for. */
const BLOCKERS: Partial<Record<Factor, { id: string; step: RemedyStep }>> = {
  lockout: { id: 'tpm.lockout', step: 'wait' },
  roca: { id: 'tpm.firmware-vulnerable', step: 'update' },
  disableClear: { id: 'tpm.clear-disabled', step: 'reconfigure' },
  restartPending: { id: 'tpm.restart-pending', step: 'restart' },
};

function build(on: ReadonlySet<Factor>) {
  let tpm = healthyStatus();
  if (on.has('roca')) tpm = withIdentity(tpm, 'IFX', '7.61.2785.0');
  if (on.has('lockout')) tpm.dictionaryAttack = { ...tpm.dictionaryAttack!, inLockout: true, failedTries: 3 };
  else if (on.has('counterHigh')) tpm.dictionaryAttack = { ...tpm.dictionaryAttack!, failedTries: 2 };
  if (on.has('disableClear')) {
    tpm.permanent = {
      ...tpm.permanent!,
      value: '0x00000500',
      flags: { ...tpm.permanent!.flags, disableClear: true },
    };
  }
  if (on.has('hierarchy')) {
    tpm.startupClear = {
      ...tpm.startupClear!,
      value: '0x8000000d',
      flags: { ...tpm.startupClear!.flags, shEnable: false },
    };
  }
  if (on.has('stale')) {
    tpm.persistentObjects = [
      ...tpm.persistentObjects!,
      {
        ...tpm.persistentObjects![0]!,
        handle: '0x81000005',
        hierarchy: 'owner',
        attributes: 'fixedtpm|fixedparent|userwithauth|restricted|decrypt',
      },
    ];
  }
  const windows = healthyWindows({
    isReady: isReady(on.has('reduced') ? 0x900 : 0, true),
    getTpm: getTpm({ restartPending: on.has('restartPending') }),
    events: on.has('secureBootEvents')
      ? [1801, 1808].map((id) => ({
          log: 'System',
          provider: 'Microsoft-Windows-TPM-WMI',
          id,
          level: 'warning' as const,
          timeCreated: null,
          message: 'Secure Boot CA/keys need to be updated.',
        }))
      : null,
  });
  return snapshot(tpm, windows);
}

const combinations: Factor[][] = [];
for (let mask = 0; mask < 1 << FACTORS.length; mask++) {
  combinations.push(FACTORS.filter((_, i) => (mask & (1 << i)) !== 0));
}

describe('verdict table', () => {
  it(`${combinations.length} combinations: a clear is recommended only when 0x900 is present and nothing blocks or comes first`, () => {
    let recommended = 0;
    for (const combo of combinations) {
      const on = new Set(combo);
      const d = diagnoseTpm(build(on));
      const label = combo.join('+') || 'healthy';
      expect(d.ruleErrors, label).toEqual([]);

      const blockers = combo.flatMap((f) => (BLOCKERS[f] ? [BLOCKERS[f]!] : []));
      const expectClear = on.has('reduced') && blockers.length === 0 && !on.has('hierarchy');
      expect(d.verdict.clearRecommended, label).toBe(expectClear);
      // The next step is a clear exactly when a clear is recommended: never "clear, but blocked".
      expect(d.verdict.nextStep === 'clear', label).toBe(d.verdict.clearRecommended);
      expect(d.verdict.clearBlockedBy.map((b) => b.finding).sort(), label).toEqual(
        blockers.map((b) => b.id).sort(),
      );
      if (expectClear) recommended++;

      if (on.has('reduced') && !expectClear) {
        // The safest step is the lowest rung among what holds the clear back.
        const rungs = [
          ...blockers.map((b) => b.step),
          ...(on.has('hierarchy') ? (['restart'] as const) : []),
        ];
        const lowest = REMEDY_LADDER[Math.min(...rungs.map((s) => REMEDY_LADDER.indexOf(s)))];
        expect(d.verdict.nextStep, label).toBe(lowest);
      }
      // Only the clear destroys keys, and only tpm.reduced-functionality asks for it.
      for (const f of d.findings) {
        expect(f.remedy.destroysKeys, `${label}: ${f.id}`).toBe(f.remedy.step === 'clear');
        if (f.remedy.step === 'clear') expect(f.id).toBe('tpm.reduced-functionality');
      }
      // Secure Boot certificate events never produce a tpm.* finding.
      if (on.has('secureBootEvents')) {
        expect(
          diagnoseTpm(build(new Set(combo.filter((f) => f !== 'secureBootEvents')))).findings,
          label,
        ).toEqual(d.findings);
      }
    }
    // 0x900 with only noise: counterHigh x stale x secureBootEvents = 8 combinations.
    expect(recommended).toBe(8);
  });

  it('noise alone (counter high, stale objects, Secure Boot events) never asks for more than wait, and never a clear', () => {
    const d = diagnoseTpm(build(new Set<Factor>(['counterHigh', 'stale', 'secureBootEvents'])));
    expect(d.findings.map((f) => f.id).sort()).toEqual(['tpm.lockout-counter-high', 'tpm.stale-objects']);
    expect(d.verdict).toMatchObject({ status: 'warnings', nextStep: 'wait', clearRecommended: false });
  });
});
