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
  evaluate(snapshot) {
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
        title: `${handles.length} transient object${handles.length === 1 ? ' was' : 's were'} left loaded in the TPM`,
        why: `A client without a resource manager left objects loaded. ${full ? 'No object slot is left: ' : 'When the few object slots run out, '}every key load fails with TPM_RC_OBJECT_MEMORY (0x902), so BitLocker unsealing, Windows Hello and device-key signing on this TPM fail until they are flushed.`,
        impacts: ['windows-hello', 'bitlocker', 'sync'],
        evidence,
        remedy: {
          step: 'restart',
          action:
            'Restart the device (a TPM reset flushes all transient objects), or flush them now with tpm2_flushcontext -t. Then find the client that leaks them: software should use the resource manager (/dev/tpmrm0 on Linux) rather than /dev/tpm0.',
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
