import type { Snapshot } from '../../../snapshot/snapshot.js';
import type { DsregStatus, WindowsEvent } from '../../../snapshot/windows-evidence.js';
import type { Evidence } from '../../finding.js';
import { ev, eventsOf, evidenceTime, hoursBefore, hresultsIn, PROVIDER, yesNo } from './evidence.js';

/**
 * Readings of the device's state that more than one Windows rule needs. Each is a pure function of
 * the snapshot and returns the evidence it rests on, so the rules that use it cite the same facts.
 */

// ---- Entra device keys -----------------------------------------------------------------------

/** NTE_BAD_KEYSET, "Keyset does not exist": the device key is gone (hybrid join troubleshooting). */
export const NTE_BAD_KEYSET = '0x80090016';
/** NTE_AUTHENTICATION_IGNORED: "TPM is locked out. Transient error." (hybrid join troubleshooting). */
const NTE_AUTHENTICATION_IGNORED = '0x80090031';

/**
 * dsregcmd's KeySignTest: "PASSED" means the device keys are healthy; anything else but a
 * not-run notice is a failure. Unelevated dsregcmd prints "MUST Run elevated to test." (dsregcmd
 * doc: "The KeySignTest requires elevated privileges"), which says nothing about the keys.
 */
export function keySignTestState(value: string | null): 'passed' | 'failed' | 'not-run' | null {
  if (value === null || value.trim() === '') return null;
  if (/^\W*passed/i.test(value)) return 'passed';
  if (/elevat|not run|skipped|n\/a/i.test(value)) return 'not-run';
  return 'failed';
}

/** User Device Registration events that carry NTE_BAD_KEYSET (Admin 304; Debug 500/502). */
export function badKeysetEvents(snapshot: Snapshot): WindowsEvent[] {
  return eventsOf(snapshot, PROVIDER.userDeviceRegistration, [304, 500, 502]).filter((e) =>
    hresultsIn(e.message).includes(NTE_BAD_KEYSET),
  );
}

/**
 * True when the device's Entra keys are unusable (entra.device-key-unusable fires): other rules use
 * it to defer to that finding, because a missing PRT or a failing sync is then a symptom.
 */
export function deviceKeyUnusable(snapshot: Snapshot): boolean {
  const d = snapshot.windows?.dsregcmd;
  if (!d) return badKeysetEvents(snapshot).length > 0;
  return (
    keySignTestState(d.keySignTest) === 'failed' ||
    d.aadRecoveryEnabled === true ||
    d.errorCodes.includes(NTE_BAD_KEYSET) ||
    badKeysetEvents(snapshot).length > 0
  );
}

/**
 * False when dsregcmd ran where the User State and SSO State sections say nothing about the user:
 * as SYSTEM (an Intune Remediations script runs as SYSTEM by default). The dsregcmd doc: "The
 * command must run in a user context to retrieve a valid status." dsregcmd prints
 * "User Context : SYSTEM" in its diagnostic data when it can tell.
 */
export function userStateReadable(d: DsregStatus): boolean {
  const context = Object.entries(d.raw).find(([k]) => /^user\s*context$/i.test(k.trim()))?.[1];
  return !(context !== undefined && /^\s*system\s*$/i.test(context));
}

/**
 * Whether the device is joined to (or registered with) Entra ID: dsregcmd's AzureAdJoined, or,
 * when the paste holds no Device State section, what only a registered device prints: a Device
 * Details DeviceId with its certificate, or an SSO State PRT authority / PRT attempt (dsregcmd doc).
 */
export function entraJoined(d: DsregStatus): boolean | null {
  if (d.azureAdJoined !== null) return d.azureAdJoined;
  if (d.domainJoined === true) return null;
  const registered =
    (d.deviceId !== null && dsregRaw(d, 'DeviceCertificateValidity') !== undefined) ||
    dsregRaw(d, 'AzureAdPrtAuthority') !== undefined ||
    dsregRaw(d, 'Previous Prt Attempt') !== undefined;
  return registered ? true : null;
}

