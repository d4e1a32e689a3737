import type { DeviceHealthScript } from '../graph/graph-types.js';
import type { IntuneApi } from '../graph/intune-api.js';

/** The Remediations script package tpm-doctor uploads once per tenant and finds by this name. */
export const EVIDENCE_SCRIPT_NAME = 'tpm-doctor evidence';

/**
 * The script package for `fleet remediate`: scripts/collect-evidence.ps1 as the detection script
 * and no remediation script. We collect evidence and diagnose it here (the same rules as on the
 * device); a TPM clear is never run remotely, because it destroys keys and needs the preflight
 * gate (docs/clear.md).
 * - Script bodies are base64 of the file's bytes (deviceHealthScript, beta: detectionScriptContent
 *   is Edm.Binary); the script is ASCII, i.e. UTF-8 without a BOM, as Intune requires
 *   (docs/evidence.md).
 * - runAsAccount system: Get-Tpm, Win32_Tpm, Get-BitLockerVolume and manage-bde need elevation,
 *   and SYSTEM is Intune's default for Remediations.
 * - runAs32Bit false: 64-bit PowerShell (the script also relaunches itself when started in 32-bit).
 * - enforceSignatureCheck false: the script is not Authenticode-signed by us; a tenant that signs
 *   it can flip this in Intune.
 */
export function evidenceScriptPackage(detectionScript: string): Omit<DeviceHealthScript, 'id'> {
  return {
    displayName: EVIDENCE_SCRIPT_NAME,
    description:
      'tpm-doctor: collects TPM, Entra ID, BitLocker and Intune evidence (read-only). ' +
      'Detection only; no remediation script: nothing is changed on the device.',
    publisher: 'tpm-doctor',
    runAsAccount: 'system',
    runAs32Bit: false,
    enforceSignatureCheck: false,
    detectionScriptContent: Buffer.from(detectionScript, 'utf8').toString('base64'),
  };
}

/**
 * Finds our script package by name (docs/graph-calls.md #8) or uploads it (#9). Uploading once
 * per tenant, not per campaign, keeps Intune's list of script packages from growing with every run.
 */
export async function findOrUploadEvidenceScript(
  intune: IntuneApi,
  detectionScript: string,
): Promise<{ script: DeviceHealthScript; uploaded: boolean }> {
  const existing = await intune.findHealthScript(EVIDENCE_SCRIPT_NAME);
  if (existing !== undefined) return { script: existing, uploaded: false };
  return { script: await intune.createHealthScript(evidenceScriptPackage(detectionScript)), uploaded: true };
}
