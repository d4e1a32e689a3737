/**
 * The physical-presence clear (method 'ppi'; TCG PC Client Platform Physical Presence Interface
 * Specification): ask the firmware to clear the TPM at the next restart, where the person at the
 * machine confirms it; after the restart, read what the firmware did; and, to settle a request a
 * crash left in flight, read the operation pending now. Linux goes through the kernel's sysfs
 * files (ppi-linux.ts), Windows through Win32_Tpm (ppi-windows.ts); both speak the PPI numbers of
 * ppi-codes.ts. Callers use this facade only.
 */
import type { PpiResponse } from './ppi-codes.js';
import {
  type LinuxPpiTarget,
  type PpiRequestResult,
  readLinuxPendingPpiRequest,
  readLinuxPpiResponse,
  requestLinuxPpiClear,
} from './ppi-linux.js';
import {
  readWindowsPendingPpiRequest,
  readWindowsPpiResponse,
  requestWindowsPpiClear,
  type WindowsPpiTarget,
} from './ppi-windows.js';

export type PpiTarget = ({ platform: 'linux' } & LinuxPpiTarget) | ({ platform: 'win32' } & WindowsPpiTarget);

export type { PpiResponse } from './ppi-codes.js';
export { PpiError } from './ppi-error.js';
export type { PpiRequestResult } from './ppi-linux.js';

/** Submits the clear request. Throws a PpiError whose message says what to do instead. */
export function requestPhysicalPresenceClear(target: PpiTarget): Promise<PpiRequestResult> {
  return target.platform === 'win32' ? requestWindowsPpiClear(target) : requestLinuxPpiClear(target);
}

/** After the restart: what the firmware did with the last request. */
export function readPhysicalPresenceResponse(target: PpiTarget): Promise<PpiResponse> {
  return target.platform === 'win32'
    ? readWindowsPpiResponse(target.powershell)
    : readLinuxPpiResponse(target);
}

/**
 * The operation pending now (0 when none), read back without writing anything: how a PPI run
 * settles a request that a crash left in flight before it would ever write the request again.
 * Throws a PpiError when it cannot be read.
 */
export function readPendingPhysicalPresenceRequest(target: PpiTarget): Promise<number> {
  return target.platform === 'win32'
    ? readWindowsPendingPpiRequest(target.powershell)
    : readLinuxPendingPpiRequest(target);
}
