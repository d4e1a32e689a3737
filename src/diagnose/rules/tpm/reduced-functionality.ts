import type { Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { clearNeededEvidence, SOURCE } from './support.js';

/**
 * tpm.reduced-functionality: Windows' record of the storage hierarchy no longer matches the TPM.
 * tpm.msc shows "The TPM is ready for use, with reduced functionality" with information flags such
 * as 0x900 = 0x800 (the registry's SRK public key does not match the TPM's SRK) + 0x100 (the owner
 * authorisation is not properly stored in the registry); tpmtool says "Clear Needed To Recover:
 * True". This is the case tpm-doctor was built for (docs/findings.md): sync failed with a TPM error and neither a restart
 * nor an update helps, because Windows cannot use, or re-create without owner authorisation, the
 * storage hierarchy its keys live under. A clear IS the fix here, as the last rung of the ladder
 * and only through the preflight gate; the verdict still holds it back while anything blocks it
 * (lockout, vulnerable firmware, disableClear, a pending restart).
 */
export const reducedFunctionality: Rule = {
  ids: ['tpm.reduced-functionality'],
  evaluate(snapshot) {
    const evidence = clearNeededEvidence(snapshot);
    if (evidence.length === 0) return [];
    const isReady = snapshot.windows?.isReady;
    if (isReady) evidence.unshift({ source: SOURCE.isReady, field: 'IsReady', value: isReady.isReady });
    return [
      {
        id: 'tpm.reduced-functionality',
        severity: 'error',
        title: 'The TPM works with reduced functionality: Windows needs it cleared to provision it again',
        why: "Windows' stored Storage Root Key / owner authorisation no longer match the TPM, so Windows cannot create new TPM keys: device registration with Entra ID and the Intune sync that relies on it fail, Windows Hello cannot be set up, and compliance reports the TPM as not ready. Restarts and updates do not change this; only a clear lets Windows provision the TPM afresh.",
        impacts: ['sync', 'compliance', 'bitlocker', 'windows-hello', 'attestation'],
        evidence,
        remedy: {
          step: 'clear',
          action:
            'Clear the TPM through the gated procedure (tpm-doctor clear): the BitLocker recovery key must be escrowed in Entra ID/AD and match, BitLocker suspended for two reboots, an administrator present for the firmware prompt. Then let Windows re-provision the TPM, sign in, set up the Windows Hello PIN again and sync with Intune.',
          destroysKeys: true,
        },
        references: [
          'https://learn.microsoft.com/windows/win32/secprov/win32-tpm-isreadyinformation',
          'https://learn.microsoft.com/windows/security/hardware-security/tpm/initialize-and-configure-ownership-of-the-tpm',
        ],
      } satisfies Finding,
    ];
  },
};
