import type { TpmStatus } from './tpm-status.js';

/**
 * The few answers an admin knows from Windows' Get-Tpm (TpmPresent, TpmReady, TpmEnabled,
 * TpmOwned, LockedOut, and whether a clear is allowed), derived from what the TPM itself reports.
 * Each is null when the facts it rests on could not be read: never guessed.
 *
 * Sources: TPMA_PERMANENT (ownerAuthSet, disableClear, inLockout) and TPMA_STARTUP_CLEAR
 * (shEnable, ehEnable), TPM 2.0 Library Part 2 §8.6-8.7; Get-Tpm's fields,
 * https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpm
 */
export interface TpmSummary {
  present: boolean | null;
  /**
   * Usable as a TPM here: started, self test passed, storage and endorsement hierarchies enabled,
   * not in lockout. Windows' TpmReady also needs Windows' own provisioning, which only Windows
   * evidence shows.
   */
  ready: boolean | null;
  /** The storage and endorsement hierarchies are enabled (shEnable and ehEnable). */
  enabled: boolean | null;
  /** An owner authorisation value is set (ownerAuthSet). */
  ownerAuthSet: boolean | null;
  lockedOut: boolean | null;
  /** TPM2_Clear is not disabled (disableClear clear). */
  clearAllowed: boolean | null;
}

export function summarizeTpm(s: TpmStatus): TpmSummary {
  // Only a missing device says "no TPM"; a TPM that did not answer may well be there.
  const present = s.present === true ? true : s.errors.some((e) => e.code === 'TPM_ABSENT') ? false : null;
  const permanent = s.permanent?.flags;
  const startupClear = s.startupClear?.flags;
  const enabled =
    startupClear?.shEnable === undefined || startupClear.ehEnable === undefined
      ? null
      : startupClear.shEnable && startupClear.ehEnable;
  const lockedOut = permanent?.inLockout ?? s.dictionaryAttack?.inLockout ?? null;
  const selfTestPassed = s.selfTest === null ? null : s.selfTest.ok;
  return {
    present,
    ready: allOf([present, s.started, selfTestPassed, enabled, lockedOut === null ? null : !lockedOut]),
    enabled,
    ownerAuthSet: permanent?.ownerAuthSet ?? null,
    lockedOut,
    clearAllowed: permanent?.disableClear === undefined ? null : !permanent.disableClear,
  };
}

/** True when every fact is true, false when one is false, else null (something is unknown). */
function allOf(facts: Array<boolean | null>): boolean | null {
  if (facts.includes(false)) return false;
  return facts.includes(null) ? null : true;
}
