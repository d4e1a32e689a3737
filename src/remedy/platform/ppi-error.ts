/** Why a physical-presence request could not be made or read, in words a desk-side admin can act on. */
export type PpiErrorCode =
  | 'not-elevated'
  | 'no-ppi'
  | 'refused-by-firmware'
  | 'firmware-failure'
  | 'not-kept'
  | 'unexpected-output';

export class PpiError extends Error {
  override readonly name = 'PpiError';
  readonly code: PpiErrorCode;
  constructor(code: PpiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export const NO_PPI_MESSAGE =
  'This machine offers no physical-presence interface: the firmware does not provide the ACPI PPI methods (or the TPM driver did not find them), so the OS cannot ask the firmware to clear the TPM. Clear it from the firmware setup screen (UEFI/BIOS, "Clear TPM" or "Security Chip"), or with the lockout authorisation.';
