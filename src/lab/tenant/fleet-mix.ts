import type { TpmRelatedSetting } from '../../fleet/graph/graph-types.js';

/**
 * The states a lab device is seeded in, and how many of each a fleet holds. docs/lab-tenant.md
 * describes each one: what Graph shows, what evidence the device reports, and what fixes it.
 */
export const LAB_CONDITIONS = [
  'healthy',
  'tpm-needs-clear',
  'tpm-needs-clear-no-escrow',
  'tpm-lockout',
  'tpm-vulnerable-firmware',
  'secure-boot-off',
  'bitlocker-off',
  'sync-stale',
  'attestation-stale',
  'stays-broken',
] as const;
export type LabCondition = (typeof LAB_CONDITIONS)[number];

/**
 * The seeded share of each condition (sums to 1): about 95% healthy, the rest spread so that a
 * 5,000-device fleet has a few dozen of each. Each device draws its condition from its own seeded
 * stream, so the counts are close to, not exactly, these shares; /lab/info reports the real counts.
 */
export const DEFAULT_MIX: Readonly<Record<LabCondition, number>> = Object.freeze({
  healthy: 0.95,
  'tpm-needs-clear': 0.01,
  'tpm-needs-clear-no-escrow': 0.004,
  'tpm-lockout': 0.004,
  'tpm-vulnerable-firmware': 0.004,
  'secure-boot-off': 0.004,
  'bitlocker-off': 0.004,
  'sync-stale': 0.008,
  'attestation-stale': 0.008,
  'stays-broken': 0.004,
});

/** Intune's "compliance status validity period" setting: a device silent this long is non-compliant. */
const REQUIRE_REMAIN_CONTACT = 'DefaultDeviceCompliancePolicy.RequireRemainContact';

/** Every setting the lab answers setting-state summaries for. */
export type LabSetting = TpmRelatedSetting | typeof REQUIRE_REMAIN_CONTACT;

/**
 * The compliance settings a device in each condition fails until it is fixed, and how Intune
 * reports them: TpmRequired and the settings Device Health Attestation evaluates (BitLockerEnabled,
 * SecureBootEnabled, CodeIntegrityEnabled) of windows10CompliancePolicy
 * (https://learn.microsoft.com/graph/api/resources/intune-deviceconfig-windows10compliancepolicy,
 * docs/triage.md). A lockout makes attestation fail with an error rather than a verdict.
 */
export const FAILING_SETTINGS: Readonly<
  Record<LabCondition, readonly { setting: LabSetting; state: 'nonCompliant' | 'error' }[]>
> = Object.freeze({
  healthy: [],
  'tpm-needs-clear': [{ setting: 'Windows10CompliancePolicy.TpmRequired', state: 'nonCompliant' }],
  'tpm-needs-clear-no-escrow': [{ setting: 'Windows10CompliancePolicy.TpmRequired', state: 'nonCompliant' }],
  'tpm-lockout': [{ setting: 'Windows10CompliancePolicy.TpmRequired', state: 'error' }],
  'tpm-vulnerable-firmware': [{ setting: 'Windows10CompliancePolicy.TpmRequired', state: 'nonCompliant' }],
  'secure-boot-off': [{ setting: 'Windows10CompliancePolicy.SecureBootEnabled', state: 'nonCompliant' }],
  'bitlocker-off': [
    { setting: 'Windows10CompliancePolicy.BitLockerEnabled', state: 'nonCompliant' },
    { setting: 'Windows10CompliancePolicy.StorageRequireEncryption', state: 'nonCompliant' },
  ],
  'sync-stale': [{ setting: REQUIRE_REMAIN_CONTACT, state: 'nonCompliant' }],
  'attestation-stale': [
    { setting: 'Windows10CompliancePolicy.BitLockerEnabled', state: 'nonCompliant' },
    { setting: 'Windows10CompliancePolicy.SecureBootEnabled', state: 'nonCompliant' },
    { setting: 'Windows10CompliancePolicy.CodeIntegrityEnabled', state: 'nonCompliant' },
  ],
  'stays-broken': [{ setting: 'Windows10CompliancePolicy.TpmRequired', state: 'nonCompliant' }],
});

/** Every setting the lab has a setting-state summary for. */
export const LAB_SETTINGS: readonly LabSetting[] = Object.freeze([
  'Windows10CompliancePolicy.TpmRequired',
  'Windows10CompliancePolicy.BitLockerEnabled',
  'Windows10CompliancePolicy.SecureBootEnabled',
  'Windows10CompliancePolicy.CodeIntegrityEnabled',
  'Windows10CompliancePolicy.StorageRequireEncryption',
  REQUIRE_REMAIN_CONTACT,
]);

export function isLabSetting(value: string): value is LabSetting {
  return (LAB_SETTINGS as readonly string[]).includes(value);
}
