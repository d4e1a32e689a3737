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
