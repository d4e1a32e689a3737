/** The plan's refusals: each is a sentence when the rule refuses, undefined when it does not. */
import { describe, expect, it } from 'vitest';
import { lockoutValueRefusal } from '../../src/plan/lockout-value-refusal.js';
import { ppiTargetRefusal } from '../../src/plan/ppi-target-refusal.js';
import { unfinishedRunRefusal } from '../../src/plan/unfinished-run-refusal.js';

describe('lockoutValueRefusal', () => {
  it('refuses a lockout value for a TPM that has none set', () => {
    expect(lockoutValueRefusal({ method: 'lockout', lockoutAuth: 'x', lockoutAuthSet: false })).toMatch(
      /no lockout authorization value set/,
    );
  });
  it('never names the value it refuses', () => {
    const refusal = lockoutValueRefusal({
      method: 'lockout',
      lockoutAuth: 'not-the-value',
      lockoutAuthSet: false,
    });
    expect(refusal).not.toMatch(/not-the-value/);
  });
  it('lets an empty value, a TPM with a value set, an unread flag, or another method through', () => {
    expect(
      lockoutValueRefusal({ method: 'lockout', lockoutAuth: '', lockoutAuthSet: false }),
    ).toBeUndefined();
    expect(
      lockoutValueRefusal({ method: 'lockout', lockoutAuth: 'x', lockoutAuthSet: true }),
    ).toBeUndefined();
    expect(
      lockoutValueRefusal({ method: 'lockout', lockoutAuth: 'x', lockoutAuthSet: undefined }),
    ).toBeUndefined();
    expect(
      lockoutValueRefusal({ method: 'platform', lockoutAuth: 'x', lockoutAuthSet: false }),
    ).toBeUndefined();
    expect(lockoutValueRefusal({ method: 'ppi', lockoutAuth: 'x', lockoutAuthSet: false })).toBeUndefined();
  });
});

describe('unfinishedRunRefusal', () => {
  it('refuses a new clear while a run is unfinished, naming it and both ways out', () => {
    const refusal = unfinishedRunRefusal(['run-stuck'], { dryRun: false });
    expect(refusal).toMatch(/run-stuck is not finished/);
    expect(refusal).toMatch(/tpm-doctor resume/);
    expect(refusal).toMatch(/tpm-doctor abandon RUN-ID/);
    expect(unfinishedRunRefusal(['a', 'b'], { dryRun: false })).toMatch(/^run a, b is not finished/);
  });
  it('a dry run, or no unfinished run, is not refused', () => {
    expect(unfinishedRunRefusal(['run-stuck'], { dryRun: true })).toBeUndefined();
    expect(unfinishedRunRefusal([], { dryRun: false })).toBeUndefined();
  });
});

describe('ppiTargetRefusal', () => {
  it('refuses a PPI clear of a lab TPM: it has no firmware', () => {
    expect(ppiTargetRefusal('ppi', { uri: 'swtpm://127.0.0.1:1', lab: ['healthy'] })).toMatch(
      /--method platform/,
    );
  });
  it('a PPI clear of a real TPM, or another method on a lab TPM, is not refused', () => {
    expect(ppiTargetRefusal('ppi', { uri: 'device:/dev/tpmrm0', lab: null })).toBeUndefined();
    expect(ppiTargetRefusal('platform', { uri: 'swtpm://127.0.0.1:1', lab: ['healthy'] })).toBeUndefined();
  });
});
