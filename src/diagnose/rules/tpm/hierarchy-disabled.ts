import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/**
 * tpm.hierarchy-disabled: TPMA_STARTUP_CLEAR.shEnable or ehEnable is clear (Part 2 §8.7), so the
 * storage hierarchy (every Windows key: BitLocker, Windows Hello, the device key) or the
 * endorsement hierarchy (the EK, attestation, Autopilot) is unusable. These flags are set again by
 * TPM2_Startup(CLEAR), i.e. at every full restart (Part 1, hierarchy enables are
 * TPMA_STARTUP_CLEAR); resume from hibernation (TPM2_Startup(STATE)) keeps them. A firmware or
 * boot component that disables a hierarchy at every boot (TPM2_HierarchyControl) needs its
 * setting changed or an update. phEnable is not checked: firmware may legitimately disable the
 * platform hierarchy before handing over to the OS.
 */
export const hierarchyDisabled: Rule = {
  ids: ['tpm.hierarchy-disabled'],
  evaluate(snapshot) {
    const startup = snapshot.tpm?.startupClear;
    if (!startup) return [];
    const evidence: Evidence[] = [];
    const storage = startup.flags.shEnable === false;
    const endorsement = startup.flags.ehEnable === false;
    if (storage) evidence.push({ source: SOURCE.tpm, field: 'TPMA_STARTUP_CLEAR.shEnable', value: false });
    if (endorsement)
      evidence.push({ source: SOURCE.tpm, field: 'TPMA_STARTUP_CLEAR.ehEnable', value: false });
    if (evidence.length === 0) return [];
    evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_STARTUP_CLEAR', value: startup.value });
    // Persistent keys of a disabled hierarchy are listed but cannot be used or even read.
    for (const o of snapshot.tpm?.persistentObjects ?? []) {
      if (typeof o.error === 'string') {
        evidence.push({
          source: SOURCE.tpm,
          field: `persistent object ${o.handle}`,
          value: `unreadable: ${o.error}`,
        });
      }
    }
    const which = [storage ? 'storage' : null, endorsement ? 'endorsement' : null]
      .filter(Boolean)
      .join(' and ');
    return [
      {
        id: 'tpm.hierarchy-disabled',
        severity: 'error',
        title: `The TPM ${which} hierarchy is disabled`,
        why: [
          storage
            ? 'With the storage hierarchy disabled no key under the SRK can be loaded: BitLocker cannot unseal with the TPM, Windows Hello and the Entra ID device key (needed for sync) fail.'
            : null,
          endorsement
            ? 'With the endorsement hierarchy disabled the EK cannot be used: device health attestation, Windows enrollment attestation and Autopilot TPM attestation fail, and compliance that relies on them too.'
            : null,
        ]
          .filter(Boolean)
          .join(' '),
        impacts: storage
          ? ['bitlocker', 'windows-hello', 'sync', 'compliance', 'attestation']
          : ['attestation', 'compliance'],
        evidence,
        remedy: {
          step: 'restart',
          action:
            'Restart the device (a full restart, not resume from hibernation or Fast Startup): TPM2_Startup(CLEAR) at boot enables the storage and endorsement hierarchies again. If it is disabled again after the restart, a firmware setting or boot component disables it: check the UEFI TPM settings and update the firmware.',
          destroysKeys: false,
        },
        references: [
          'TCG TPM 2.0 Library Part 2 §8.7 TPMA_STARTUP_CLEAR; Part 3 §24.2 TPM2_HierarchyControl',
        ],
      } satisfies Finding,
    ];
  },
};
