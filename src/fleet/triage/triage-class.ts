/**
 * What `tpm-doctor fleet triage` says about each Windows device: one class (what is wrong and so
 * which remedy applies) and, for TPM problems, whether a clear would be safe. docs/triage.md
 * documents each class with the evidence behind it; the names are a contract for scripts, the JSON
 * report and campaign selection (FleetStore's TriageRow), so they are never renamed.
 *
 * The remedies follow the device-side ladder (src/diagnose/finding.ts, REMEDY_LADDER): wait →
 * restart → update → reconfigure → clear, safest first. A clear is never a class's remedy unless
 * the device itself (its Remediations evidence) or Intune's compliance data points at the TPM
 * and nothing cheaper explains the failure.
 */

export const TRIAGE_CLASSES = [
  'healthy',
  'sync-stale',
  'tpm-clear-candidate',
  'tpm-wait',
  'tpm-firmware',
  'tpm-absent',
  'secure-boot',
  'bitlocker',
  'attestation',
  'device-action',
  'non-compliant-other',
  'unknown',
] as const;
export type TriageClass = (typeof TRIAGE_CLASSES)[number];

export interface TriageClassInfo {
  /** A short title for tables, charts and the HTML legend. */
  title: string;
  /** The default remedy, in words an admin can follow. A device's own verdict may refine it. */
  remedy: string;
  /** True when an admin has something to do (every class but healthy). */
  needsAction: boolean;
}

export const TRIAGE_CLASS_INFO: Readonly<Record<TriageClass, TriageClassInfo>> = Object.freeze({
  healthy: {
    title: 'Healthy',
    remedy: 'Nothing to do.',
    needsAction: false,
  },
  'sync-stale': {
    title: 'Sync stale',
    // A device that has not checked in reports compliance from its last check-in; nothing else
    // Intune says about it can be trusted until it syncs (Intune: "Sync Windows devices manually").
    remedy: 'Sync the device (tpm-doctor fleet sync); if it does not check in, have the user sign in online.',
    needsAction: true,
  },
  'tpm-clear-candidate': {
    title: 'TPM: clear candidate',
    remedy:
      'Clear the TPM through the gated procedure (tpm-doctor clear on the device), only when clear safety is "safe".',
    needsAction: true,
  },
  'tpm-wait': {
    title: 'TPM: lockout (wait)',
    remedy:
      'Wait out the dictionary-attack lockout (or reset it with the lockout authorisation); do not clear.',
    needsAction: true,
  },
  'tpm-firmware': {
    title: 'TPM: firmware update',
    remedy:
      "Update the TPM firmware with the PC maker's update (suspend BitLocker first); do not clear first.",
    needsAction: true,
  },
  'tpm-absent': {
    title: 'TPM: not present',
    remedy: 'Intune sees no TPM: enable the TPM (PTT/fTPM) in the UEFI firmware setup; a clear cannot help.',
    needsAction: true,
  },
  'secure-boot': {
    title: 'Secure Boot off',
    remedy: 'Turn Secure Boot on in the UEFI firmware setup (a firmware setting, not the TPM), then restart.',
    needsAction: true,
  },
  bitlocker: {
    title: 'BitLocker off',
    remedy:
      'Enable BitLocker on the OS volume with a TPM protector and a recovery password escrowed to Entra ID.',
    needsAction: true,
  },
  attestation: {
    title: 'Attestation stale',
    // Device Health Attestation is evaluated at boot; a reboot and a sync send a fresh report
    // (Intune: "Device Health Attestation settings ... require a restart").
    remedy: 'Restart the device, then sync: a fresh health attestation report re-evaluates the setting.',
    needsAction: true,
  },
  'device-action': {
    title: 'Device diagnosis',
    remedy: "Follow the device's own diagnosis (its Remediations evidence): the step is in the reasons.",
    needsAction: true,
  },
  'non-compliant-other': {
    title: 'Non-compliant (not TPM)',
    remedy: 'Non-compliant for settings unrelated to the TPM: see the device in the Intune admin center.',
    needsAction: true,
  },
  unknown: {
    title: 'Unknown',
    remedy:
      'Not enough data to classify: collect evidence with the Remediations script, or look at the device.',
    needsAction: true,
  },
});

/**
 * Whether a TPM clear would be safe for a device:
 * - `safe`: a clear is the remedy, nothing on the device blocks it, and a BitLocker recovery key
 *   is escrowed in Entra ID for the device (matching the local RecoveryPassword protector when
 *   the device's evidence lists it);
 * - `blocked`: a clear is (or may be) the remedy but must not be done now (see the blockers);
 * - `not-the-remedy`: the device's problem is not fixed by a clear;
 * - `unknown`: a clear may be the remedy but the escrow could not be checked.
 */
export const CLEAR_SAFETIES = ['safe', 'blocked', 'not-the-remedy', 'unknown'] as const;
export type ClearSafety = (typeof CLEAR_SAFETIES)[number];

export const CLEAR_SAFETY_INFO: Readonly<Record<ClearSafety, { title: string }>> = Object.freeze({
  safe: { title: 'Safe to clear' },
  blocked: { title: 'Clear blocked' },
  'not-the-remedy': { title: 'Clear is not the remedy' },
  unknown: { title: 'Clear safety unknown' },
});

/**
 * Why a clear is blocked. `code` is a finding ID from the device's own diagnosis when the device
 * said so (tpm.lockout, tpm.clear-disabled, tpm.firmware-vulnerable, bitlocker.no-recovery-password,
 * ...: docs/findings.md), or one of ESCROW_BLOCKERS when Entra ID's escrow is the problem.
 */
export interface ClearBlocker {
  code: string;
  reason: string;
}

/**
 * The escrow rule of the preflight gate (Graph bitlockerRecoveryKey:
 * https://learn.microsoft.com/graph/api/bitlocker-list-recoverykeys): a clear is safe
 * only when the OS volume's recovery password can be fetched afterwards. An escrowed key's `id`
 * equals the local RecoveryPassword KeyProtectorId without braces.
 */
export const ESCROW_BLOCKERS = {
  missing: 'escrow.missing',
  notOsVolume: 'escrow.not-os-volume',
  mismatch: 'escrow.mismatch',
  noLocalRecoveryPassword: 'escrow.no-local-recovery-password',
} as const;

/**
 * What the escrow check found: `matched` (escrowed and equal to a local protector), `escrowed`
 * (an OS-volume key is escrowed; no local evidence to match against), `missing`, `mismatch`,
 * `lookup-failed` (Graph refused), `no-entra-id` (the device has no Entra device ID to look up),
 * `not-checked` (not looked up yet), `not-needed` (a clear is not the remedy).
 */
export type EscrowStatus =
  | 'matched'
  | 'escrowed'
  | 'missing'
  | 'mismatch'
  | 'lookup-failed'
  | 'no-entra-id'
  | 'not-checked'
  | 'not-needed';
