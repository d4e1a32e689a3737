import { isWellFormedVerification } from '../../remedy/preflight/escrow-verification.js';
import type { IntuneApi } from '../graph/intune-api.js';
import { matchedEscrowIds } from '../triage/clear-safety.js';
import { readDeviceEvidence } from '../triage/device-evidence.js';
import { EVIDENCE_SCRIPT_NAME } from './evidence-script.js';

/** A device whose recovery password the campaign found escrowed in Entra ID and matching its protector. */
export interface VerifiedDevice {
  deviceId: string;
  /** Its Entra ID device ID: what the device reads of itself (dsregcmd /status DeviceId). */
  azureAdDeviceId: string;
  /** The OS volume's RecoveryPassword protector IDs that are escrowed: lower-case GUIDs. */
  protectorIds: string[];
}

export interface EscrowVerificationResult {
  verified: VerifiedDevice[];
  refused: Array<{ deviceId: string; reason: string }>;
}

/**
 * The check triage made (src/fleet/triage/clear-safety.ts: an escrowed key's id equals a local
 * RecoveryPassword protector ID), made again when the campaign is created, from Entra ID now
 * (Graph bitlockerRecoveryKey, docs/graph-calls.md) and the device's latest evidence (the
 * evidence script's detection output). Its result is what the clear script hands each device
 * (--escrow-verified), so it must be the campaign's own reading, not the triage's memory. A
 * device that cannot be verified is refused, never sent without it.
 */
export async function verifyEscrow(
  intune: IntuneApi,
  devices: ReadonlyArray<{ deviceId: string; azureAdDeviceId: string | null }>,
  now: Date,
): Promise<EscrowVerificationResult> {
  const refused: EscrowVerificationResult['refused'] = [];
  const local = await localProtectorIds(intune, new Set(devices.map((d) => d.deviceId)), now);
  const withEntra = devices.filter((d) => {
    if (d.azureAdDeviceId === null || d.azureAdDeviceId.trim() === '') {
      refused.push({
        deviceId: d.deviceId,
        reason: 'no Entra ID device ID: its key escrow cannot be verified',
      });
      return false;
    }
    return true;
  });
  const keys =
    withEntra.length === 0
      ? new Map()
      : await intune.recoveryKeyIds([...new Set(withEntra.map((d) => d.azureAdDeviceId as string))]);
  const verified: VerifiedDevice[] = [];
  for (const d of withEntra) {
    const azureAdDeviceId = (d.azureAdDeviceId as string).toLowerCase();
    const answer = keys.get(d.azureAdDeviceId as string);
    const ids = local.get(d.deviceId);
    let reason: string | null = null;
    if (answer === undefined || !answer.ok) {
      reason = `its recovery keys could not be read from Entra ID${answer === undefined ? '' : ` (${answer.status} ${answer.code})`}`;
    } else if (ids === undefined || ids === null) {
      reason = "its evidence does not list the OS volume's recovery password protectors";
    } else {
      const matched = matchedEscrowIds(answer.value, ids);
      const candidate = { protectorIds: matched, verifiedAt: now.toISOString(), verifiedBy: 'c' };
      if (matched.length === 0) {
        reason = "no recovery key escrowed in Entra ID matches the OS volume's recovery password protector";
      } else if (!isWellFormedVerification(candidate) || !/^[0-9a-f-]{36}$/.test(azureAdDeviceId)) {
        reason = 'its Entra ID device ID or protector IDs are not GUIDs';
      } else {
        verified.push({ deviceId: d.deviceId, azureAdDeviceId, protectorIds: matched });
      }
    }
    if (reason !== null) refused.push({ deviceId: d.deviceId, reason: `escrow not verified now: ${reason}` });
  }
  return { verified, refused };
}

/** deviceId → the OS volume's RecoveryPassword protector IDs from its latest evidence run. */
async function localProtectorIds(
  intune: IntuneApi,
  wanted: ReadonlySet<string>,
  now: Date,
): Promise<Map<string, string[] | null>> {
  const byDevice = new Map<string, string[] | null>();
  const script = await intune.findHealthScript(EVIDENCE_SCRIPT_NAME);
  if (script === undefined) return byDevice;
  for await (const page of intune.healthScriptRunStates(script.id)) {
    for (const state of page) {
      const deviceId = state?.managedDevice?.id ?? runStateDeviceId(state?.id);
      const output = state?.preRemediationDetectionScriptOutput;
      if (deviceId === null || !wanted.has(deviceId) || typeof output !== 'string') continue;
      try {
        byDevice.set(
          deviceId,
          readDeviceEvidence(output, `evidence of device ${deviceId}`, now).recoveryPasswordIds,
        );
      } catch {
        byDevice.set(deviceId, null);
      }
    }
  }
  return byDevice;
}

/** deviceHealthScriptDeviceState ids are "{scriptId}:{deviceId}" when managedDevice is not expanded. */
function runStateDeviceId(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const colon = id.lastIndexOf(':');
  return colon === -1 || colon === id.length - 1 ? null : id.slice(colon + 1);
}
