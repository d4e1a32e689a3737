import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { clearNeededEvidence } from '../tpm/support.js';
import { osVolumeUnknown } from './bitlocker-volumes.js';
import { ev } from './evidence.js';
import { REF } from './references.js';

const BITLOCKER_NOT_READ = 'bitlocker.not-read';

/**
 * bitlocker.not-read: there is Windows evidence, but the OS volume's protectors are not known: no
 * BitLocker volume was read (the collector ran without administrator rights, or the bundle lacks
 * bitlocker.json / manage-bde.txt), the listing has no OS volume (only data or removable drives),
 * or the OS volume's protector list is incomplete (a text view without IDs, a listing cut off, an
 * ID that is not a GUID). Then nobody knows whether the OS volume has an escrowed recovery
 * password, and a clear could make its data unreadable: a clear must wait until the protectors
 * have been read.
 */
export const bitlockerNotRead: Rule = {
  ids: [BITLOCKER_NOT_READ],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['bitlocker.not-read'];
    const w = snapshot.windows;
    if (!w) return [];
    const unknown = osVolumeUnknown(w.bitlocker);
    if (unknown === null) return [];
    const problem = w.problems.find((p) => /bitlocker|manage-bde/i.test(p.source));
    return [
      {
        id: BITLOCKER_NOT_READ,
        // A note on its own; a warning when Windows says the TPM needs a clear, which this blocks.
        severity: clearNeededEvidence(snapshot).length > 0 ? 'warning' : 'info',
        title: t.title,
        why: t.why,
        impacts: ['bitlocker'],
        evidence: [
          ev('evidence', 'bitlocker', unknown),
          ev('evidence', 'elevated', w.elevated),
          ...(problem ? [ev(problem.source, 'problem', problem.message)] : []),
        ],
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        blocksClear: t.blocksClear,
        references: [REF.getBitLockerVolume, REF.manageBdeProtectors],
      } satisfies Finding,
    ];
  },
};
