import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import { classifyDevice, detailsMatter } from '../../../src/fleet/triage/classify-device.js';
import { diagnoseEvidence, readDeviceEvidence } from '../../../src/fleet/triage/device-evidence.js';
import { readEvidenceBundle } from '../../../src/probe/windows/evidence-bundle.js';
import {
  BITLOCKER,
  CODE_INTEGRITY,
  details,
  device,
  failing,
  keys,
  NOW,
  SECURE_BOOT,
  TPM_REQUIRED,
} from './fixtures.js';

const COMPACT = 'test/fixtures/synthetic/windows/compact';
/** Health attestation of a TPM that cannot sign its report (no attestation identity key). */
const NOT_ATTESTING = { attestationIdentityKey: 'disabled' };
/** The 0x900 device's OS volume RecoveryPassword protector (fixture README). */
const PROTECTOR_0x900 = '93F1B7D2-0E4C-4A68-B5D9-2C7E1A3F8B06';

describe('classifyDevice from Intune data', () => {
  test('a compliant, recently synced device is healthy and needs no per-device request', () => {
    const input = { device: device(), failingSettings: [] };
    const r = classifyDevice(input, NOW);
    expect(r).toMatchObject({
      class: 'healthy',
      clearSafety: 'not-the-remedy',
      escrow: 'not-needed',
      reasons: [],
    });
    expect(detailsMatter(input, NOW)).toBe(false);
  });

  test('a device silent for more than 7 days is sync-stale, whatever its settings say', () => {
    const d = device({ lastSyncDateTime: '2024-05-01T00:00:00Z', complianceState: 'noncompliant' });
    const r = classifyDevice({ device: d, failingSettings: [failing(d.id, TPM_REQUIRED)] }, NOW);
    expect(r.class).toBe('sync-stale');
    expect(r.reasons[0]).toMatch(/Last sync 19 days ago .*more than 7.*TpmRequired/);
    expect(detailsMatter({ device: d, failingSettings: [failing(d.id, TPM_REQUIRED)] }, NOW)).toBe(false);
  });

  test('the threshold is an option, and "never synced" (0001-01-01) is stale', () => {
    const d = device({ lastSyncDateTime: '2024-05-15T00:00:00Z' });
    expect(classifyDevice({ device: d, failingSettings: [] }, NOW).class).toBe('healthy');
    expect(
      classifyDevice({ device: d, failingSettings: [] }, NOW, {
        staleSyncDays: 3,
        attestationStaleDays: 7,
        evidenceMaxAgeDays: 14,
      }).class,
    ).toBe('sync-stale');
    const never = classifyDevice(
      { device: device({ lastSyncDateTime: '0001-01-01T00:00:00Z' }), failingSettings: [] },
      NOW,
    );
    expect(never).toMatchObject({ class: 'sync-stale', lastSync: null });
  });

  test('non-compliant for other settings only is non-compliant-other; unevaluated is unknown', () => {
    expect(
      classifyDevice({ device: device({ complianceState: 'noncompliant' }), failingSettings: [] }, NOW).class,
    ).toBe('non-compliant-other');
    expect(
      classifyDevice({ device: device({ complianceState: 'unknown' }), failingSettings: [] }, NOW).class,
    ).toBe('unknown');
  });

  test('TpmRequired failing with a TPM that does not attest is a clear candidate; safety comes from escrow', () => {
    const d = device({ complianceState: 'noncompliant' });
    const base = {
      device: d,
      failingSettings: [failing(d.id, TPM_REQUIRED)],
      details: details({ dha: NOT_ATTESTING }),
    };
    expect(detailsMatter({ device: d, failingSettings: base.failingSettings }, NOW)).toBe(true);

    const notChecked = classifyDevice(base, NOW);
    expect(notChecked).toMatchObject({
      class: 'tpm-clear-candidate',
      clearSafety: 'unknown',
      escrow: 'not-checked',
    });

    // Escrowed but with no device evidence to match it against: never called safe (a guess).
    const escrowedOnly = classifyDevice(
      { ...base, recoveryKeys: keys('5E2B9D14-8C3A-4F71-B0E6-A9D2C4F81B37') },
      NOW,
    );
    expect(escrowedOnly).toMatchObject({ clearSafety: 'unknown', escrow: 'escrowed', clearBlockedBy: [] });
    expect(escrowedOnly.remedy).toMatch(/fleet remediate/);

    const none = classifyDevice({ ...base, recoveryKeys: keys() }, NOW);
    expect(none).toMatchObject({ clearSafety: 'blocked', escrow: 'missing' });
    expect(none.clearBlockedBy.map((b) => b.code)).toEqual(['escrow.missing']);

    const dataOnly = classifyDevice(
      {
        ...base,
        recoveryKeys: {
          ok: true,
          value: [{ id: 'k', createdDateTime: 'x', volumeType: '2', deviceId: 'x' }],
        },
      },
      NOW,
    );
    expect(dataOnly.clearBlockedBy.map((b) => b.code)).toEqual(['escrow.not-os-volume']);

    const refused = classifyDevice(
      {
        ...base,
        recoveryKeys: {
          ok: false,
          status: 403,
          code: 'Authorization_RequestDenied',
          message: 'Insufficient privileges',
        },
      },
      NOW,
    );
    expect(refused).toMatchObject({ clearSafety: 'unknown', escrow: 'lookup-failed' });
    expect(refused.reasons.join(' ')).toContain('403 Authorization_RequestDenied');
  });

  test('a device without an Entra device ID cannot be checked for escrow: unknown, never safe', () => {
    const d = device({
      azureADDeviceId: '00000000-0000-0000-0000-000000000000',
      complianceState: 'noncompliant',
    });
    const r = classifyDevice(
      { device: d, failingSettings: [failing(d.id, TPM_REQUIRED)], details: details({ dha: NOT_ATTESTING }) },
      NOW,
    );
    expect(r).toMatchObject({ class: 'tpm-clear-candidate', clearSafety: 'unknown', escrow: 'no-entra-id' });
  });

  test('TpmRequired failing while a current attestation reports the TPM is a stale result: attestation', () => {
    const d = device({ complianceState: 'noncompliant' });
    const r = classifyDevice(
      { device: d, failingSettings: [failing(d.id, TPM_REQUIRED)], details: details() },
      NOW,
    );
    expect(r).toMatchObject({ class: 'attestation', clearSafety: 'not-the-remedy' });
  });

  test('a TPM without an attestation identity key does not attest: clear candidate', () => {
    const d = device({ complianceState: 'noncompliant' });
    const fs = [failing(d.id, TPM_REQUIRED)];
    const noAik = classifyDevice(
      { device: d, failingSettings: fs, details: details({ dha: { attestationIdentityKey: 'disabled' } }) },
      NOW,
    );
    expect(noAik).toMatchObject({ class: 'tpm-clear-candidate' });
    const unhealthy = classifyDevice(
      {
        device: d,
        failingSettings: fs,
        details: details({ dha: { deviceHealthAttestationStatus: 'unhealthy' } }),
      },
      NOW,
    );
    expect(unhealthy.class).toBe('tpm-clear-candidate');
  });

  test('a health report issued long ago is stale: attestation (restart, then sync), for every DHA setting', () => {
    const d = device({ complianceState: 'noncompliant' });
    const old = details({
      dha: {
        issuedDateTime: '2024-04-01T00:00:00Z',
        secureBoot: 'disabled',
        bitLockerStatus: 'disabled',
        codeIntegrity: 'disabled',
      },
    });
    for (const setting of [TPM_REQUIRED, SECURE_BOOT, BITLOCKER, CODE_INTEGRITY]) {
      const r = classifyDevice(
        {
          device: device({ ...d, isEncrypted: false }),
          failingSettings: [failing(d.id, setting)],
          details: old,
        },
        NOW,
      );
      expect(r.class, setting).toBe('attestation');
      expect(r.reasons[0]).toMatch(/issued 2024-04-01T00:00:00Z, more than 7 days ago/);
    }
  });

  test('no TPM reported anywhere is tpm-absent; vulnerable firmware is tpm-firmware, never a clear', () => {
    const d = device({ complianceState: 'noncompliant' });
    const fs = [failing(d.id, TPM_REQUIRED)];
    const absent = classifyDevice(
      {
        device: d,
        failingSettings: fs,
        details: details({
          hw: { tpmSpecificationVersion: null, tpmVersion: null, tpmManufacturer: null },
          dha: { tpmVersion: null },
        }),
      },
      NOW,
    );
    expect(absent).toMatchObject({ class: 'tpm-absent', clearSafety: 'not-the-remedy' });
    const roca = classifyDevice(
      {
        device: d,
        failingSettings: fs,
        details: details({ hw: { tpmManufacturer: 'IFX', tpmVersion: '7.61.2785.0' }, dha: null }),
      },
      NOW,
    );
    expect(roca).toMatchObject({ class: 'tpm-firmware', clearSafety: 'not-the-remedy' });
    expect(roca.reasons.join(' ')).toMatch(/ROCA \(fixed in 7\.62\)/);
    // A spec version in tpmVersion is never read as firmware.
    const spec = classifyDevice(
      {
        device: d,
        failingSettings: fs,
        details: details({ hw: { tpmManufacturer: 'IFX', tpmVersion: '2.0' }, dha: NOT_ATTESTING }),
      },
      NOW,
    );
    expect(spec.class).toBe('tpm-clear-candidate');
  });

  test('TpmRequired in error (not evaluated) is never a clear candidate', () => {
    const d = device({ complianceState: 'error' });
    const r = classifyDevice(
      { device: d, failingSettings: [failing(d.id, TPM_REQUIRED, 'error')], details: details({ dha: null }) },
      NOW,
    );
    expect(r).toMatchObject({ class: 'unknown', clearSafety: 'not-the-remedy' });
  });

  test('TpmRequired without details is unknown (the details decide it)', () => {
    const d = device({ complianceState: 'noncompliant' });
    const r = classifyDevice(
      {
        device: d,
        failingSettings: [failing(d.id, TPM_REQUIRED)],
        details: { ok: false, status: 404, code: 'ResourceNotFound', message: 'gone' },
      },
      NOW,
    );
    expect(r.class).toBe('unknown');
    expect(r.reasons[0]).toContain('404 ResourceNotFound');
  });

  test('Secure Boot off is secure-boot; a fresh report saying enabled is a stale result', () => {
    const d = device({ complianceState: 'noncompliant' });
    const fs = [failing(d.id, SECURE_BOOT)];
    expect(
      classifyDevice(
        { device: d, failingSettings: fs, details: details({ dha: { secureBoot: 'disabled' } }) },
        NOW,
      ).class,
    ).toBe('secure-boot');
    expect(classifyDevice({ device: d, failingSettings: fs, details: details() }, NOW).class).toBe(
      'attestation',
    );
  });

  test('BitLocker off is bitlocker; encrypted but failing is attestation (DHA needs a reboot)', () => {
    const off = device({ complianceState: 'noncompliant', isEncrypted: false });
    const fs = [failing(off.id, BITLOCKER)];
    expect(
      classifyDevice(
        { device: off, failingSettings: fs, details: details({ dha: { bitLockerStatus: 'disabled' } }) },
        NOW,
      ).class,
    ).toBe('bitlocker');
    const on = device({ complianceState: 'noncompliant', isEncrypted: true });
    expect(
      classifyDevice(
        { device: on, failingSettings: fs, details: details({ dha: { bitLockerStatus: 'disabled' } }) },
        NOW,
      ).class,
    ).toBe('attestation');
  });

  test('code integrity off is not the TPM', () => {
    const d = device({ complianceState: 'noncompliant' });
    const r = classifyDevice(
      {
        device: d,
        failingSettings: [failing(d.id, CODE_INTEGRITY)],
        details: details({ dha: { codeIntegrity: 'disabled' } }),
      },
      NOW,
    );
    expect(r.class).toBe('non-compliant-other');
  });

  test('with several failing settings the root cause wins: firmware before the clear, the clear before BitLocker', () => {
    const d = device({ complianceState: 'noncompliant', isEncrypted: false });
    const r = classifyDevice(
      {
        device: d,
        failingSettings: [failing(d.id, BITLOCKER), failing(d.id, TPM_REQUIRED)],
        details: details({ dha: NOT_ATTESTING }),
      },
      NOW,
    );
    expect(r.class).toBe('tpm-clear-candidate');
    expect(r.failingSettings).toEqual([BITLOCKER, TPM_REQUIRED]);
  });
});