/** A value from dsregcmd's raw key: value lines, by key (keys compared without case or spaces). */
export function dsregRaw(d: DsregStatus, key: string): string | undefined {
  const want = key.replace(/\s+/g, '').toLowerCase();
  return Object.entries(d.raw).find(([k]) => k.replace(/\s+/g, '').toLowerCase() === want)?.[1];
}

// ---- the TPM as Windows sees it -----------------------------------------------------------------

/** Whether any source says a TPM is present, with the evidence; null when no source says. */
export function tpmPresence(snapshot: Snapshot): { present: boolean | null; evidence: Evidence[] } {
  const w = snapshot.windows;
  const evidence: Evidence[] = [];
  const answers: boolean[] = [];
  if (w?.getTpm?.tpmPresent != null) {
    answers.push(w.getTpm.tpmPresent);
    evidence.push(ev('Get-Tpm', 'TpmPresent', w.getTpm.tpmPresent));
    if (w.getTpm.tpmReady !== null) evidence.push(ev('Get-Tpm', 'TpmReady', w.getTpm.tpmReady));
  }
  if (w?.tpmtool?.tpmPresent != null) {
    answers.push(w.tpmtool.tpmPresent);
    evidence.push(ev('tpmtool getdeviceinformation', 'TPM Present', w.tpmtool.tpmPresent));
    if (w.tpmtool.readyForStorage !== null) {
      evidence.push(ev('tpmtool getdeviceinformation', 'Ready For Storage', w.tpmtool.readyForStorage));
    }
  }
  // A TPM that could not be reached (permission denied, a timeout, TBS refused) is unknown, not
  // absent: only a missing device (TPM_ABSENT) says "no TPM".
  const tpm = snapshot.tpm;
  if (tpm !== null && (tpm.present === true || tpm.errors.some((e) => e.code === 'TPM_ABSENT'))) {
    answers.push(tpm.present === true);
    evidence.push(ev('tpm', 'present', tpm.present === true));
  }
  return { present: answers.length === 0 ? null : answers.some((a) => a), evidence };
}

/** True when a source says the TPM is ready for use (Get-Tpm TpmReady, tpmtool Ready For Storage). */
export function tpmReady(snapshot: Snapshot): boolean | null {
  const w = snapshot.windows;
  const answers = [w?.getTpm?.tpmReady, w?.tpmtool?.readyForStorage].filter(
    (a): a is boolean => typeof a === 'boolean',
  );
  return answers.length === 0 ? null : answers.every((a) => a);
}

/**
 * Windows' own statement that only a clear recovers the TPM: tpmtool's "Clear Needed To Recover:
 * True", or IsReadyInformation bits 0x8 (TPM_FORCE_CLEAR) or 0x800 (SRK pub mismatch with the
 * registry: "reduced functionality", whose fix is a clear). Returns the evidence, or [] when none.
 */
export function tpmClearNeeded(snapshot: Snapshot): Evidence[] {
  const w = snapshot.windows;
  const evidence: Evidence[] = [];
  if (w?.tpmtool?.clearNeededToRecover === true) {
    evidence.push(ev('tpmtool getdeviceinformation', 'Clear Needed To Recover', true));
  }
  const info = w?.isReady?.information;
  if (info !== undefined && (info & 0x808) !== 0) {
    evidence.push(ev('Win32_Tpm.IsReadyInformation', 'Information', `0x${info.toString(16).toUpperCase()}`));
  }
  return evidence;
}

/** TPM driver events that say the TPM hardware failed: 14/15 non-recoverable error, 17 command failed. */
export const TPM_HARDWARE_ERROR_IDS = [14, 15] as const;
export const TPM_COMMAND_FAILED_ID = 17;

/** TPM driver (System/TPM) events 14, 15 and 17 no older than `days` (or undated). */
export function tpmDriverErrors(snapshot: Snapshot, days = 30): WindowsEvent[] {
  const now = evidenceTime(snapshot);
  return eventsOf(snapshot, PROVIDER.tpmDriver, [...TPM_HARDWARE_ERROR_IDS, TPM_COMMAND_FAILED_ID]).filter(
    (e) => {
      const age = hoursBefore(e.timeCreated, now);
      return age === null || age <= days * 24;
    },
  );
}

