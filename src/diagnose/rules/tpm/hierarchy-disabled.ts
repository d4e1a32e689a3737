import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
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
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.hierarchy-disabled'];
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
    return [
      {
        id: 'tpm.hierarchy-disabled',
        severity: 'error',
        title: t.title({ storage, endorsement }),
        why: t.why({ storage, endorsement }),
        impacts: storage
          ? ['bitlocker', 'windows-hello', 'sync', 'compliance', 'attestation']
          : ['attestation', 'compliance'],
        evidence,
        remedy: {
          step: 'restart',
          action: t.action,
          destroysKeys: false,
        },
        references: [
          'TCG TPM 2.0 Library Part 2 §8.7 TPMA_STARTUP_CLEAR; Part 3 §24.2 TPM2_HierarchyControl',
        ],
      } satisfies Finding,
    ];
  },
};