describe('classifyDevice from Remediations evidence: the same verdict as diagnose', () => {
  const compact0x900 = readFileSync(`${COMPACT}/reduced-functionality-0x900.json`, 'utf8');
  const compactLockout = readFileSync(`${COMPACT}/lockout-trimmed.txt`, 'utf8');

  test('the 0x900 device: diagnose says clear; triage says clear candidate, safe only with the matching escrowed key', async () => {
    const windows = await readEvidenceBundle(`${COMPACT}/reduced-functionality-0x900.json`);
    const deviceView = diagnose({
      schema: 'tpm-doctor/snapshot/v1',
      takenAt: NOW.toISOString(),
      tpm: null,
      windows,
    });
    expect(deviceView.verdict.nextStep).toBe('clear');

    const evidence = readDeviceEvidence(compact0x900, 'md-0900', NOW);
    expect(evidence.verdict).toEqual(deviceView.verdict);
    expect(evidence.findings.map((f) => f.id)).toEqual(deviceView.findings.map((f) => f.id));

    // A stale sync does not hide what the device itself says.
    const d = device({
      id: 'md-0900',
      lastSyncDateTime: '2024-05-13T23:10:02Z',
      complianceState: 'noncompliant',
    });
    const base = { device: d, failingSettings: [failing(d.id, TPM_REQUIRED)], evidence };
    expect(detailsMatter(base, NOW)).toBe(false);
    const matched = classifyDevice({ ...base, recoveryKeys: keys(`{${PROTECTOR_0x900}}`) }, NOW);
    expect(matched).toMatchObject({ class: 'tpm-clear-candidate', clearSafety: 'safe', escrow: 'matched' });
    expect(matched.remedy).toBe(deviceView.verdict.action);
    expect(matched.findings).toContain('tpm.reduced-functionality');
    expect(matched.evidenceAt).toBe('2024-05-15T00:40:21.100Z');

    const other = classifyDevice(
      { ...base, recoveryKeys: keys('5E2B9D14-8C3A-4F71-B0E6-A9D2C4F81B37') },
      NOW,
    );
    expect(other).toMatchObject({ clearSafety: 'blocked', escrow: 'mismatch' });
    expect(other.clearBlockedBy.map((b) => b.code)).toEqual(['escrow.mismatch']);
  });

  test('the 0x900 device whose lockout state is unknown: never "safe", even with the matching escrowed key', () => {
    const compact = JSON.parse(compact0x900) as { tpm: Record<string, unknown>; tt?: unknown[] };
    delete compact.tpm.lo;
    delete compact.tt;
    const evidence = readDeviceEvidence(JSON.stringify(compact), 'md-0900', NOW);
    expect(evidence.verdict.unknown.map((u) => u.fact)).toContain('tpm-lockout');
    expect(evidence.verdict.clearRecommended).toBe(false);
    const d = device({ id: 'md-0900', complianceState: 'noncompliant' });
    const r = classifyDevice(
      {
        device: d,
        failingSettings: [failing(d.id, TPM_REQUIRED)],
        evidence,
        recoveryKeys: keys(`{${PROTECTOR_0x900}}`),
      },
      NOW,
    );
    expect(r.clearSafety).not.toBe('safe');
  });

  test('the lockout device: diagnose says wait; triage says tpm-wait and never proposes a clear', () => {
    const evidence = readDeviceEvidence(compactLockout, 'md-lock', NOW);
    expect(evidence.verdict.nextStep).toBe('wait');
    const d = device({ id: 'md-lock', complianceState: 'noncompliant' });
    const r = classifyDevice(
      { device: d, failingSettings: [failing(d.id, TPM_REQUIRED, 'error')], evidence, recoveryKeys: keys() },
      NOW,
    );
    expect(r).toMatchObject({ class: 'tpm-wait', clearSafety: 'not-the-remedy' });
    expect(r.findings).toContain('tpm.lockout');
  });

  test('a clear that is needed but blocked by a lockout: tpm-wait, clear blocked by tpm.lockout', () => {
    const evidence = readDeviceEvidence(compactLockout, 'md-lock', NOW);
    const needsClear = {
      ...evidence,
      findings: [
        ...evidence.findings,
        { id: 'tpm.reduced-functionality', step: 'clear' as const, blocksClear: null },
      ],
    };
    const d = device({ id: 'md-lock' });
    const r = classifyDevice(
      {
        device: d,
        failingSettings: [],
        evidence: needsClear,
        recoveryKeys: keys('A1C3E5F7-2B4D-4E6F-8A0C-1E3F5A7C9B2D'),
      },
      NOW,
    );
    expect(r).toMatchObject({ class: 'tpm-wait', clearSafety: 'blocked', escrow: 'matched' });
    expect(r.clearBlockedBy.map((b) => b.code)).toContain('tpm.lockout');
  });

  test.each([
    ['bitlocker-no-recovery-password', 'bitlocker'],
    ['entra-key-unusable-0x80090016', 'device-action'],
    ['autopilot-0x81039001', 'attestation'],
  ])('the %s bundle maps to %s, with the verdict as the remedy', async (name, cls) => {
    const evidence = diagnoseEvidence(
      await readEvidenceBundle(`test/fixtures/synthetic/windows/${name}`),
      NOW,
    );
    const r = classifyDevice(
      { device: device({ complianceState: 'noncompliant' }), failingSettings: [], evidence },
      NOW,
    );
    expect(r.class).toBe(cls);
    expect(r.remedy).toBe(evidence.verdict.action);
    expect(r.clearSafety).toBe('not-the-remedy');
  });

  test('a healthy device verdict lets Intune data decide, and a TPM it finds healthy is not cleared', async () => {
    const evidence = diagnoseEvidence(
      await readEvidenceBundle('test/fixtures/synthetic/windows/healthy'),
      NOW,
    );
    expect(classifyDevice({ device: device(), failingSettings: [], evidence }, NOW).class).toBe('healthy');
    const d = device({ complianceState: 'noncompliant' });
    const r = classifyDevice(
      {
        device: d,
        failingSettings: [failing(d.id, TPM_REQUIRED)],
        details: details({ dha: null }),
        evidence,
      },
      NOW,
    );
    expect(r.class).toBe('attestation');
  });

  test('unusable or old evidence is said so and ignored', () => {
    const bad = classifyDevice(
      { device: device(), failingSettings: [], evidence: { error: 'expected compact evidence' } },
      NOW,
    );
    expect(bad.class).toBe('healthy');
    expect(bad.reasons[0]).toMatch(/evidence unusable: expected compact evidence/);
    const evidence = readDeviceEvidence(compactLockout, 'md-lock', new Date('2024-07-01T00:00:00Z'));
    const old = classifyDevice(
      { device: device({ lastSyncDateTime: '2024-06-30T00:00:00Z' }), failingSettings: [], evidence },
      new Date('2024-07-01T00:00:00Z'),
    );
    expect(old.class).toBe('healthy');
    expect(old.reasons.join(' ')).toMatch(/older than 14 days/);
    // Undated evidence could be of any age: never used, so it can never make a clear safe.
    const undated = classifyDevice(
      { device: device(), failingSettings: [], evidence: { ...evidence, collectedAt: null } },
      new Date('2024-07-01T00:00:00Z'),
    );
    expect(undated.evidenceAt).toBeNull();
    expect(undated.reasons.join(' ')).toMatch(/carries no collection time and was not used/);
    // Evidence from the future never grows old: not trusted (the same evidence dated now is).
    const future = classifyDevice(
      {
        device: device(),
        failingSettings: [],
        evidence: { ...evidence, collectedAt: '2099-01-01T00:00:00Z' },
      },
      new Date('2024-07-01T00:00:00Z'),
    );
    expect(future.evidenceAt).toBeNull();
    expect(future.reasons.join(' ')).toMatch(
      /dated 2099-01-01T00:00:00Z, after this triage's time .*not used/,
    );
    const notADate = classifyDevice(
      { device: device(), failingSettings: [], evidence: { ...evidence, collectedAt: 'yesterday' } },
      new Date('2024-07-01T00:00:00Z'),
    );
    expect(notADate.evidenceAt).toBeNull();
    // Within a day ahead (a device clock in the wrong time zone), evidence is still used.
    const aheadHours = classifyDevice(
      {
        device: device(),
        failingSettings: [],
        evidence: { ...evidence, collectedAt: '2024-07-01T13:00:00Z' },
      },
      new Date('2024-07-01T00:00:00Z'),
    );
    expect(aheadHours.evidenceAt).toBe('2024-07-01T13:00:00Z');
  });

  test('output that is not our evidence fails with what was expected', () => {
    expect(() => readDeviceEvidence('Access is denied.', 'md-x', NOW)).toThrow(
      /expected compact evidence .*"tpmdoctor":"evidence\/compact\/v1"/,
    );
    expect(() => readDeviceEvidence('{"tpmdoctor":"evidence/compact/v1","at":', 'md-x', NOW)).toThrow(
      /not valid JSON \(cut short\?\)/,
    );
  });
});
