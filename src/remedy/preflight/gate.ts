/**
 * The preflight gate of `tpm-doctor clear` (docs/clear.md, the preflight gate): every precaution an administrator takes
 * by hand before clearing a TPM (back up first, be an administrator, get approval) as a check that
 * passes, fails or is unknown, with its evidence. Any fail blocks; an unknown blocks unless the
 * user acknowledged that exact check. Nothing on the TPM changes before the gate passes.
 */

import type { EscrowVerification } from './escrow-verification.js';

export type CheckStatus = 'pass' | 'fail' | 'unknown';

/** Stable IDs of the gate's checks (a contract, like finding IDs). */
export type CheckId =
  | 'evidence.same-tpm'
  | 'reason'
  | 'backup.recovery-password'
  | 'backup.escrow'
  | 'backup.bitlocker-suspended'
  | 'rights.elevated'
  | 'rights.clear-authorization'
  | 'approval'
  | 'blocker.disable-clear'
  | 'blocker.lockout'
  | 'blocker.firmware'
  | 'inventory';

export interface GateCheck {
  id: CheckId;
  status: CheckStatus;
  /** One sentence: what was checked and what was found; for a fail, what to do. */
  message: string;
  evidence: { source: string; field: string; value: string | number | boolean | null }[];
}

/** What the clear will destroy, recorded before confirmation, so nobody confirms a loss they were not shown. */
export interface LossInventory {
  persistentObjects: string[];
  nonPlatformNvIndices: string[];
  /** Windows Hello containers (dsregcmd NgcSet YES), TPM-backed certificates, virtual smart cards. */
  windows: string[];
}

export interface GateResult {
  passed: boolean;
  checks: GateCheck[];
  inventory: LossInventory;
}

export type ClearMethod = 'lockout' | 'platform' | 'ppi';
export type ClearPurpose = 'repair' | 'decommission';

export interface GateOptions {
  method: ClearMethod;
  purpose: ClearPurpose;
  approvedBy?: string;
  ticket?: string;
  /** Recovery-password protector IDs (lower-case, no braces) known to be escrowed (Graph or the user's backup). */
  escrowedProtectorIds?: readonly string[];
  /**
   * A clear campaign's escrow verification (escrow-verification.ts): accepted by backup.escrow only
   * when its IDs are the device's own OS-volume recovery-password protectors, with the approval.
   */
  escrowVerification?: EscrowVerification;
  /** The user confirmed the recovery keys are backed up, naming where (e.g. "Entra ID, checked by hand"). */
  backupConfirmedBy?: string;
  /**
   * Whether this process runs elevated (root on Linux, an administrator on Windows), as
   * src/remedy/platform/elevation.ts isElevated() answers; undefined when not asked or it could
   * not tell. Decides rights.elevated for a Linux device TPM (undefined: unknown) and for live
   * Windows evidence (undefined: the evidence's own Elevated field, as before); lab and simulator
   * TPMs and evidence bundles ignore it.
   */
  elevated?: boolean;
  /**
   * Set when the Windows evidence is a bundle file (`clear --evidence PATH`): the gate then binds
   * the bundle to the TPM being cleared (check evidence.same-tpm, evidence-binding.ts).
   * `tpmEkPublicKeyHashes`: the Windows-style public key hash of each RSA EK the TPM holds
   * (src/probe/ek-public-key-hashes.ts), null when not read.
   */
  evidenceBundle?: { tpmEkPublicKeyHashes: readonly string[] | null };
  /** Check IDs the user acknowledged while unknown. */
  acknowledged?: readonly CheckId[];
}
