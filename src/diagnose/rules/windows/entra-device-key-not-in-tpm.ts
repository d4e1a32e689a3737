import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { ev, eventEvidence, yesNo } from './evidence.js';
import { REF } from './references.js';
import { entraJoined, joinEvidence, tpmDriverErrors, tpmPresence, tpmReady } from './signals.js';

const ENTRA_DEVICE_KEY_NOT_IN_TPM = 'entra.device-key-not-in-tpm';

const SOFTWARE_KSP = /software key storage provider/i;
/** TPM errors after which Windows 10 1809+ joins without the TPM (hybrid join troubleshooting). */
const TPM_FALLBACK_CODES = ['0x80290407', '0x80280036'] as const; // TPM_E_PCP_INTERNAL_ERROR, TPM_E_NOTFIPS

/**
 * The Entra device key lives in software although the PC has a TPM: dsregcmd shows
 * "TpmProtected : NO" or "KeyProvider : Microsoft Software Key Storage Provider" (dsregcmd doc:
 * TpmProtected is YES "if the device private key is stored in a hardware TPM"). Windows 10 1809 and
 * later "automatically detect TPM failures and complete Microsoft Entra hybrid join without using
 * the TPM" (hybrid join troubleshooting), so a software key on a TPM device is the trace of a TPM
 * error at join time. On a PC with no TPM a software key is expected, and tpm.absent says why.
 */
export const entraDeviceKeyNotInTpm: Rule = {
  ids: [ENTRA_DEVICE_KEY_NOT_IN_TPM],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['entra.device-key-not-in-tpm'];
    const d = snapshot.windows?.dsregcmd;
    if (!d || entraJoined(d) !== true) return [];
    const software = d.tpmProtected === false || (d.keyProvider !== null && SOFTWARE_KSP.test(d.keyProvider));
    if (!software) return [];
    const tpm = tpmPresence(snapshot);
    // No TPM: a software key is expected. Unknown (only dsregcmd was given): say so, and report.
    if (tpm.present === false) return [];

    const evidence: Evidence[] = [...joinEvidence(d)];
    if (d.tpmProtected !== null) evidence.push(ev('dsregcmd', 'TpmProtected', yesNo(d.tpmProtected)));
    if (d.keyProvider !== null) evidence.push(ev('dsregcmd', 'KeyProvider', d.keyProvider));
    evidence.push(...tpm.evidence);
    for (const code of TPM_FALLBACK_CODES) {
      if (d.errorCodes.includes(code)) evidence.push(ev('dsregcmd', 'error code', code));
    }
    evidence.push(...eventEvidence(tpmDriverErrors(snapshot, 365)));

    const ready = tpmReady(snapshot);
    const reregister = t.reregister;
    return [
      {
        id: ENTRA_DEVICE_KEY_NOT_IN_TPM,
        severity: 'warning',
        title: t.title,
        why: t.why({ tpmUnknown: tpm.present === null }),
        impacts: ['compliance', 'attestation', 'security'],
        evidence,
        remedy: {
          step: 'reconfigure',
          action: ready === true ? t.actionReady({ reregister }) : t.actionFixTpm({ reregister }),
          destroysKeys: false,
        },
        references: [REF.dsregcmd, REF.hybridJoinTroubleshoot],
      },
    ];
  },
};
