import type { Snapshot } from '../snapshot/snapshot.js';
import { osVolumeUnknown } from './rules/windows/bitlocker-volumes.js';

/**
 * A fact the verdict depends on that the evidence does not establish. An unknown is never read as
 * "fine": it keeps the verdict from "healthy" and, when `blocksClear`, stops a clear (a clear is
 * safe only when the TPM state, the lockout state and the OS volume's BitLocker protectors are
 * known; docs/evidence.md, "What a verdict needs").
 */
export interface UnknownFact {
  fact: 'tpm-state' | 'tpm-lockout' | 'bitlocker-os-volume' | 'source-unreadable';
  reason: string;
  blocksClear: boolean;
}

/** Sources whose loss hides a fact a clear depends on. */
const CLEAR_SOURCES = new Set(['get-tpm', 'tpmtool', 'is-ready', 'bitlocker', 'manage-bde']);

/** The unknowns in a snapshot with Windows evidence (a TPM read alone has nothing BitLocker-shaped to miss). */
export function unknownFacts(snapshot: Snapshot): UnknownFact[] {
  const w = snapshot.windows;
  if (w === null) return [];
  const out: UnknownFact[] = [];
  const tpm = snapshot.tpm;
  const liveAbsent = tpm?.errors.some((e) => e.code === 'TPM_ABSENT') ?? false;
  const present = [
    tpm?.present ? true : null,
    liveAbsent ? false : null,
    w.getTpm?.tpmPresent,
    w.tpmtool?.tpmPresent,
  ];
  const stateKnown = present.some((p) => p !== null && p !== undefined) || w.isReady !== null;
  const absent = present.includes(false);
  if (!stateKnown) {
    out.push({
      fact: 'tpm-state',
      reason: 'no TPM state was read (Get-Tpm, tpmtool getdeviceinformation or Win32_Tpm IsReadyInformation)',
      blocksClear: true,
    });
  }
  const lockoutKnown =
    (tpm?.dictionaryAttack ?? null) !== null ||
    (w.getTpm?.lockedOut ?? null) !== null ||
    (w.tpmtool?.lockout?.isLockedOut ?? null) !== null;
  if (!absent && !lockoutKnown) {
    out.push({
      fact: 'tpm-lockout',
      reason: 'the dictionary-attack lockout state was not read (Get-Tpm LockedOut, tpmtool "Is Locked Out")',
      blocksClear: true,
    });
  }
  const bitlocker = osVolumeUnknown(w.bitlocker);
  if (bitlocker !== null) out.push({ fact: 'bitlocker-os-volume', reason: bitlocker, blocksClear: true });
  for (const p of w.problems) {
    // Without the path it was read from: the same evidence gives the same verdict wherever it lies.
    const detail =
      p.file !== undefined && p.message.startsWith(`${p.file}: `)
        ? p.message.slice(p.file.length + 2)
        : p.message;
    out.push({
      fact: 'source-unreadable',
      reason: `${p.source}: ${detail}`,
      blocksClear: CLEAR_SOURCES.has(p.source),
    });
  }
  return out;
}
