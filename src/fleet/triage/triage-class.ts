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

import { EN } from '../../text/messages/en.js';

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
    title: EN['triage.class.healthy'],
    remedy: EN['triage.remedy.healthy'],
    needsAction: false,
  },
  'sync-stale': {
    title: EN['triage.class.sync-stale'],
    // A device that has not checked in reports compliance from its last check-in; nothing else
    // Intune says about it can be trusted until it syncs (Intune: "Sync Windows devices manually").
    remedy: EN['triage.remedy.sync-stale'],
    needsAction: true,
  },
  'tpm-clear-candidate': {
    title: EN['triage.class.tpm-clear-candidate'],
    remedy: EN['triage.remedy.tpm-clear-candidate'],
    needsAction: true,
  },
  'tpm-wait': {
    title: EN['triage.class.tpm-wait'],
    remedy: EN['triage.remedy.tpm-wait'],
    needsAction: true,
  },
  'tpm-firmware': {
    title: EN['triage.class.tpm-firmware'],
    remedy: EN['triage.remedy.tpm-firmware'],
    needsAction: true,
  },
  'tpm-absent': {
    title: EN['triage.class.tpm-absent'],
    remedy: EN['triage.remedy.tpm-absent'],
    needsAction: true,
  },
  'secure-boot': {
    title: EN['triage.class.secure-boot'],
    remedy: EN['triage.remedy.secure-boot'],
    needsAction: true,
  },
  bitlocker: {
    title: EN['triage.class.bitlocker'],
    remedy: EN['triage.remedy.bitlocker'],
    needsAction: true,
  },
  attestation: {
    title: EN['triage.class.attestation'],
    // Device Health Attestation is evaluated at boot; a reboot and a sync send a fresh report
    // (Intune: "Device Health Attestation settings ... require a restart").
    remedy: EN['triage.remedy.attestation'],
    needsAction: true,
  },
  'device-action': {
    title: EN['triage.class.device-action'],
    remedy: EN['triage.remedy.device-action'],
    needsAction: true,
  },
  'non-compliant-other': {
    title: EN['triage.class.non-compliant-other'],
    remedy: EN['triage.remedy.non-compliant-other'],
    needsAction: true,
  },
  unknown: {
    title: EN['triage.class.unknown'],
    remedy: EN['triage.remedy.unknown'],
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
