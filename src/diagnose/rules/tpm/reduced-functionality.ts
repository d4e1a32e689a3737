import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
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
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.reduced-functionality'];
    const evidence = clearNeededEvidence(snapshot);
    if (evidence.length === 0) return [];
    const isReady = snapshot.windows?.isReady;
    if (isReady) evidence.unshift({ source: SOURCE.isReady, field: 'IsReady', value: isReady.isReady });
    return [
      {
        id: 'tpm.reduced-functionality',
        severity: 'error',
        title: t.title,
        why: t.why,
        impacts: ['sync', 'compliance', 'bitlocker', 'windows-hello', 'attestation'],
        evidence,
        remedy: {
          step: 'clear',
          action: t.action,
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
