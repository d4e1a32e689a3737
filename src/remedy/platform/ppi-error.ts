import { TpmDoctorError } from '../../errors.js';

/** Why a physical-presence request could not be made or read, in words a desk-side admin can act on. */
export type PpiFailure =
  | 'not-elevated'
  | 'no-ppi'
  | 'refused-by-firmware'
  | 'firmware-failure'
  | 'not-kept'
  | 'unexpected-output';

/** `code` is 'ppi-' and the failure ('ppi-no-ppi'): the `reason` a PPI run journals (docs/clear.md). */
export class PpiError extends TpmDoctorError {
  override readonly name = 'PpiError';
  override readonly code: `ppi-${PpiFailure}`;
  constructor(failure: PpiFailure, message: string, options?: { cause?: unknown }) {
    super(`ppi-${failure}`, message, options);
    this.code = `ppi-${failure}`;
  }
}

export const NO_PPI_MESSAGE =
  'This machine offers no physical-presence interface: the firmware does not provide the ACPI PPI methods (or the TPM driver did not find them), so the OS cannot ask the firmware to clear the TPM. Clear it from the firmware setup screen (UEFI/BIOS, "Clear TPM" or "Security Chip"), or with the lockout authorisation.';