// ---- dictionary-attack lockout ------------------------------------------------------------------

export interface LockoutReading {
  /** True/false when a live source says whether the TPM is locked out now; null when none says. */
  lockedOutNow: boolean | null;
  /** TPM-WMI 1026 events whose message names the dictionary-attack defence. */
  events: WindowsEvent[];
  /** dsregcmd saw NTE_AUTHENTICATION_IGNORED ("TPM is locked out"). */
  dsregCode: boolean;
  evidence: Evidence[];
}

/**
 * The TPM's dictionary-attack lockout as the evidence shows it. TPM-WMI 1026 reads "cannot be
 * provisioned for use automatically ... Error: The TPM is defending against dictionary attacks and
 * is in a time-out period." (BitLocker and TPM: other known issues). The message is localised, so
 * the Japanese "辞書攻撃" (dictionary attack) is matched too.
 */
export function lockoutReading(snapshot: Snapshot): LockoutReading {
  const w = snapshot.windows;
  const evidence: Evidence[] = [];
  const now: boolean[] = [];
  if (w?.getTpm?.lockedOut != null) {
    now.push(w.getTpm.lockedOut);
    evidence.push(ev('Get-Tpm', 'LockedOut', w.getTpm.lockedOut));
    if (w.getTpm.lockoutHealTime) evidence.push(ev('Get-Tpm', 'LockoutHealTime', w.getTpm.lockoutHealTime));
  }
  if (w?.tpmtool?.lockout?.isLockedOut != null) {
    now.push(w.tpmtool.lockout.isLockedOut);
    evidence.push(ev('tpmtool getdeviceinformation', 'Is Locked Out', w.tpmtool.lockout.isLockedOut));
  }
  if (snapshot.tpm?.dictionaryAttack) {
    now.push(snapshot.tpm.dictionaryAttack.inLockout);
    evidence.push(ev('tpm', 'TPMA_PERMANENT.inLockout', snapshot.tpm.dictionaryAttack.inLockout));
  }
  const events = eventsOf(snapshot, PROVIDER.tpmWmi, [1026]).filter((e) =>
    /dictionary attack|辞書攻撃|0x80280803/i.test(e.message),
  );
  const dsregCode = w?.dsregcmd?.errorCodes.includes(NTE_AUTHENTICATION_IGNORED) ?? false;
  if (dsregCode) evidence.push(ev('dsregcmd', 'error code', NTE_AUTHENTICATION_IGNORED));
  return {
    lockedOutNow: now.length === 0 ? null : now.some((n) => n),
    events,
    dsregCode,
    evidence,
  };
}

/** True when the lockout is in play now: a live source says so, or only old signals exist and nothing says it healed. */
export function lockoutInPlay(r: LockoutReading): boolean {
  if (r.lockedOutNow !== null) return r.lockedOutNow;
  return r.events.length > 0 || r.dsregCode;
}

// ---- MDM enrollment -----------------------------------------------------------------------------

/** ProviderID of an Intune enrollment under HKLM\SOFTWARE\Microsoft\Enrollments (DMClient CSP). */
export const INTUNE_PROVIDER_ID = 'MS DM Server';

export function intuneEnrolled(snapshot: Snapshot): boolean | null {
  const enrollments = snapshot.windows?.enrollments;
  if (!enrollments) return null;
  return enrollments.some((e) => e.providerId?.trim().toLowerCase() === INTUNE_PROVIDER_ID.toLowerCase());
}

/** dsregcmd's join state as evidence (the join type decides how re-registration works). */
export function joinEvidence(d: DsregStatus): Evidence[] {
  const out: Evidence[] = [ev('dsregcmd', 'AzureAdJoined', yesNo(d.azureAdJoined))];
  if (d.domainJoined !== null) out.push(ev('dsregcmd', 'DomainJoined', yesNo(d.domainJoined)));
  return out;
}
