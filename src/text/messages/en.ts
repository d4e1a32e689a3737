import { formatDuration } from '../duration.js';

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
  'fleet.campaign.stopped': (p: { id: string; command?: string }) =>
    `Stopped: "${p.command ?? `tpm-doctor fleet resume ${p.id}`}" resumes it.`,
  'fleet.campaign.abandoned': (p: { open: number }) =>
    `Abandoned: never posted again, never resumed; ${p.open} devices not done.`,
  'fleet.open.followed': 'followed',
  'fleet.open.no-longer-followed': 'no longer followed',
  'fleet.open.never-posted': 'will never be posted',
  'fleet.campaigns.none-yet': 'No campaigns yet.',
  'fleet.campaigns.created': (p: { at: string }) => `created ${p.at}`,
  'fleet.status.resume-options-dropped': (p: { options: string }) =>
    `Note: left out of the resume command, as stored values that are not valid (the store may have been edited): ${p.options}. Add them yourself if you know them.`,
  'fleet.status.store': (p: { store: string }) => `Store: ${p.store}`,
  'fleet.status.latest-triage': (p: { id: number; at: string; target: string }) =>
    `Latest triage: run ${p.id} at ${p.at} (${p.target})`,
  'fleet.status.no-triage': 'No triage yet ("tpm-doctor fleet triage").',
  'fleet.status.no-campaigns': 'No campaigns.',
  'fleet.status.compliant': (p: { compliant: string; total: number }) =>
    `${p.compliant}/${p.total} compliant`,

  // A clear run's result (src/cli/render/run-text.ts) and the inventory of what a clear deletes
  // (src/remedy/preflight/inventory.ts).
  'run.heading': (p: { id: string; status: string }) => `Run ${p.id}: ${p.status}`,
  'run.status.finished': 'FINISHED',
  'run.status.cleared': 'CLEARED',
  'run.status.waiting': 'WAITING',
  'run.status.rejected': 'REJECTED',
  'run.status.failed': 'FAILED',
  'run.status.abandoned': 'ABANDONED',
  'run.label.journal': 'journal',
  'run.label.receipt': 'receipt',
  'run.proof.proven': 'Proof: the clear happened and did what it must',
  'run.proof.not-proven': 'Proof: NOT PROVEN',
  'run.check.pass': 'pass',
  'run.check.fail': 'FAIL',
  'inventory.hierarchy.owner': 'owner hierarchy',
  'inventory.hierarchy.endorsement': 'endorsement hierarchy',
  'inventory.hierarchy.platform': 'platform hierarchy',
  'inventory.hierarchy.unknown': 'hierarchy unknown',
  'inventory.recreated': ' (recreated identically from the unchanged endorsement seed)',
  'inventory.nv-size': (p: { bytes: number }) => `(${p.bytes} bytes)`,

  // Fleet words and lines shown in the admin's language (src/fleet/campaign/, src/cli/fleet/).
  'fleet.action.sync': 'sync',
  'fleet.action.reboot': 'reboot',
  'fleet.action.remediate': 'remediate',
  'fleet.action.clear': 'clear',
  'fleet.state.running': 'running',
  'fleet.state.stopped': 'stopped',
  'fleet.state.finished': 'finished',
  'fleet.state.abandoned': 'abandoned',
  'fleet.phase-word.pending': 'pending',
  'fleet.phase-word.posting': 'posting',
  'fleet.phase-word.posted': 'posted',
  'fleet.phase-word.unconfirmed': 'unconfirmed',
  'fleet.phase-word.synced': 'synced',
  'fleet.phase-word.compliant': 'compliant',
  'fleet.phase-word.failed': 'failed',
  'fleet.phase-word.timed-out': 'timed-out',
  'fleet.waiting.pending': 'not posted',
  'fleet.waiting.posted': 'posted, no sync seen',
  'fleet.waiting.unconfirmed': 'post unconfirmed, no sync seen',
  'fleet.waiting.synced': 'synced, TPM settings still not compliant',
  'fleet.waiting.unfinished': 'not finished',
  'fleet.timed-out': (p: { waiting: string; deadline: string }) =>
    `${p.waiting} at the campaign deadline ${p.deadline}`,
  'fleet.interrupted-post':
    'interrupted between the posting mark and the answer: Graph may have acted; not sent again',
  'fleet.open.heading': 'Open',
  'fleet.abandon.heading': 'Not done',
  'fleet.progress.done': (p: { done: string; total: string }) => `${p.done}/${p.total} done`,
  'fleet.progress.pending': (p: { count: string }) => `pending ${p.count}`,
  'fleet.progress.awaiting-sync': (p: { count: string }) => `awaiting sync ${p.count}`,
  'fleet.progress.synced': (p: { count: string }) => `synced ${p.count}`,
  'fleet.progress.compliant': (p: { count: string }) => `compliant ${p.count}`,
  'fleet.progress.failed': (p: { count: string }) => `failed ${p.count}`,
  'fleet.progress.timed-out': (p: { count: string }) => `timed out ${p.count}`,
  'fleet.progress.rate': (p: { rate: string }) => `${p.rate} posts/s`,
  'fleet.progress.posting-eta': (p: { seconds: number }) => `posting done in ${formatDuration(p.seconds)}`,
  'fleet.progress.write-window': (p: { seconds: number }) =>
    `waiting for the next write window (${formatDuration(p.seconds)})`,
  'fleet.progress.earlier-write-window': (p: { seconds: number }) =>
    `waiting for the write window left by an earlier run (${formatDuration(p.seconds)})`,
  'fleet.progress.left': (p: { seconds: number }) => `${formatDuration(p.seconds)} left`,
  'fleet.dry-run.campaign': (p: {
    action: string;
    devices: number;
    writes: number;
    seconds: number;
    minimumSeconds: number;
  }) =>
    // Each device is one write, posted alone or in an executeAction call.
    `Dry run: would ${p.action} ${p.devices} device${p.devices === 1 ? '' : 's'}; ${
      p.minimumSeconds === 0
        ? `they fit in one write window (${p.writes} writes per ${p.seconds} s): posting starts at once`
        : `at ${p.writes} writes per ${p.seconds} s, posting takes at least ${formatDuration(p.minimumSeconds)}`
    }.`,
  'fleet.dry-run.nothing-posted': 'Nothing was posted.',
  'fleet.dry-run.not-the-remedy': (p: {
    action: string;
    devices: number;
    classTitle: string;
    remedy: string;
  }) =>
    `Warning: ${p.action} is not the remedy for ${p.devices} device${p.devices === 1 ? '' : 's'} of class "${p.classTitle}": ${p.remedy}`,
  'fleet.clear-plan.heading': (p: { selection: string; approval: string }) =>
    `Dry run: clear campaign, ${p.selection}; ${p.approval}.`,
  'fleet.clear-plan.no-approval': 'no approval given yet (--approved-by NAME --ticket ID)',
  'fleet.clear-plan.approved': (p: { by: string; ticket: string }) =>
    `approved by ${p.by}, ticket ${p.ticket}`,
  'fleet.clear-plan.would-clear': (p: { count: number }) =>
    `Would clear the TPM of ${p.count} device${p.count === 1 ? '' : 's'} (each behind its own preflight gate):`,
  'fleet.clear-plan.refused': (p: { count: number }) => `Refused ${p.count}:`,
  // A clear since the triage, or one still open (src/fleet/campaign/clears-since-triage.ts).
  'fleet.clear-refusal.cleared-since-triage': (p: { campaign: string; outcome: string; run: number }) =>
    `cleared by campaign ${p.campaign} (${p.outcome}) after triage ${p.run} was taken: run \`fleet triage\` again to see whether it still needs a clear`,
  'fleet.clear-refusal.open-campaign': (p: { campaign: string; state: string; outcome: string }) =>
    `in open clear campaign ${p.campaign} (${p.state}; this device: ${p.outcome}): \`fleet resume ${p.campaign}\` finishes it, \`fleet abandon ${p.campaign}\` ends it`,
  'fleet.stopping': '\ntpm-doctor: stopping: recording the actions in flight (Ctrl-C again to force)...\n',

  // The console's sentences: what its server answers in the admin's language (src/console/).
  'lab.tenant-label': 'LAB TENANT — simulated devices',
  'console.no-triage': (p: { tenant: string }) =>
    `No finished triage of ${p.tenant} in the store yet: run "tpm-doctor fleet triage" with the same connection options.`,
  'console.selection.by-id': (p: { count: number }) => `${p.count} device${p.count === 1 ? '' : 's'} by id`,
  'console.selection.triage': (p: {
    filters: string;
    classTitles: string | null;
    safetyTitles: string | null;
    others: string | null;
    run: string;
  }) => `${p.filters} in triage run ${p.run}`,
  'console.selection.latest': 'latest',
  'console.triage.finished': (p: { id: string; devices: string; needingAction: string }) =>
    `Triage run ${p.id} finished: ${p.devices} devices, ${p.needingAction} need action.`,
  'console.triage.failed': (p: { message: string }) => `The triage failed: ${p.message}`,
  'console.page.sign-in': 'Sign in',
  'console.page.sign-in-text':
    'Open the sign-in link that "tpm-doctor console" printed when it started (it works once).',
  'console.page.signed-in': 'Signed in',
  'console.page.opening': 'Opening the console…',
  'console.page.open-link': 'Open the console',
  'console.page.sign-in-refused': 'Sign-in refused',
  'console.page.link-used':
    'This sign-in link was already used (or a newer one was printed). For a new one, type "link" and press Enter in the terminal where "tpm-doctor console" runs.',
  'console.page.restarted': 'The console restarted',
  'console.page.restarted-text':
    'This browser\'s session was for an earlier run of "tpm-doctor console" (sessions end when it stops). Open the new sign-in link it printed when it started again, or type "link" and press Enter in its terminal for another.',
  'console.page.wrong-link': 'This is not the sign-in link the console printed.',
  'console.page.not-found': 'Not found',
  'console.page.no-page': 'No such page.',
  'console.error.internal': 'Internal error: see the console output.',
  'console.error.store': (p: { store: string }) =>
    `The fleet store ${p.store} could not be read: check it (the console's terminal says why), then reload this page.`,
  'console.error.session-ended':
    'The console restarted, so this session ended: open the new sign-in link it printed (or type "link" and press Enter in its terminal for another).',
  'console.error.not-signed-in': 'Not signed in: open the sign-in link the console printed.',
  'console.error.no-triage': 'No triage of this tenant yet.',
  'console.error.no-device': 'No such device in the latest triage.',
  'console.error.no-tpm': 'This console was started without a TPM to read.',
  'console.error.read-only': 'This console was started without a tenant connection: it only reads.',
  'console.refuse.no-finished-triage': 'No finished triage in the store: run a triage first.',
  'console.refuse.no-plan-id': 'A campaign starts from its dry run: "planId" is missing.',
  'console.refuse.plan-lapsed': 'No such dry run (or it lapsed): run the dry run again.',
  'console.refuse.approval-missing': 'A clear campaign needs who approved it and the ticket that records it.',
  'console.refuse.approval-text':
    "Approved by and ticket may hold only 1 to 100 letters, digits, spaces or . , _ @ ( ) / # : + ' - (they go into a command line on every device).",
  'console.refuse.approval-not-clear': 'Only a clear campaign takes an approval.',
  'console.refuse.not-confirmed': (p: { word: string }) =>
    `Not confirmed: type ${p.word} to start this campaign. Nothing was posted.`,
  'console.refuse.no-campaign': 'No such campaign of this tenant.',
  'console.refuse.not-running': 'This campaign is not running in this console.',
  'console.refuse.already-running': 'This campaign is already running.',
  'console.refuse.abandoned': 'This campaign was abandoned: it is never resumed; start a new campaign.',
  'console.refuse.finished': 'This campaign is finished.',
  'console.refuse.finished-abandon': 'This campaign is finished: nothing to abandon.',
  'console.refuse.triage-running': 'A triage is already running in this console.',
  'console.refuse.no-triage-here': 'No such triage in this console.',

  // tpm-doctor status (src/cli/render/status-text.ts).
  'status.heading': (p: { uri: string }) => `TPM status of ${p.uri}`,
  'status.lab': '   [LAB: throwaway software TPM, not this machine]',
  'status.yes': 'yes',
  'status.no': 'no',
  'status.YES': 'YES',
  'status.NO': 'NO',
  'status.unknown': 'unknown',
  'status.none': 'none',
  'status.none-parenthesised': '(none)',
  'status.label.present': 'Present',
  'status.present.not-started': 'yes, but not started (TPM2_Startup not sent)',
  'status.present.unknown': 'unknown (the TPM could not be reached; see below)',
  'status.label.summary': 'Summary',
  'status.summary': (p: {
    ready: string;
    enabled: string;
    ownerAuthSet: string;
    lockedOut: string;
    clearAllowed: string;
  }) =>
    `ready ${p.ready}, enabled ${p.enabled}, owner auth set ${p.ownerAuthSet}, locked out ${p.lockedOut}, clear allowed ${p.clearAllowed}`,
  'status.label.specification': 'Specification',
  'status.label.manufacturer': 'Manufacturer',
  'status.label.vendor-string': 'Vendor string',
  'status.label.firmware': 'Firmware',
  'status.label.self-test': 'Self test',
  'status.self-test.passed': 'passed',
  'status.self-test.failed': 'FAILED',
  'status.heading.flags': 'Flags',
  'status.heading.dictionary-attack': 'Dictionary attack protection',
  'status.label.locked-out': 'Locked out',
  'status.locked-out.yes': 'YES: DA-protected keys refuse authorisation',
  'status.label.failed-tries': 'Failed tries',
  'status.failed-tries': (p: { failed: number; max: number }) => `${p.failed} of ${p.max} allowed`,
  'status.label.recovery': 'Recovery',
  'status.recovery': (p: { every: string }) => `one failure forgiven every ${p.every}`,
  'status.label.lockout-retry': 'Lockout auth retry',
  'status.lockout-retry': (p: { after: string }) => `after ${p.after} following a wrong lockout auth`,
  'status.label.lockout-auth-set': 'Lockout auth set',
  'status.lockout-auth-set.yes': 'yes',
  'status.lockout-auth-set.no': 'no',
  'status.heading.pcr-banks': 'PCR banks',
  'status.label.allocated': 'Allocated',
  'status.heading.persistent': (p: { count: number }) => `Persistent objects (${p.count})`,
  'status.heading.nv': (p: { count: number }) => `NV indices (${p.count})`,
  'status.label.transient': 'Transient handles',
  'status.heading.capacity': 'Capacity',
  'status.label.persistent': 'Persistent objects',
  'status.capacity.persistent': (p: { stored: string; room: string }) =>
    `${p.stored} stored, room for ${p.room} more`,
  'status.label.transient-slots': 'Transient slots',
  'status.capacity.transient': (p: { free: string }) => `${p.free} free`,
  'status.label.nv': 'NV indices',
  'status.capacity.nv': (p: { defined: string }) => `${p.defined} defined`,
  'status.flags': (p: { set: string; clear: string }) => `set: ${p.set};  clear: ${p.clear}`,
  'status.pcr-count': (p: { count: number; ranges: string }) => `${p.count} PCRs (${p.ranges})`,
  'status.ek.subject': 'subject',
  'status.ek.issuer': 'issuer',
  'status.ek.valid': 'valid',
  'status.ek.matches': 'matches EK',
  'status.ek.valid-range': (p: { from: string; to: string }) => `${p.from} to ${p.to}`,
  'status.ek.not-valid-now': '  (NOT valid now)',
  'status.ek.matches.yes': 'yes',
  'status.ek.matches.no': 'NO: the certificate is for another key',
  'status.ek.matches.unknown': 'unknown',
  'status.ek.source.persistent': (p: { handle: string }) => ` (persistent EK ${p.handle})`,
  'status.ek.source.computed': ' (computed from the template)',
  'status.ek.error': (p: { error: string }) => `ERROR: ${p.error}`,
  'status.heading.ek-certificates': (p: { count: number }) => `Endorsement key certificates (${p.count})`,
  'status.label.none-in-nv': 'None in NV',
  'status.ek.none-in-nv': 'Intel PTT and AMD fTPM often keep them online instead',

  // The gate's checks (src/remedy/preflight/); the checks of a Windows device's BitLocker backups
  // and rights are not in the catalog yet and are shown in English.
  'gate.check.reason.decommission':
    'Purpose decommission (handover, sale or OS reinstall): no fault is needed, so the diagnosis is not consulted; the backup, approval and blocker checks still apply.',
  'gate.check.reason.recommended': (p: { because: string }) =>
    `The diagnosis reaches "clear" on the remedy ladder (because of ${p.because}) and nothing blocks it.`,
  'gate.check.reason.why-undiagnosable': 'nothing about this device could be read',
  'gate.check.reason.why-unknown': (p: { facts: string }) =>
    `facts a clear depends on are unknown (${p.facts})`,
  'gate.check.reason.why-blocked': (p: { findings: string }) =>
    `a clear is needed but blocked by ${p.findings}`,
  'gate.check.reason.why-safer': (p: { step: string; stepLabel: string }) =>
    `the safer next step is "${p.step}"`,
  'gate.check.reason.nothing-to-repair': 'Nothing needs repairing.',
  'gate.check.reason.not-justified': (p: { why: string; todo: string }) =>
    `A repair clear is not justified: ${p.why}. Do this instead: ${p.todo} (Use --purpose decommission only to hand over, sell or reinstall the device.)`,
  'gate.check.backup.not-windows':
    'No Windows volumes (not a Windows device): there is no BitLocker volume to protect.',
  'gate.check.rights.not-windows':
    'Not a Windows device, and this user could already talk to the TPM (the probe read it); no Windows administrator rights apply.',
  'gate.check.rights.lab-platform-disabled':
    'This lab TPM has the platform hierarchy disabled (phEnable clear, until the next TPM reset): power-cycle the lab TPM, or use --method lockout.',
  'gate.check.rights.lab-platform':
    'A lab TPM with the platform hierarchy enabled (phEnable set): TPM2_Clear can be authorised with platform authorisation.',
  'gate.check.rights.lab-no-ppi':
    'A lab TPM has no firmware to show a physical-presence prompt: use --method platform.',
  'gate.check.approval.recorded': (p: { by: string; ticket: string }) =>
    `approved by ${p.by} (ticket ${p.ticket}); recorded in the journal`,
  'gate.check.approval.not-windows-approved': (p: { recorded: string }) =>
    `Not an MDM-managed Windows device; ${p.recorded}.`,
  'gate.check.approval.not-windows':
    'Not an MDM-managed Windows device (no Windows evidence, not a Windows TPM): no approval is required.',
  'gate.check.approval.unread-approved': (p: { recorded: string }) =>
    `The MDM enrollment was not read; ${p.recorded}.`,
  'gate.check.approval.unread': (p: { approvalFlags: string; acknowledge: string }) =>
    `Whether this device is managed by Intune is unknown (the MDM enrollments were not read): record an approval with ${p.approvalFlags}, or acknowledge with ${p.acknowledge} if it is not company-managed.`,
  'gate.check.approval.not-mdm-approved': (p: { recorded: string }) =>
    `Not MDM-managed (no Intune enrollment); ${p.recorded}.`,
  'gate.check.approval.not-mdm': 'Not MDM-managed (no Intune enrollment): no approval is required.',
  'gate.check.approval.intune-approved': (p: { recorded: string }) => `Intune-managed device ${p.recorded}.`,
  'gate.check.approval.intune-missing': (p: {
    providerId: string;
    missingWho: boolean;
    missingTicket: boolean;
    approvalFlags: string;
  }) => {
    const lacking = [p.missingWho ? 'who approved it' : null, p.missingTicket ? 'the ticket' : null]
      .filter((x) => x !== null)
      .join(' and ');
    return `This device is managed by Intune (ProviderID "${p.providerId}"), so a clear needs a recorded approval and ${lacking} ${lacking.includes(' and ') ? 'are' : 'is'} missing: get the administrator's approval and run again with ${p.approvalFlags}.`;
  },
  'gate.check.disable-clear.pass': 'disableClear is not set: the TPM accepts TPM2_Clear.',
  'gate.check.disable-clear.why':
    'disableClear is set: TPM2_Clear fails with TPM_RC_DISABLED (0x120) with lockout or platform authorisation alike, and someone set it on purpose, so find out who and why first.',
  'gate.check.disable-clear.ppi': (p: { why: string; acknowledge: string }) =>
    `${p.why} A physical-presence clear (PPI operation 5 or 14) clears regardless (the firmware runs TPM2_ClearControl(NO) with platform authorisation first); once that is agreed, acknowledge with ${p.acknowledge}.`,
  'gate.check.disable-clear.fail': (p: { why: string; ppiFlag: string }) =>
    `${p.why} Only platform authorisation lifts it (TPM2_ClearControl(NO)): in the UEFI setup, with ${p.ppiFlag} (PPI operation 5 or 14 clears regardless), or on a lab TPM with tpm2_clearcontrol -C p c.`,
  'gate.check.lockout.remaining': (p: { seconds: number; failed: number; max: number; interval: number }) =>
    `about ${formatDuration(p.seconds)} remain with the device powered on (${p.failed} failures, ${p.max} allowed, one forgiven every ${formatDuration(p.interval)})`,
  'gate.check.lockout.never-heals':
    'this TPM never heals by waiting (LOCKOUT_INTERVAL or MAX_AUTH_FAIL is 0)',
  'gate.check.lockout.heal-time': (p: { healTime: string }) => `Windows reports a heal time of ${p.healTime}`,
  'gate.check.lockout.remaining-unknown': 'the remaining time is unknown',
  'gate.check.lockout.never-clear':
    'Never clear the TPM to escape a lockout: it heals, and a clear would destroy every key and hide whatever keeps failing.',
  'gate.check.lockout.fail': (p: { wait: string; never: string }) =>
    `The TPM is in dictionary-attack lockout: ${p.wait}. Wait, or reset it with the lockout authorisation (Windows: Unblock-Tpm or tpm.msc "Reset TPM Lockout"; Linux: tpm2_dictionarylockout --clear-lockout), never guessing that value. ${p.never}`,
  'gate.check.lockout.auth-blocked': (p: { recoverySeconds: number | null; never: string }) =>
    `The lockout authorisation is blocked (TPM_RC_LOCKOUT 0x921 after a wrong value): it is refused for up to ${p.recoverySeconds === null ? 'LOCKOUT_RECOVERY' : formatDuration(p.recoverySeconds)} of powered-on time after the last wrong try (or until a TPM reset if that is 0). Wait that long, then use the right value; never guess it. ${p.never}`,
  'gate.check.lockout.unread': (p: { acknowledge: string }) =>
    `The lockout state was not read (no TPM properties, tpmtool or Get-Tpm): give --tpm, or collect the evidence again elevated; or acknowledge with ${p.acknowledge}.`,
  'gate.check.lockout.pass': 'The TPM is not in dictionary-attack lockout.',
  'gate.check.firmware.default-action':
    "Update the TPM firmware with the PC maker's tool (BitLocker suspended), then collect and diagnose again.",
  'gate.check.firmware.fail': (p: { action: string }) =>
    `The TPM firmware is vulnerable and not yet updated; a clear now would only make new keys on the same firmware. Update the firmware first, then diagnose again: ${p.action}`,
  'gate.check.firmware.unread': (p: { acknowledge: string }) =>
    `The TPM firmware version was not read, so it cannot be checked against known vulnerabilities: give --tpm or fuller evidence, or acknowledge with ${p.acknowledge}.`,
  'gate.check.firmware.pass': (p: { version: string | null }) =>
    `No known vulnerability for this TPM firmware (${p.version ?? 'tpmtool: not vulnerable'}).`,
  'gate.check.inventory.pass': (p: {
    persistent: number | null;
    nv: number | null;
    windows: number | null;
  }) => {
    const counts = [
      `${p.persistent ?? 'an unknown number of'} persistent object(s)`,
      `${p.nv ?? 'an unknown number of'} non-platform NV index(es)`,
      ...(p.windows !== null ? [`${p.windows} Windows item(s)`] : []),
    ];
    return `The clear destroys ${counts.join(', ')}: review the inventory, and back up or plan to re-create anything on it before confirming.`;
  },

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
  // fleet triage: the classes, clear safety and the table and HTML report (src/fleet/triage/).
  'triage.class.healthy': 'Healthy',
  'triage.remedy.healthy': 'Nothing to do.',
  'triage.class.sync-stale': 'Sync stale',
  'triage.remedy.sync-stale':
    'Sync the device (tpm-doctor fleet sync); if it does not check in, have the user sign in online.',
  'triage.class.tpm-clear-candidate': 'TPM: clear candidate',
  'triage.remedy.tpm-clear-candidate':
    'Clear the TPM through the gated procedure (tpm-doctor clear on the device), only when clear safety is "safe".',
  'triage.class.tpm-wait': 'TPM: lockout (wait)',
  'triage.remedy.tpm-wait':
    'Wait out the dictionary-attack lockout (or reset it with the lockout authorisation); do not clear.',
  'triage.class.tpm-firmware': 'TPM: firmware update',
  'triage.remedy.tpm-firmware':
    "Update the TPM firmware with the PC maker's update (suspend BitLocker first); do not clear first.",
  'triage.class.tpm-absent': 'TPM: not present',
  'triage.remedy.tpm-absent':
    'Intune sees no TPM: enable the TPM (PTT/fTPM) in the UEFI firmware setup; a clear cannot help.',
  'triage.class.secure-boot': 'Secure Boot off',
  'triage.remedy.secure-boot':
    'Turn Secure Boot on in the UEFI firmware setup (a firmware setting, not the TPM), then restart.',
  'triage.class.bitlocker': 'BitLocker off',
  'triage.remedy.bitlocker':
    'Enable BitLocker on the OS volume with a TPM protector and a recovery password escrowed to Entra ID.',
  'triage.class.attestation': 'Attestation stale',
  'triage.remedy.attestation':
    'Restart the device, then sync: a fresh health attestation report re-evaluates the setting.',
  'triage.class.device-action': 'Device diagnosis',
  'triage.remedy.device-action':
    "Follow the device's own diagnosis (its Remediations evidence): the step is in the reasons.",
  'triage.class.non-compliant-other': 'Non-compliant (not TPM)',
  'triage.remedy.non-compliant-other':
    'Non-compliant for settings unrelated to the TPM: see the device in the Intune admin center.',
  'triage.class.unknown': 'Unknown',
  'triage.remedy.unknown':
    'Not enough data to classify: collect evidence with the Remediations script, or look at the device.',
  'triage.remedy.collect-evidence-first':
    'Collect the device\'s evidence first ("tpm-doctor fleet remediate"): a clear is proposed only when its own diagnosis agrees and the escrowed recovery key matches its protector.',
  'triage.safety.safe': 'Safe to clear',
  'triage.safety.blocked': 'Clear blocked',
  'triage.safety.not-the-remedy': 'Clear is not the remedy',
  'triage.safety.unknown': 'Clear safety unknown',
  'triage.clear-word.safe': 'safe',
  'triage.clear-word.blocked': 'blocked',
  'triage.clear-word.not-the-remedy': 'not-the-remedy',
  'triage.clear-word.unknown': 'unknown',
  'triage.sync-age.under-1d': '< 1 day',
  'triage.sync-age.1-7d': '1–7 days',
  'triage.sync-age.7-30d': '7–30 days',
  'triage.sync-age.30-90d': '30–90 days',
  'triage.sync-age.over-90d': '> 90 days',
  'triage.sync-age.never': 'never',
  'triage.table.lab-banner': '*** LAB TENANT — simulated devices ***',
  'triage.table.lab-in-process': (p: { devices: string; seed: string }) =>
    `LAB tenant in-process (${p.devices} simulated devices, seed ${p.seed})`,
  'triage.progress': (p: { listed: number; classified: number; detailed: number; requests: number }) =>
    `triage: ${p.listed} listed, ${p.classified} classified, ${p.detailed} detailed, ${p.requests} Graph requests`,
  'triage.progress.done': (p: { devices: number; detailed: number; requests: number }) =>
    `triage: ${p.devices} listed and classified, ${p.detailed} detailed, ${p.requests} Graph requests`,
  'triage.started': (p: { target: string }) => `tpm-doctor: triage of ${p.target}`,
  'triage.finished': (p: { devices: number; needingAction: number; requests: number; perDevice: string }) =>
    `tpm-doctor: ${p.devices} devices, ${p.needingAction} need action; ${p.requests} Graph requests (${p.perDevice} per device)`,
  'triage.finished.stored': (p: { id: number; store: string }) =>
    `; stored as triage run ${p.id} in ${p.store}`,
  'triage.finished.report': (p: { file: string }) => `; report: ${p.file}`,
  'triage.table.heading': (p: { target: string }) => `Fleet triage of ${p.target}:`,
  'triage.table.counts': (p: { devices: number; needingAction: number }) =>
    `${p.devices} Windows devices, ${p.needingAction} need action.`,
  'triage.table.warning': (p: { warning: string }) => `warning: ${p.warning}`,
  'triage.table.as-cause': 'as for its cause (above)',
  'triage.table.own-step': (p: { n: number }) => `own step ${p.n} (below)`,
  'triage.table.own-steps': "The devices' own steps (from their own diagnosis):",
  'triage.column.device': 'Device',
  'triage.column.class': 'Class',
  'triage.column.clear': 'Clear',
  'triage.column.last-sync': 'Last sync',
  'triage.column.blocked-by': 'Clear blocked by',
  'triage.column.next-step': 'Next step',
  'triage.never': 'never',
  'triage.table.more': (p: { count: number }) => `... and ${p.count} more (see the CSV or JSON report).`,
  'triage.html.title': 'TPM fleet triage',
  'triage.html.generated': (p: { target: string; at: string }) => `${p.target}. Generated ${p.at}.`,
  'triage.kpi.devices': 'Windows devices',
  'triage.kpi.healthy': 'Healthy',
  'triage.kpi.need-action': 'Need action',
  'triage.kpi.clear-safe': 'TPM clear safe',
  'triage.kpi.clear-safe-note': 'escrowed key matches',
  'triage.kpi.clear-blocked': 'TPM clear blocked',
  'triage.kpi.clear-blocked-note': 'see why below',
  'triage.kpi.percent': (p: { percent: string }) => `${p.percent}% of the fleet`,
  'triage.chart.by-cause': 'Devices needing action, by cause',
  'triage.chart.clear-safety': 'Where a TPM clear is the remedy: is it safe?',
  'triage.chart.last-sync': 'Last sync with Intune',
  'triage.chart.last-sync-bar': (p: { age: string }) => `Last sync ${p.age}`,
  'triage.html.remedies': 'What to do, by cause',
  'triage.html.nothing-to-do': 'Nothing to do.',
  'triage.html.devices': 'Devices needing action, most urgent first',
  'triage.html.none': 'None.',
  'triage.html.column.device': 'Device and user',
  'triage.html.column.cause': 'Cause',
  'triage.html.column.clear': 'Clear',
  'triage.html.column.last-sync': 'Last sync',
  'triage.html.column.why': 'Why (open a line for all of it)',
  'triage.html.clear-blocked': (p: { reason: string }) => `Clear blocked: ${p.reason}`,
  'triage.html.own-step': (p: { step: string }) => `This device's own step: ${p.step}`,
  'triage.html.more-items': (p: { count: number }) => ` (+${p.count} more)`,
  'triage.html.omitted': (p: { count: string }) =>
    `${p.count} more devices need action; the CSV and JSON reports list every device.`,
};

export type UiMessages = typeof EN;
