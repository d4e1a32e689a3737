import type { LinuxPpiFacts } from './linux-ppi.js';
import type { TpmStatus } from './tpm-status.js';
import type { WindowsEvidence } from './windows-evidence.js';

/**
 * The one normalised shape every diagnosis rule reads (docs/architecture.md: the contract between
 * probe and diagnose): the TPM as it
 * answered in TPM 2.0, and the Windows evidence around it. Rules never do I/O; they read this.
 */
export interface Snapshot {
  schema: 'tpm-doctor/snapshot/v1';
  takenAt: string;
  /** The TPM read directly (null when diagnosing from evidence alone, e.g. a helpdesk with a user's bundle). */
  tpm: TpmStatus | null;
  /** Windows evidence (null on Linux, or when none was collected or given). */
  windows: WindowsEvidence | null;
  /** The Linux PPI files, read for a PPI clear of a Linux device TPM only. */
  linuxPpi?: LinuxPpiFacts;
}
