/**
 * What every preflight check reads: the snapshot, the diagnosis and the user's options, plus the
 * few facts several checks share (is this a Windows device, a lab TPM, an Intune-managed PC).
 * Pure: no I/O, no process.platform (the snapshot is the only witness of the device).
 */
import type { Diagnosis } from '../../diagnose/diagnose.js';
import type { Finding } from '../../diagnose/finding.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { KeyProtectorType } from '../../snapshot/windows-evidence.js';
import type { UiMessages } from '../../text/messages/en.js';
import type { CheckId, CheckStatus, GateCheck, GateOptions } from './gate.js';

export interface PreflightInput {
  snapshot: Snapshot;
  diagnosis: Diagnosis;
  options: GateOptions;
  /** The words of the checks' messages (English for the journal and JSON). */
  ui: UiMessages;
}

export type Evidence = GateCheck['evidence'][number];

export function check(
  id: CheckId,
  status: CheckStatus,
  message: string,
  evidence: Evidence[] = [],
): GateCheck {
  return { id, status, message, evidence };
}

export function finding(diagnosis: Diagnosis, id: string): Finding | undefined {
  return diagnosis.findings.find((f) => f.id === id);
}

/**
 * Where the device runs, from the snapshot alone: Windows evidence or a TBS TPM (`tbs:`) means
 * Windows; a Linux TPM device (`device:`) or a simulator (`swtpm://`, `mssim://`, `lab:`) means not
 * Windows; nothing read means unknown.
 */
export type Platform = 'windows' | 'not-windows' | 'unknown';

export function platformOf(snapshot: Snapshot): Platform {
  if (snapshot.windows !== null) return 'windows';
  const uri = snapshot.tpm?.tpm.uri;
  if (uri === undefined) return 'unknown';
  if (uri.startsWith('tbs')) return 'windows';
  if (/^(device|swtpm|mssim|lab):/.test(uri)) return 'not-windows';
  return snapshot.tpm?.tpm.lab ? 'not-windows' : 'unknown';
}

/** A TPM tpm-doctor started or was told is a lab TPM (swtpm, the simulator): never a user's device. */
export function isLabTpm(snapshot: Snapshot): boolean {
  return snapshot.tpm?.tpm.lab === true;
}

/**
 * Protectors that unseal through the TPM: a clear makes each of them useless, so the volume then
 * needs its recovery password (Get-BitLockerVolume KeyProtectorType; docs/findings.md
 * bitlocker.no-recovery-password).
 */
export const TPM_PROTECTORS: ReadonlySet<KeyProtectorType> = new Set([
  'Tpm',
  'TpmPin',
  'TpmStartupKey',
  'TpmPinStartupKey',
  'TpmNetworkKey',
]);

/** Intune's enrollment provider (HKLM\SOFTWARE\Microsoft\Enrollments\<GUID> ProviderID, DMClient CSP). */
export const INTUNE_PROVIDER_ID = 'MS DM Server';

/** Protector IDs as Entra ID escrows them: lower-case, no braces (Graph bitlockerRecoveryKey `id`; docs/triage.md). */
export function normaliseProtectorId(id: string): string {
  return id
    .trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase();
}

/** "C:", "C: and D:", "C:, D: and E:". */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The `tpm-doctor clear` flags gate messages name, so each message says exactly what to type
 * (docs/clear.md).
 */
export const FLAGS = {
  approval: '--approved-by NAME --ticket ID',
  backupConfirmed: '--backup-confirmed-by WHERE',
  acknowledge: (id: string) => `--acknowledge ${id}`,
  ppi: '--method ppi',
} as const;
