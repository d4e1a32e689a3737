/**
 * A finding: one thing wrong (or worth knowing) about the device, with a stable ID that scripts
 * and the fleet view rely on (docs/findings.md), the evidence it rests on, and the remedy it
 * implies on the remedy ladder.
 */

export type Severity = 'error' | 'warning' | 'info';

/**
 * The remedy ladder, safest first: a clear destroys every key in the TPM, so it comes only when a
 * restart or an update does not help (docs/findings.md). A diagnosis recommends the lowest step that addresses its findings;
 * `clear` is last and gated.
 */
export const REMEDY_LADDER = [
  'none',
  'wait',
  'reset-lockout',
  'restart',
  'update',
  'reconfigure',
  'clear',
] as const;
export type RemedyStep = (typeof REMEDY_LADDER)[number];

export interface Remedy {
  step: RemedyStep;
  /** What to do, in words an admin can follow. */
  action: string;
  /** True when this remedy deletes keys (only `clear` does). */
  destroysKeys: boolean;
}

/** What a finding breaks, for the "why it matters" line. */
export type Impact = 'sync' | 'compliance' | 'bitlocker' | 'windows-hello' | 'attestation' | 'security';

export interface Evidence {
  /** Where the value came from: 'tpm' (read in TPM 2.0) or a Windows source ('Get-Tpm', 'dsregcmd', ...). */
  source: string;
  /** The field, property or line, e.g. 'TPM_PT_LOCKOUT_COUNTER' or 'KeySignTest'. */
  field: string;
  /** The exact value as read. Never a secret. */
  value: string | number | boolean | null;
}

export interface Finding {
  /** Stable ID, e.g. 'tpm.lockout'. Never renamed. */
  id: string;
  severity: Severity;
  title: string;
  /** Why it matters: what it breaks (sync, compliance, BitLocker, Windows Hello) and how. */
  why: string;
  impacts: Impact[];
  evidence: Evidence[];
  remedy: Remedy;
  /**
   * Set when this finding makes a clear the wrong fix right now (a DA lockout, vulnerable
   * firmware not yet updated, disableClear, ...): the reason, in words. The verdict never
   * recommends a clear while any finding blocks it.
   */
  blocksClear?: string;
  references?: string[];
}
