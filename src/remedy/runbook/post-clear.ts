/**
 * The runbook after a TPM clear, in order (docs/clear.md):
 * the restart and the firmware prompt → TPM ready and owned again → BitLocker protecting with a
 * new TPM protector → signed in, Entra healthy → the new recovery password escrowed → synced with
 * Intune → compliant → Windows Hello PIN set up again.
 *
 * The escrow comes after Entra, not before it: BackupToAAD-BitLockerKeyProtector
 * authenticates as the device, and the device's key lived in the TPM that was just cleared; it is
 * usable again only once the user's sign-in has re-registered it (KeySignTest PASSED in dsregcmd /status:
 * https://learn.microsoft.com/en-us/entra/identity/devices/troubleshoot-device-dsregcmd).
 */
import type { RunbookStep } from './step.js';
import { bitlockerProtectedStep } from './steps/bitlocker-protected.js';
import { compliantStep } from './steps/compliant.js';
import { entraHealthyStep } from './steps/entra-healthy.js';
import { helloPinStep } from './steps/hello-pin.js';
import { mdmSyncedStep } from './steps/mdm-synced.js';
import { rebootCompleteStep } from './steps/reboot-complete.js';
import { recoveryKeyEscrowedStep } from './steps/recovery-key-escrowed.js';
import { tpmReadyStep } from './steps/tpm-ready.js';

export function postClearRunbook(): RunbookStep[] {
  return [
    rebootCompleteStep(),
    tpmReadyStep(),
    bitlockerProtectedStep(),
    entraHealthyStep(),
    recoveryKeyEscrowedStep(),
    mdmSyncedStep(),
    compliantStep(),
    helloPinStep(),
  ];
}
