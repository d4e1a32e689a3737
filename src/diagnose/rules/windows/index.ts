import type { Rule } from '../../rule.js';
import { autopilotAttestationFailed } from './autopilot-attestation-failed.js';
import { bitlockerNoRecoveryPassword } from './bitlocker-no-recovery-password.js';
import { bitlockerNotRead } from './bitlocker-not-read.js';
import { bitlockerRecoveryBackupFailed } from './bitlocker-recovery-backup-failed.js';
import { bitlockerSuspended } from './bitlocker-suspended.js';
import { bitlockerTpmProtectorMissing } from './bitlocker-tpm-protector-missing.js';
import { entraDeviceKeyNotInTpm } from './entra-device-key-not-in-tpm.js';
import { entraDeviceKeyUnusable } from './entra-device-key-unusable.js';
import { entraNoPrt } from './entra-no-prt.js';
import { helloNotProvisioned } from './hello-not-provisioned.js';
import { mdmNotEnrolled } from './mdm-not-enrolled.js';
import { mdmSyncFailing } from './mdm-sync-failing.js';
import { securebootCaUpdatePending } from './secureboot-ca-update-pending.js';

/**
 * Rules whose findings are entra.*, hello.*, bitlocker.*, mdm.*, autopilot.*, secureboot.* (one per
 * file; docs/findings.md documents each ID). Shared readings live in signals.ts, evidence.ts,
 * bitlocker-volumes.ts; redact.ts keeps secrets out of every finding.
 */
export const WINDOWS_RULES: readonly Rule[] = [
  entraDeviceKeyUnusable,
  entraDeviceKeyNotInTpm,
  entraNoPrt,
  helloNotProvisioned,
  bitlockerNoRecoveryPassword,
  bitlockerNotRead,
  bitlockerRecoveryBackupFailed,
  bitlockerTpmProtectorMissing,
  bitlockerSuspended,
  mdmNotEnrolled,
  mdmSyncFailing,
  autopilotAttestationFailed,
  securebootCaUpdatePending,
];
