/**
 * Every message of tpm-doctor's human output that is translated, in English, keyed by a stable
 * message ID. English is the fallback: a message another language lacks is shown from here
 * (src/text/messages/catalog.ts). A message with values is a function of them, so each language
 * orders the sentence its own way. Finding texts are in en-findings.ts, keyed by finding ID.
 */
export const EN = {
  // The verdict (src/diagnose/verdict.ts).
  'verdict.nothing-read.sources': (p: { reasons: string }) =>
    `Nothing in the evidence could be read: ${p.reasons}. Collect it again (tpm-doctor collect, or collect-evidence.ps1 -Full as administrator).`,
  'verdict.nothing-read.unreached': (p: { reasons: string; collectAgain: boolean }) =>
    `Nothing could be read: ${p.reasons}.${p.collectAgain ? ' Collect it again (tpm-doctor collect, or collect-evidence.ps1 -Full as administrator).' : ''}`,
  'verdict.nothing-read': 'Nothing could be read: give a TPM (--tpm) or an evidence bundle (--evidence).',
  'verdict.incomplete': (p: { reasons: string }) =>
    `The evidence is incomplete: ${p.reasons}. Collect it again as an administrator (tpm-doctor collect, or collect-evidence.ps1 -Full from an elevated PowerShell) before acting on it.`,
  'verdict.healthy': 'Nothing to do: the TPM is healthy.',
  'verdict.review-warnings': 'Nothing to change; review the warnings.',
  'verdict.clear-blocked': (p: { reasons: string; collectFirst: boolean }) =>
    `A clear is needed but must not be done now: ${p.reasons}${p.collectFirst ? ' Collect the missing evidence first.' : ''}`,

  // diagnose's screen (src/cli/render/diagnosis-text.ts).
  'diagnosis.heading': (p: { source: string }) => `Diagnosis of ${p.source}`,
  'diagnosis.source.evidence': (p: { origin: string }) => `evidence ${p.origin}`,
  'diagnosis.source.nothing': 'nothing',
  'diagnosis.lab': (p: { scenarios: string }) => `[LAB: throwaway software TPM, scenario ${p.scenarios}]`,
  'diagnosis.label.verdict': 'Verdict',
  'diagnosis.label.next-step': 'Next step',
  'diagnosis.label.clear': 'Clear TPM?',
  'diagnosis.status.healthy': 'HEALTHY',
  'diagnosis.status.warnings': 'WARNINGS',
  'diagnosis.status.errors': 'PROBLEMS FOUND',
  'diagnosis.status.incomplete': 'INCOMPLETE EVIDENCE',
  'diagnosis.status.undiagnosable': 'COULD NOT DIAGNOSE',
  'diagnosis.step.none': 'nothing to do',
  'diagnosis.step.wait': 'wait',
  'diagnosis.step.reset-lockout': 'reset the lockout',
  'diagnosis.step.restart': 'restart',
  'diagnosis.step.update': 'update firmware or Windows',
  'diagnosis.step.reconfigure': 'change a setting',
  'diagnosis.step.clear': 'clear the TPM (gated: tpm-doctor clear)',
  'diagnosis.step.collect': 'collect the missing evidence',
  'diagnosis.clear.yes': 'YES',
  'diagnosis.clear.yes-detail':
    ', as the last rung: run tpm-doctor clear, which checks backups and approval first',
  'diagnosis.clear.no': 'NO',
  'diagnosis.clear.no-detail': ', it would be wrong now:',
  'diagnosis.clear.not-needed': 'no',
  'diagnosis.severity.error': (p: { count: number }) => `Errors (${p.count})`,
  'diagnosis.severity.warning': (p: { count: number }) => `Warnings (${p.count})`,
  'diagnosis.severity.info': (p: { count: number }) => `Notes (${p.count})`,
  'diagnosis.finding.why': 'why: ',
  'diagnosis.finding.fix': 'fix: ',
  'diagnosis.finding.see-next-step': 'the next step above',
  'diagnosis.finding.destroys-keys': ' (destroys keys)',
  'diagnosis.no-findings': 'No findings.',
  'diagnosis.could-not-read': 'Could not read',
  'diagnosis.rule-failed': (p: { rule: string; message: string }) =>
    `rule ${p.rule} failed (a tpm-doctor bug): ${p.message}`,
  'diagnosis.not-known': 'Not known (a clear waits for these)',
  'diagnosis.not-understood': 'Read, but not understood',
  'diagnosis.not-understood.item': (p: { file: string; message: string }) => `${p.file} (read): ${p.message}`,
  'diagnosis.more': 'Evidence for each finding: --verbose.  IDs: docs/findings.md',

  // tpm-doctor clear (src/cli/commands/clear.ts, src/cli/confirm-clear.ts).
  'clear.heading': (p: { uri: string }) => `Clear of ${p.uri}`,
  'clear.diagnosis': (p: {
    status: string;
    step: string;
    statusLabel: string;
    stepLabel: string;
    clearIsFix: boolean;
  }) => `Diagnosis: ${p.status}, next step ${p.step}${p.clearIsFix ? ' (a clear is the fix)' : ''}`,
  'clear.confirm': '\nThis deletes the keys listed above.',
  'clear.confirm-type': (p: { word: string }) => ` Type ${p.word} to continue: `,
  'clear.not-confirmed': 'Not confirmed: nothing was changed.',

  // Refusals of a clear or a resume before anything is done (src/plan/).
  'refusal.no-lockout-value':
    'this TPM has no lockout authorization value set (lockoutAuthSet is clear): do not pass one; a wrong value would block lockout authorisation for the recovery time',
  'refusal.ppi-on-lab': 'a lab TPM has no firmware to show a physical-presence prompt: use --method platform',
  'refusal.resume-on-lab': 'a lab TPM lives only for one command; there is nothing to resume on it',
  'refusal.unfinished-run': (p: { runs: string }) =>
    `run ${p.runs} is not finished: continue it with "tpm-doctor resume" or end it with "tpm-doctor abandon RUN-ID" before starting another clear`,

  // Fleet summaries (src/fleet/campaign/campaign-status.ts, src/cli/fleet/status-command.ts).
  'fleet.campaign.heading': (p: { id: string; action: string; status: string }) =>
    `Campaign ${p.id}: ${p.action}, ${p.status}`,
  'fleet.campaign.target': 'Target:',
  'fleet.campaign.selection': 'Selection:',
  'fleet.campaign.created': 'Created:',
  'fleet.campaign.deadline': 'Deadline:',
  'fleet.campaign.devices': 'Devices:',
  'fleet.campaign.device-count': (p: { total: number; done: number; open: number }) =>
    `${p.total} (${p.done} done, ${p.open} open)`,
  'fleet.campaign.script': (p: { id: string }) => `Remediations script package: ${p.id}`,
  'fleet.phase.pending': 'not posted yet',
  'fleet.phase.posting': 'being posted',
  'fleet.phase.posted': 'posted, waiting for the device to sync',
  'fleet.phase.unconfirmed': 'maybe posted (interrupted), waiting for a sync',
  'fleet.phase.synced': 'synced, waiting for TPM settings to turn compliant',
  'fleet.phase.compliant': 'compliant',
  'fleet.phase.failed': 'refused by Graph',
  'fleet.phase.timed-out': 'timed out',
  'fleet.phase.remediate-synced': 'evidence reported',
  'fleet.phase.clear-posted': 'posted, waiting for the clear to report',
  'fleet.phase.clear-synced': 'cleared and proven, waiting for restart and compliance',
  'fleet.phase.clear-failed': 'refused or failed (TPM not cleared)',
  'fleet.campaign.problems': 'Devices that need a look:',
  'fleet.campaign.more': (p: { count: number }) => `... and ${p.count} more (--json lists them)`,
  'fleet.campaign.stopped': (p: { id: string }) => `Stopped: "tpm-doctor fleet resume ${p.id}" resumes it.`,
  'fleet.campaign.abandoned': (p: { open: number }) =>
    `Abandoned: never posted again, never resumed; ${p.open} devices not done.`,
  'fleet.campaigns.none-yet': 'No campaigns yet.',
  'fleet.campaigns.created': (p: { at: string }) => `created ${p.at}`,
  'fleet.status.store': (p: { store: string }) => `Store: ${p.store}`,
  'fleet.status.latest-triage': (p: { id: number; at: string; target: string }) =>
    `Latest triage: run ${p.id} at ${p.at} (${p.target})`,
  'fleet.status.no-triage': 'No triage yet ("tpm-doctor fleet triage").',
  'fleet.status.no-campaigns': 'No campaigns.',
  'fleet.status.compliant': (p: { compliant: string; total: number }) =>
    `${p.compliant}/${p.total} compliant`,

  // The clear's preflight gate (src/cli/render/gate-text.ts).
  'gate.heading': 'Preflight gate',
  'gate.mark.pass': 'pass',
  'gate.mark.fail': 'FAIL',
  'gate.mark.unknown': 'UNKNOWN',
  'gate.acknowledged': ' (acknowledged)',
  'gate.loss.heading': 'What the clear will destroy',
  'gate.loss.nothing': "nothing beyond the storage and endorsement hierarchies' secrets",
  'gate.loss.persistent': (p: { handle: string }) => `persistent object ${p.handle}`,
  'gate.loss.nv': (p: { index: string }) => `NV index ${p.index}`,
  'gate.result': 'Gate: ',
  'gate.passed': 'PASSED',
  'gate.refused': 'REFUSED',
  'gate.refused-detail': ' (nothing on the TPM was changed)',
};

export type UiMessages = typeof EN;
