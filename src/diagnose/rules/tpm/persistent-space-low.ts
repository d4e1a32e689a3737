import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/** Below this many free persistent-object slots, provisioning a new SRK/EK or key may fail. */
export const PERSISTENT_AVAIL_LOW = 2;

/**
 * tpm.persistent-space-low: TPM_PT_HR_PERSISTENT_AVAIL ("an estimate of the number of additional
 * persistent objects that could be loaded into NV memory", Part 2 §6.13) is below 2. Persistent
 * objects and NV indices share the TPM's NV memory, so this is also the NV-space signal: the next
 * TPM2_EvictControl or TPM2_NV_DefineSpace fails with TPM_RC_NV_SPACE (0x14B). Windows then cannot
 * persist a new SRK or EK after re-provisioning, nor define its counters.
 */
export const persistentSpaceLow: Rule = {
  ids: ['tpm.persistent-space-low'],
  evaluate(snapshot) {
    const capacity = snapshot.tpm?.capacity;
    const avail = capacity?.persistentAvailable;
    if (avail === null || avail === undefined || avail >= PERSISTENT_AVAIL_LOW) return [];
    const evidence: Evidence[] = [{ source: SOURCE.tpm, field: 'TPM_PT_HR_PERSISTENT_AVAIL', value: avail }];
    if (capacity?.persistentLoaded != null) {
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_HR_PERSISTENT', value: capacity.persistentLoaded });
    }
    if (capacity?.nvIndicesDefined != null) {
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_HR_NV_INDEX', value: capacity.nvIndicesDefined });
    }
    return [
      {
        id: 'tpm.persistent-space-low',
        severity: avail === 0 ? 'error' : 'warning',
        title:
          avail === 0
            ? 'The TPM has no room left for persistent objects'
            : 'The TPM is almost out of room for persistent objects',
        why: "Persistent keys and NV indices share the TPM's small NV memory. When it is full, persisting a key or defining an NV index fails with TPM_RC_NV_SPACE: Windows cannot persist a new SRK or EK when it re-provisions the TPM, and attestation and Windows Hello setup that need them fail.",
        impacts: ['windows-hello', 'attestation'],
        evidence,
        remedy: {
          step: 'reconfigure',
          action:
            'Remove persistent objects and NV indices nobody uses (see tpm.stale-objects for the list): tpm2_evictcontrol -C o -c HANDLE and tpm2_nvundefine INDEX with owner authorisation. Windows discards the owner authorisation since 1607, so on Windows the practical way to free the space is a clear, and only when the device can afford one (gated).',
          destroysKeys: false,
        },
        references: ['TCG TPM 2.0 Library Part 2 §6.13 TPM_PT_HR_PERSISTENT_AVAIL'],
      } satisfies Finding,
    ];
  },
};
