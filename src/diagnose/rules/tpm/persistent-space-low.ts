import type { Capacity } from '../../../snapshot/tpm-status.js';
import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE, tpmErrorsWithCode } from './support.js';

/** Below this many free persistent-object slots, provisioning a new SRK/EK or key may fail. */
const PERSISTENT_AVAIL_LOW = 2;

/** TPM_RC_NV_SPACE as Windows reports it (TPM_20_E_NV_SPACE: 0x80280000 + the TPM 2.0 code 0x14B). */
const WINDOWS_NV_SPACE = '0x8028014b';

/**
 * NV room for a new ordinary NV index, counted in persistent-object slots: the free slots
 * (TPM_PT_HR_PERSISTENT_AVAIL) minus those the TPM keeps for reaching TPM_PT_HR_PERSISTENT_MIN
 * persistent objects. The reference implementation (NvTestSpace in NvDynamic.c, TPM 2.0 Library
 * reference code) refuses TPM2_NV_DefineSpace with TPM_RC_NV_SPACE when the index would eat into
 * that reservation, so with 0 left here an NV index is refused although PERSISTENT_AVAIL is not 0.
 * Null when a value is missing.
 */
export function nvIndexRoom(capacity: Capacity | null | undefined): number | null {
  const avail = capacity?.persistentAvailable;
  const min = capacity?.persistentMin;
  const loaded = capacity?.persistentLoaded;
  if (avail == null || min == null || loaded == null) return null;
  return avail - Math.max(0, min - loaded);
}

/**
 * tpm.persistent-space-low: the TPM's NV memory is (nearly) full, read from what the TPM refuses:
 * - a section failed with TPM_RC_NV_SPACE (0x14B), or Windows logged TPM_20_E_NV_SPACE
 *   (0x8028014B) in an event or dsregcmd: the TPM refused;
 * - no room left for an NV index after the persistent-object reservation (nvIndexRoom < 1): the
 *   next TPM2_NV_DefineSpace fails with TPM_RC_NV_SPACE, though persistent objects still fit;
 * - TPM_PT_HR_PERSISTENT_AVAIL ("an estimate of the number of additional persistent objects that
 *   could be loaded into NV memory", Part 2 §6.13) below 2: the next TPM2_EvictControl may fail.
 * Windows then cannot persist a new SRK or EK after re-provisioning, nor define its counters.
 */
export const persistentSpaceLow: Rule = {
  ids: ['tpm.persistent-space-low'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.persistent-space-low'];
    const capacity = snapshot.tpm?.capacity;
    const avail = capacity?.persistentAvailable;
    const room = nvIndexRoom(capacity);
    const refusals = tpmErrorsWithCode(snapshot, 'TPM_RC_NV_SPACE');
    const windowsRefusals = [
      ...(snapshot.windows?.events ?? []).filter((e) => e.message.toLowerCase().includes(WINDOWS_NV_SPACE)),
    ];
    const dsregRefused = snapshot.windows?.dsregcmd?.errorCodes.includes(WINDOWS_NV_SPACE) ?? false;
    const refused = refusals.length > 0 || windowsRefusals.length > 0 || dsregRefused;
    const noIndexRoom = room !== null && room < 1;
    const fewSlots = avail != null && avail < PERSISTENT_AVAIL_LOW;
    if (!refused && !noIndexRoom && !fewSlots) return [];
    const evidence: Evidence[] = [];
    for (const e of refusals)
      evidence.push({ source: SOURCE.tpm, field: `${e.section} error`, value: `${e.code}: ${e.message}` });
    for (const e of windowsRefusals.slice(0, 3)) {
      evidence.push({
        source: SOURCE.systemLog,
        field: `${e.provider} event ${e.id}${e.timeCreated ? ` at ${e.timeCreated}` : ''}`,
        value: WINDOWS_NV_SPACE,
      });
    }
    if (dsregRefused) evidence.push({ source: 'dsregcmd', field: 'error code', value: WINDOWS_NV_SPACE });
    if (avail != null)
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_HR_PERSISTENT_AVAIL', value: avail });
    if (capacity?.persistentLoaded != null) {
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_HR_PERSISTENT', value: capacity.persistentLoaded });
    }
    if (capacity?.persistentMin != null && (noIndexRoom || refused)) {
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_HR_PERSISTENT_MIN', value: capacity.persistentMin });
    }
    if (capacity?.nvIndicesDefined != null) {
      evidence.push({ source: SOURCE.tpm, field: 'TPM_PT_HR_NV_INDEX', value: capacity.nvIndicesDefined });
    }
    const full = refused || noIndexRoom || avail === 0;
    return [
      {
        id: 'tpm.persistent-space-low',
        severity: full ? 'error' : 'warning',
        title: refused
          ? t.titleRefused
          : noIndexRoom
            ? t.titleNoIndexRoom
            : avail === 0
              ? t.titleFull
              : t.titleLow,
        why: t.why,
        impacts: ['windows-hello', 'attestation'],
        evidence,
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        references: [
          'TCG TPM 2.0 Library Part 2 §6.13 TPM_PT_HR_PERSISTENT_AVAIL, TPM_PT_HR_PERSISTENT_MIN',
          'TCG TPM 2.0 Library Part 2 §6.6 TPM_RC_NV_SPACE',
        ],
      } satisfies Finding,
    ];
  },
};
