/**
 * The Linux kernel's physical-presence files as read (drivers/char/tpm/tpm_ppi.c): the facts the
 * gate decides a PPI clear on (src/remedy/preflight/rights.ts). Read only for a PPI clear of a
 * Linux device TPM.
 */
export interface LinuxPpiFacts {
  /** The ppi folder read (/sys/class/tpm/tpm0/ppi); null when the TPM has none (no ACPI PPI). */
  dir: string | null;
  /** `ppi/version`, e.g. "1.3"; null when there is no ppi folder. */
  version: string | null;
  /**
   * `ppi/tcg_operations` as listed: one entry per operation the firmware implements, with its
   * PPI status (1 BIOS only, 2 blocked for the OS, 3 user required, 4 user not required). An empty
   * list is a firmware that implements none; null when the file could not be read (`error`).
   */
  operations: { operation: number; status: number }[] | null;
  /** Why the ppi folder or tcg_operations could not be read; null when they were. */
  error: string | null;
}
