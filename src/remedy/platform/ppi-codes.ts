/**
 * The numbers of the ACPI Physical Presence Interface (TCG PC Client Platform Physical Presence
 * Interface Specification 1.3) and what each means to the person at the machine. The same numbers
 * come back through Linux sysfs (drivers/char/tpm/tpm_ppi.c) and Windows Win32_Tpm
 * (https://learn.microsoft.com/windows/win32/secprov/setphysicalpresencerequest-win32-tpm), so both
 * platforms explain them here.
 */

/**
 * Operation 5, "Clear" (EDK2 TcgPhysicalPresence.h TCG2_PHYSICAL_PRESENCE_CLEAR).
 */
export const PPI_CLEAR = 5;

/**
 * Operation 14, "Enable + Clear" (EDK2 TCG2_PHYSICAL_PRESENCE_ENABLE_CLEAR; Win32_Tpm calls it
 * "clear, enable and activate"). tpm-doctor asks for 14 by default: EDK2's TPM 2.0 firmware runs
 * the same TPM2_Clear for 5, 14, 21 and 22 (SecurityPkg DxeTcg2PhysicalPresenceLib,
 * Tcg2ExecutePhysicalPresence), while on a TPM 1.2 a plain clear (5) leaves the TPM disabled and
 * deactivated, and 14 brings it back enabled and active in the same boot. Microsoft's
 * SetPhysicalPresenceRequest doc names 5 or 14 for TPM 2.0 and 22 as legacy.
 * Firmware that implements only 5 says so in tcg_operations, and then 5 is used.
 */
export const PPI_ENABLE_CLEAR = 14;

export type ClearOperation = typeof PPI_CLEAR | typeof PPI_ENABLE_CLEAR;

/** PPI GetPlatformActionToTransitionToPreOS (function 4); Win32_Tpm.GetPhysicalPresenceTransition. */
export type TransitionAction = 'none' | 'shutdown' | 'reboot' | 'os-vendor-specific' | 'error';

export interface Transition {
  code: number;
  action: TransitionAction;
  /** What the person must do for the firmware to see the request. */
  instruction: string;
}

/**
 * What the person must do when the firmware does not say which transition it needs: the call
 * failed, or Win32_Tpm answered 3, which Microsoft documents as "The required user action is
 * unknown" (https://learn.microsoft.com/windows/win32/secprov/getphysicalpresencetransition-win32-tpm).
 * A full shutdown and power-on is the one that serves both: the firmware acts on a pending
 * request in the boot that follows either (EDK2 SecurityPkg Tcg2PhysicalPresenceLib,
 * Tcg2PhysicalPresenceLibProcessRequest, runs on every boot), while a warm restart does not reach
 * a firmware that asked for a shutdown (docs/clear.md, "The firmware's transition").
 */
export const UNKNOWN_TRANSITION_INSTRUCTION =
  'The firmware did not say whether it needs a restart or a full shutdown: shut the machine down completely and power it on again (that serves both); the firmware then asks to confirm the TPM clear.';

export function transitionOf(code: number): Transition {
  switch (code) {
    case 0:
      return {
        code,
        action: 'none',
        instruction: 'The firmware needs no restart to act on the request (unusual for a clear).',
      };
    case 1:
      return {
        code,
        action: 'shutdown',
        instruction:
          'Shut the machine down completely and power it on again (a restart is not enough); the firmware then asks to confirm the TPM clear.',
      };
    case 2:
      return {
        code,
        action: 'reboot',
        instruction: 'Restart the machine; the firmware then asks to confirm the TPM clear (e.g. press F12).',
      };
    case 3:
      return {
        code,
        action: 'os-vendor-specific',
        // PPI: "OS Vendor-specific"; Win32_Tpm documents 3 as "the required user action is unknown".
        instruction: UNKNOWN_TRANSITION_INSTRUCTION,
      };
    default:
      return {
        code,
        action: 'error',
        instruction: `The firmware reported transition ${code}, which the PPI specification does not define. ${UNKNOWN_TRANSITION_INSTRUCTION}`,
      };
  }
}

/** PPI GetUserConfirmationStatusForOperation (function 8), as Linux prints it in tcg_operations. */
export type OperationSupport =
  | 'not-implemented'
  | 'bios-only'
  | 'blocked-by-firmware'
  | 'user-required'
  | 'user-not-required';

const SUPPORT_BY_CODE: readonly OperationSupport[] = [
  'not-implemented',
  'bios-only',
  'blocked-by-firmware',
  'user-required',
  'user-not-required',
];

export function operationSupportOf(code: number): OperationSupport | undefined {
  return SUPPORT_BY_CODE[code];
}

/** Why an operation cannot be requested from the OS, or undefined when it can. */
export function refusalFor(operation: number, support: OperationSupport): string | undefined {
  switch (support) {
    case 'not-implemented':
      return `The firmware does not implement physical-presence operation ${operation}.`;
    case 'bios-only':
      return `The firmware allows operation ${operation} only from its own setup screen: restart into the firmware setup (UEFI/BIOS) and clear the TPM there, or use the lockout-authorised clear.`;
    case 'blocked-by-firmware':
      return `The firmware's settings block operation ${operation} when the OS asks for it: in the firmware setup, allow the OS to request TPM clears (often "TPM PPI clear" or "Physical Presence"), or clear from the setup screen.`;
    default:
      return undefined;
  }
}

/** The response to the last operation (PPI function 5; Win32_Tpm.GetPhysicalPresenceResponse). */
export type ResponseOutcome =
  | 'success'
  | 'user-aborted'
  | 'firmware-failure'
  | 'tpm-error'
  | 'error'
  | 'no-request';

export const RESPONSE_USER_ABORT = 0xfffffff0;
export const RESPONSE_BIOS_FAILURE = 0xfffffff1;

export interface PpiResponse {
  /** The most recent operation the firmware ran; null when there was none. */
  operation: number | null;
  /** The firmware's result code; null when there was no recent request. */
  result: number | null;
  outcome: ResponseOutcome;
  message: string;
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

/** Explains an (operation, result) pair; operation 0 means no recent request. */
export function responseOf(operation: number, result: number): PpiResponse {
  if (operation === 0) {
    return {
      operation: null,
      result: null,
      outcome: 'no-request',
      message: 'The firmware reports no recent physical-presence request: the request was never acted on.',
    };
  }
  if (result === 0) {
    return {
      operation,
      result,
      outcome: 'success',
      message: `The firmware ran physical-presence operation ${operation} successfully.`,
    };
  }
  if (result === RESPONSE_USER_ABORT) {
    return {
      operation,
      result,
      outcome: 'user-aborted',
      message: `The firmware asked to confirm operation ${operation} and the person at the machine declined (or the prompt timed out): the TPM was not cleared. Request it again and accept the prompt.`,
    };
  }
  if (result === RESPONSE_BIOS_FAILURE) {
    return {
      operation,
      result,
      outcome: 'firmware-failure',
      message: `The firmware failed to run operation ${operation} (BIOS failure ${hex(result)}): the TPM was not cleared. Update the firmware, or clear from the firmware setup screen.`,
    };
  }
  if (result >= 1 && result <= 0xfff) {
    return {
      operation,
      result,
      outcome: 'tpm-error',
      message: `The TPM refused operation ${operation} with response code ${hex(result)}: the TPM was not cleared.`,
    };
  }
  return {
    operation,
    result,
    outcome: 'error',
    message: `The firmware reported error ${hex(result)} for operation ${operation}: the TPM was not cleared.`,
  };
}
