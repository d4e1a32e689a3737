/**
 * What Graph's values mean, checked against Microsoft's examples and metadata
 * (test/contract/graph/): triage reads deviceHealthAttestationState as the CSDL types it (a
 * non-nullable issuedDateTime whose default means "never attested", a free-text
 * lastUpdateDateTime, strings with no published vocabulary), and complianceState as its enum.
 */
import { describe, expect, it } from 'vitest';
import type {
  DeviceHealthAttestationState,
  HardwareInformation,
  ManagedDeviceDetails,
} from '../../src/fleet/graph/graph-types.js';
import { GRAPH_DEFAULT_DATE } from '../../src/fleet/graph/graph-types.js';
import type { Result } from '../../src/fleet/graph/intune-api.js';
import { classifyDevice } from '../../src/fleet/triage/classify-device.js';
import { device, failing, NOW, SECURE_BOOT, TPM_REQUIRED } from '../fleet/triage/fixtures.js';
import { contract, metadata } from './graph/contract-fixtures.js';

const example = (contract('managed-device-get-beta') as { value: Record<string, unknown> }).value;
const exampleDha = example.deviceHealthAttestationState as DeviceHealthAttestationState;
const exampleHw = example.hardwareInformation as HardwareInformation;

function detailsWith(dha: Partial<DeviceHealthAttestationState>): Result<ManagedDeviceDetails> {
  return {
    ok: true,
    value: {
      id: 'md-0001',
      hardwareInformation: exampleHw,
      deviceHealthAttestationState: { ...exampleDha, ...dha },
    },
  };
}

const tpmFailing = (dha: Partial<DeviceHealthAttestationState>) => {
  const d = device({ complianceState: 'noncompliant' });
  return classifyDevice(
    { device: d, failingSettings: [failing(d.id, TPM_REQUIRED)], details: detailsWith(dha) },
    NOW,
  );
};

describe('deviceHealthAttestationState as the CSDL types it', () => {
  it('the metadata: issuedDateTime non-nullable DateTimeOffset, lastUpdateDateTime a string, tpmVersion nullable', () => {
    const dha = metadata.v1.deviceHealthAttestationState!;
    expect(dha.issuedDateTime).toEqual({ type: 'Edm.DateTimeOffset', nullable: false });
    expect(dha.lastUpdateDateTime).toEqual({ type: 'Edm.String', nullable: true });
    expect(dha.tpmVersion).toEqual({ type: 'Edm.String', nullable: true });
  });

  it("Microsoft's example values (no published vocabulary) are unknown: never a clear candidate", () => {
    const r = tpmFailing({});
    expect(r.class).toBe('unknown');
    expect(r.clearSafety).not.toBe('safe');
    expect(r.reasons.join(' ')).toMatch(
      /gives no verdict \(unrecognised attestationIdentityKey Attestation Identity Key value/,
    );
  });

  it('a device that never attested (null tpmVersion, default issuedDateTime) is unknown, not a clear candidate and not stale', () => {
    const never = tpmFailing({
      tpmVersion: null,
      attestationIdentityKey: null,
      deviceHealthAttestationStatus: null,
      issuedDateTime: GRAPH_DEFAULT_DATE,
      lastUpdateDateTime: null,
    });
    expect(never.class).toBe('unknown');
    expect(never.reasons.join(' ')).toMatch(/never sent a health attestation report/);
    // A DHA-evaluated setting on a never-attested device: the default date is "never", not "long ago".
    const d = device({ complianceState: 'noncompliant' });
    const secureBoot = classifyDevice(
      {
        device: d,
        failingSettings: [failing(d.id, SECURE_BOOT)],
        details: detailsWith({ tpmVersion: null, issuedDateTime: GRAPH_DEFAULT_DATE, secureBoot: null }),
      },
      NOW,
    );
    expect(secureBoot.reasons.join(' ')).not.toMatch(/0001-01-01|issued .* days ago/);
  });

  it('no attestation state at all (null) is unknown too: no data is never a clear on a guess', () => {
    const d = device({ complianceState: 'noncompliant' });
    const r = classifyDevice(
      {
        device: d,
        failingSettings: [failing(d.id, TPM_REQUIRED)],
        details: {
          ok: true,
          value: { id: d.id, hardwareInformation: exampleHw, deviceHealthAttestationState: null },
        },
      },
      NOW,
    );
    expect(r.class).toBe('unknown');
    expect(r.reasons.join(' ')).toMatch(/no health attestation state/);
  });

  it('a null tpmVersion with a real report date is unknown too', () => {
    const r = tpmFailing({ tpmVersion: null, issuedDateTime: '2024-05-19T08:00:00Z' });
    expect(r.class).toBe('unknown');
    expect(r.reasons.join(' ')).toMatch(/names no TPM version/);
  });

  it('lastUpdateDateTime is free text: the example\'s "Last Update Date Time value" is never read as a date', () => {
    const r = tpmFailing({
      tpmVersion: '2.0',
      attestationIdentityKey: 'enabled',
      deviceHealthAttestationStatus: 'healthy',
      issuedDateTime: '2024-05-19T08:00:00Z',
    });
    expect(r.class).toBe('attestation');
    const old = tpmFailing({
      tpmVersion: '2.0',
      attestationIdentityKey: 'enabled',
      deviceHealthAttestationStatus: 'healthy',
      issuedDateTime: GRAPH_DEFAULT_DATE,
      lastUpdateDateTime: '2020-01-01T00:00:00Z',
    });
    // Not stale by lastUpdateDateTime: only issuedDateTime dates a report.
    expect(old.reasons.join(' ')).not.toMatch(/issued 2020/);
  });

  it('only the listed values are compared: "disabled"/"unhealthy" fail, other strings are unknown', () => {
    expect(
      tpmFailing({
        tpmVersion: '2.0',
        attestationIdentityKey: 'disabled',
        deviceHealthAttestationStatus: null,
      }).class,
    ).toBe('tpm-clear-candidate');
    expect(
      tpmFailing({
        tpmVersion: '2.0',
        attestationIdentityKey: null,
        deviceHealthAttestationStatus: 'unhealthy',
      }).class,
    ).toBe('tpm-clear-candidate');
    // The old regex read any status containing "fail" or "error" as a failure: no longer.
    expect(
      tpmFailing({
        tpmVersion: '2.0',
        attestationIdentityKey: 'enabled',
        deviceHealthAttestationStatus: 'errorCodeNone',
      }).class,
    ).toBe('unknown');
  });
});

describe('complianceState as the v1.0 enum defines it', () => {
  it('configManager means Configuration Manager evaluates compliance, not "not evaluated yet"', () => {
    expect(metadata.v1Enums.complianceState).toContain('configManager');
    const r = classifyDevice(
      { device: device({ complianceState: 'configManager' }), failingSettings: [] },
      NOW,
    );
    expect(r.class).toBe('unknown');
    expect(r.reasons.join(' ')).toMatch(/Configuration Manager evaluates this device's compliance/);
    expect(r.reasons.join(' ')).not.toMatch(/has not evaluated/);
  });
});
