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
import { entraPrtStep } from './steps/entra-prt.js';
import { helloPinStep } from './steps/hello-pin.js';
import { mdmSyncedStep } from './steps/mdm-synced.js';
import { rebootCompleteStep } from './steps/reboot-complete.js';
import { recoveryKeyEscrowedStep } from './steps/recovery-key-escrowed.js';
import { tpmReadyStep } from './steps/tpm-ready.js';

/**
 * Who runs the runbook (session.ts): 'interactive', a person at the device (elevated, signed in:
 * every step); 'system', the boot task as SYSTEM, which cannot see the user's facts and leaves
 * the steps that need them to the user's part (userRunbookSteps) instead of waiting for them.
 */
export type RunbookSession = 'interactive' | 'system';

export function postClearRunbook(session: RunbookSession = 'interactive'): RunbookStep[] {
  if (session === 'system') {
    return [
      rebootCompleteStep(),
      tpmReadyStep(),
      bitlockerProtectedStep(),
      entraHealthyStep({ prtLeftToUser: true }),
      recoveryKeyEscrowedStep(),
      mdmSyncedStep(),
      compliantStep(),
      helloPinStep(),
    ].filter((step) => step.context !== 'user');
  }
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

/**
 * The signed-in user's part, run at logon by the user's own task (`tpm-doctor resume --user-steps`,
 * src/remedy/platform/user-task-definition.ts): the steps whose facts only their session shows.
 */
export function userRunbookSteps(): RunbookStep[] {
  return [entraPrtStep(), helloPinStep()];
}

/** The steps a session's runbook leaves to another (AdvanceOptions.leftToOthers): SYSTEM leaves the user's. */
export function leftToUserPart(session: RunbookSession): string[] {
  return session === 'system' ? userRunbookSteps().map((s) => s.id) : [];
}
