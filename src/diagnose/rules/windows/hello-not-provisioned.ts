import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { ev, eventEvidence, eventsOf, PROVIDER, yesNo } from './evidence.js';
import { REF } from './references.js';
import { dsregRaw, intuneEnrolled, userStateReadable } from './signals.js';

const HELLO_NOT_PROVISIONED = 'hello.not-provisioned';

/** System/TPM event 33: "TPM has been cleared as requested by ..." (docs/clear.md, the Windows runbook). */
const TPM_CLEARED_EVENT = 33;

/**
 * No Windows Hello key for the signed-in user on a managed PC: dsregcmd "NgcSet : NO" (dsregcmd doc:
 * YES "if a Windows Hello key is set for the current logged-in user"). Hello keys live in the TPM,
 * so after a clear the PIN must always be set up again (Settings > Accounts > Sign-in options). A warning when
 * something expects Hello (the Ngc Prerequisite Check shows PolicyEnabled : YES) or the TPM was
 * cleared (event 33); otherwise info, since many users simply never set up a PIN.
 *
 * Read only when dsregcmd ran in the user's context (as SYSTEM the User State is not the user's).
 */
export const helloNotProvisioned: Rule = {
  ids: [HELLO_NOT_PROVISIONED],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['hello.not-provisioned'];
    const d = snapshot.windows?.dsregcmd;
    if (d?.ngcSet !== false || !userStateReadable(d)) return [];
    const managed = d.azureAdJoined === true || intuneEnrolled(snapshot) === true;
    if (!managed) return [];

    const evidence: Evidence[] = [ev('dsregcmd', 'NgcSet', yesNo(d.ngcSet))];
    const policy = dsregRaw(d, 'PolicyEnabled');
    if (policy !== undefined) evidence.push(ev('dsregcmd', 'PolicyEnabled', policy));
    const prereq = dsregRaw(d, 'PreReqResult');
    if (prereq !== undefined) evidence.push(ev('dsregcmd', 'PreReqResult', prereq));
    const cleared = eventsOf(snapshot, PROVIDER.tpmDriver, [TPM_CLEARED_EVENT]);
    evidence.push(...eventEvidence(cleared, 1));

    const expected = policy !== undefined && /^\s*yes/i.test(policy);
    return [
      {
        id: HELLO_NOT_PROVISIONED,
        severity: expected || cleared.length > 0 ? 'warning' : 'info',
        title: t.title,
        why: t.why({ cleared: cleared.length > 0 }),
        impacts: ['windows-hello'],
        evidence,
        remedy: {
          step: 'reconfigure',
          action: t.action,
          destroysKeys: false,
        },
        references: [REF.dsregcmd, REF.helloForBusiness],
      },
    ];
  },
};
