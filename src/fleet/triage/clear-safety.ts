import type { BitlockerRecoveryKeyInfo } from '../graph/graph-types.js';
import type { Result } from '../graph/intune-api.js';
import { normaliseProtectorId } from './device-evidence.js';
import { type ClearBlocker, type ClearSafety, ESCROW_BLOCKERS, type EscrowStatus } from './triage-class.js';

interface EscrowCheck {
  status: EscrowStatus;
  /** Set when the escrow itself makes a clear unsafe. */
  blocker: ClearBlocker | null;
  /** One sentence for the device's reasons. */
  reason: string;
}

export interface EscrowInput {
  azureAdDeviceId: string | null;
  /** Graph's answer for the device's recovery key IDs; undefined when not looked up (yet). */
  recoveryKeys: Result<readonly BitlockerRecoveryKeyInfo[]> | undefined;
  /** The OS volume's local RecoveryPassword protector IDs from the device's evidence; null when unknown. */
  localRecoveryPasswordIds: readonly string[] | null;
}

/** Entra ID's placeholder for "no device object" in Intune's azureADDeviceId. */
const NIL_GUID = '00000000-0000-0000-0000-000000000000';

/** Graph's volumeType for the OS volume: "1" (operatingSystemVolume) in v1.0 answers. */
const OS_VOLUME_TYPES = new Set(['1', 'operatingsystemvolume']);

/** True when the device has an Entra device ID that recovery keys can be filed under. */
export function hasEntraDeviceId(azureAdDeviceId: string | null): azureAdDeviceId is string {
  return azureAdDeviceId !== null && azureAdDeviceId.trim() !== '' && azureAdDeviceId !== NIL_GUID;
}

/**
 * The preflight gate's escrow rule, from the fleet side (Graph bitlockerRecoveryKey:
 * https://learn.microsoft.com/graph/api/bitlocker-list-recoverykeys): a key must be escrowed in Entra ID for the device, and when the
 * device's evidence lists its RecoveryPassword protectors, an escrowed key's id must equal one of
 * them without braces. Otherwise the key Entra ID holds may be an old one that no longer unlocks
 * the volume, and a clear (which makes BitLocker ask for recovery) could lose the data.
 */
function checkEscrow(input: EscrowInput): EscrowCheck {
  if (!hasEntraDeviceId(input.azureAdDeviceId)) {
    return {
      status: 'no-entra-id',
      blocker: null,
      reason:
        'The device has no Entra ID device ID, so its BitLocker key escrow cannot be checked in Entra ID (a key may be in on-premises AD).',
    };
  }
  const answer = input.recoveryKeys;
  if (answer === undefined) {
    return { status: 'not-checked', blocker: null, reason: 'BitLocker key escrow not checked.' };
  }
  if (!answer.ok) {
    return {
      status: 'lookup-failed',
      blocker: null,
      reason: `BitLocker key escrow could not be checked: Graph answered ${answer.status} ${answer.code}.`,
    };
  }
  const keys = answer.value;
  if (keys.length === 0) {
    return {
      status: 'missing',
      blocker: {
        code: ESCROW_BLOCKERS.missing,
        reason:
          'No BitLocker recovery key is escrowed in Entra ID for this device: after a clear BitLocker asks for the recovery password, and nobody could supply it.',
      },
      reason: 'No BitLocker recovery key escrowed in Entra ID.',
    };
  }
  const local = input.localRecoveryPasswordIds;
  if (local !== null) {
    if (local.length === 0) {
      return {
        status: 'mismatch',
        blocker: {
          code: ESCROW_BLOCKERS.noLocalRecoveryPassword,
          reason:
            'The OS volume has no RecoveryPassword protector, so no escrowed key can unlock it after a clear: add one and escrow it (BackupToAAD-BitLockerKeyProtector) first.',
        },
        reason: 'The OS volume has no local recovery password protector.',
      };
    }
    if (matchedEscrowIds(keys, local).length > 0) {
      return {
        status: 'matched',
        blocker: null,
        reason: "A recovery key escrowed in Entra ID matches the OS volume's RecoveryPassword protector.",
      };
    }
    return {
      status: 'mismatch',
      blocker: {
        code: ESCROW_BLOCKERS.mismatch,
        reason:
          "The recovery keys escrowed in Entra ID do not match the OS volume's RecoveryPassword protector: escrow the current one (BackupToAAD-BitLockerKeyProtector) before a clear.",
      },
      reason: 'Escrowed recovery keys do not match the local protector.',
    };
  }
  const forOsVolume = keys.filter(
    (k) => k.volumeType === null || OS_VOLUME_TYPES.has(k.volumeType.toLowerCase()),
  );
  if (forOsVolume.length === 0) {
    return {
      status: 'missing',
      blocker: {
        code: ESCROW_BLOCKERS.notOsVolume,
        reason: 'The recovery keys escrowed in Entra ID are for data volumes only, none for the OS volume.',
      },
      reason: 'No recovery key escrowed for the OS volume.',
    };
  }
  return {
    status: 'escrowed',
    blocker: null,
    reason:
      'A BitLocker recovery key for the OS volume is escrowed in Entra ID, but there is no device evidence to match it against the local protector: run "tpm-doctor fleet remediate" on the device first; until then a clear is not called safe.',
  };
}

/** The local RecoveryPassword protector IDs (normalised) that a key escrowed in Entra ID has as its id. */
export function matchedEscrowIds(
  keys: readonly BitlockerRecoveryKeyInfo[],
  local: readonly string[],
): string[] {
  const escrowed = new Set(keys.map((k) => normaliseProtectorId(k.id)));
  return [...new Set(local.map(normaliseProtectorId))].filter((id) => escrowed.has(id));
}

export interface ClearSafetyDecision {
  clearSafety: ClearSafety;
  blockers: ClearBlocker[];
  escrow: EscrowCheck;
}

/**
 * Combines what the device says (its findings' blocksClear: lockout, disableClear, vulnerable
 * firmware, ...) with the escrow check. Any blocker blocks; a clear is `safe` only when a key is
 * escrowed (and matched where evidence allows); a lookup that failed or was not possible is
 * `unknown`, never `safe`.
 */
export function decideClearSafety(
  clearIsTheRemedy: boolean,
  deviceBlockers: readonly ClearBlocker[],
  escrowInput: EscrowInput,
): ClearSafetyDecision {
  if (!clearIsTheRemedy) {
    return {
      clearSafety: 'not-the-remedy',
      blockers: [],
      escrow: { status: 'not-needed', blocker: null, reason: '' },
    };
  }
  const escrow = checkEscrow(escrowInput);
  const blockers = [...deviceBlockers, ...(escrow.blocker === null ? [] : [escrow.blocker])];
  // `safe` needs the match (recovery key escrowed and matching, docs/triage.md): an escrowed key that
  // could not be compared with the device's own RecoveryPassword protector may be an old one, and
  // without the device's evidence nothing it would report (lockout, disableClear, vulnerable
  // firmware) could block the clear either. That is a guess, so `unknown` until evidence comes.
  const clearSafety: ClearSafety =
    blockers.length > 0 ? 'blocked' : escrow.status === 'matched' ? 'safe' : 'unknown';
  return { clearSafety, blockers, escrow };
}
