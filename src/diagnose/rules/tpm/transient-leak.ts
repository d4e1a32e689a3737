import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/**
 * tpm.transient-leak: transient objects are loaded although no client should hold any between
 * commands. Through a resource manager (/dev/tpmrm0, Windows TBS) each client sees only its own
 * objects, so a non-empty list means a client talking to the raw TPM (/dev/tpm0, swtpm) exited
 * without TPM2_FlushContext. The TPM has only a few object slots (TPM_PT_HR_TRANSIENT_AVAIL);
 * when they are gone every TPM2_Load/CreatePrimary fails with TPM_RC_OBJECT_MEMORY (0x902), the
 * error tpm2-tools #303/#1238 and tpm2-pkcs11 #758 report. Transient objects are flushed at every
 * TPM reset and restart.
 */
export const transientLeak: Rule = {
  ids: ['tpm.transient-leak'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.transient-leak'];
    const handles = snapshot.tpm?.transientHandles;
    if (!handles || handles.length === 0) return [];
    const avail = snapshot.tpm?.capacity?.transientAvailable;
    const evidence: Evidence[] = [
      { source: SOURCE.tpm, field: 'loaded transient handles', value: handles.join(' ') },
    ];
    if (avail != null)
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_HR_TRANSIENT_AVAIL', value: avail });
    const full = avail === 0;
    return [
      {
        id: 'tpm.transient-leak',
        severity: full ? 'error' : 'warning',
        title: t.title({ count: handles.length }),
        why: t.why({ full }),
        impacts: ['windows-hello', 'bitlocker', 'sync'],
        evidence,
        remedy: {
          step: 'restart',
          action: t.action,
          destroysKeys: false,
        },
        references: [
          'TCG TPM 2.0 Library Part 3 §28.4 TPM2_FlushContext',
          'https://github.com/tpm2-software/tpm2-tools/issues/1238',
        ],
      } satisfies Finding,
    ];
  },
};
