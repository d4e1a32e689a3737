import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { ev, yesNo } from './evidence.js';
import { REF } from './references.js';
import { dsregRaw, INTUNE_PROVIDER_ID, intuneEnrolled } from './signals.js';

const MDM_NOT_ENROLLED = 'mdm.not-enrolled';

const ENROLLMENTS_SOURCE = 'registry HKLM\\SOFTWARE\\Microsoft\\Enrollments';

/**
 * No Intune enrollment: none of the keys under HKLM\SOFTWARE\Microsoft\Enrollments has ProviderID
 * "MS DM Server" (DMClient CSP). Without it the PC is not managed by Intune at all: no sync, no
 * policy, no compliance. Silent when the enrollments were not collected (null).
 */
export const mdmNotEnrolled: Rule = {
  ids: [MDM_NOT_ENROLLED],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['mdm.not-enrolled'];
    const w = snapshot.windows;
    if (!w?.enrollments || intuneEnrolled(snapshot) !== false) return [];
    const providers = w.enrollments.map((e) => e.providerId).filter((p): p is string => p !== null);
    const evidence: Evidence[] = [
      ev(ENROLLMENTS_SOURCE, 'enrollment keys', w.enrollments.length),
      ev(ENROLLMENTS_SOURCE, 'ProviderID', providers.length > 0 ? providers.join(', ') : '(none)'),
    ];
    const d = w.dsregcmd;
    if (d) {
      evidence.push(ev('dsregcmd', 'AzureAdJoined', yesNo(d.azureAdJoined)));
      const mdmUrl = dsregRaw(d, 'MdmUrl');
      evidence.push(
        ev('dsregcmd', 'MdmUrl', mdmUrl === undefined || mdmUrl.trim() === '' ? '(empty)' : mdmUrl),
      );
    }
    return [
      {
        id: MDM_NOT_ENROLLED,
        severity: 'error',
        title: t.title,
        why: t.why({ providerId: INTUNE_PROVIDER_ID }),
        impacts: ['sync', 'compliance'],
        evidence,
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        references: [REF.dmClientCsp, REF.diagnoseMdm, REF.dsregcmd],
      },
    ];
  },
};
