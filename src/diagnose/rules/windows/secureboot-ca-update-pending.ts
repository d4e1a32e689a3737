import type { WindowsEvent } from '../../../snapshot/windows-evidence.js';
import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Rule } from '../../rule.js';
import { eventEvidence, eventsOf, newestFirst, PROVIDER } from './evidence.js';
import { REF } from './references.js';

const SECUREBOOT_CA_UPDATE_PENDING = 'secureboot.ca-update-pending';

/** TPM-WMI 1801: "Secure Boot CA/keys need to be updated" (KB5016061). */
const PENDING = 1801;
/** TPM-WMI 1795/1796: the firmware returned an error while Windows applied a Secure Boot update (KB5016061). */
const FIRMWARE_ERRORS = [1795, 1796];
/** TPM-WMI 1808: "This device has updated Secure Boot CA/keys" (KB5016061). */
const UPDATED = 1808;

function time(e: WindowsEvent): number {
  return e.timeCreated === null ? Number.NaN : Date.parse(e.timeCreated);
}

/**
 * Windows has new Secure Boot certificates (the 2023 CAs replacing the 2011 ones that expire from
 * June 2026) that are not yet in the firmware: TPM-WMI 1801, or 1795/1796 when the firmware refused
 * them, and no later 1808. The events come from the TPM-WMI provider and 1801 is logged at Error
 * level, so admins read them as a TPM fault; they are not one, and a TPM clear does nothing for
 * them. Info only: the remedy is Windows and firmware updates, never a clear. Silent once an 1808
 * is logged after the newest pending event (or when either is undated and an 1808 exists).
 */
export const securebootCaUpdatePending: Rule = {
  ids: [SECUREBOOT_CA_UPDATE_PENDING],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['secureboot.ca-update-pending'];
    const pending = eventsOf(snapshot, PROVIDER.tpmWmi, [PENDING, ...FIRMWARE_ERRORS]);
    if (pending.length === 0) return [];
    const updated = eventsOf(snapshot, PROVIDER.tpmWmi, [UPDATED]);
    const newestPending = newestFirst(pending)[0]!;
    const newestUpdated = newestFirst(updated)[0];
    if (newestUpdated !== undefined) {
      const p = time(newestPending);
      const u = time(newestUpdated);
      if (Number.isNaN(p) || Number.isNaN(u) || u >= p) return [];
    }
    const firmwareRefused = pending.some((e) => FIRMWARE_ERRORS.includes(e.id));
    return [
      {
        id: SECUREBOOT_CA_UPDATE_PENDING,
        severity: 'info',
        title: t.title,
        why: t.why,
        impacts: ['security'],
        evidence: eventEvidence(pending),
        remedy: {
          step: 'update',
          action: t.action({ firmwareRefused }),
          destroysKeys: false,
        },
        references: [REF.secureBootEvents, REF.secureBootCertificates],
      },
    ];
  },
};
