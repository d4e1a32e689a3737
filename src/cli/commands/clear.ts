import { EXIT } from '../../exit-codes.js';
import { ClearRequestRefusal } from '../../plan/clear-request-refusal.js';
import {
  type ClearRequest,
  executeClear,
  type PreparedClear,
  prepareClear,
  readClearEvidence,
} from '../../plan/clear-session.js';
import { ppiTargetRefusal } from '../../plan/ppi-target-refusal.js';
import type { ClearRunResult } from '../../remedy/clear/clear-run.js';
import { parseEscrowVerification } from '../../remedy/preflight/escrow-verification.js';
import type { CheckId, ClearMethod, ClearPurpose } from '../../remedy/preflight/gate.js';
import { runCatalogDir } from '../../remedy/run-catalog.js';
import { ENGLISH, loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { wrapParagraph } from '../../text/wrap.js';
import { TPM_URI_FORMS } from '../../tpm/transport/open-transport.js';
import { parseVerbArgs } from '../args.js';
import { confirmClear } from '../confirm-clear.js';
import { continueRun } from '../continue-run.js';
import { printHelp } from '../help.js';
import { lockoutAuth } from '../lockout-auth.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { renderGate } from '../render/gate-text.js';
import { resumeTaskProgram } from '../resume-task-program.js';
import { terminalLayout } from '../terminal-style.js';
import { parseTimeout } from '../timeout.js';
import { resolveTpmTarget } from '../tpm-target.js';
import { UsageError } from '../usage-error.js';

const METHODS: readonly ClearMethod[] = ['lockout', 'platform', 'ppi'];
const PURPOSES: readonly ClearPurpose[] = ['repair', 'decommission'];

const OPTIONS = {
  tpm: {
    type: 'string',
    value: 'URI',
    help: `The TPM (default: this machine's):
  ${TPM_URI_FORMS.join('\n  ')}
  lab:[SCENARIO,...]   a throwaway software TPM (platform method)`,
  },
  evidence: {
    type: 'string',
    value: 'PATH',
    complete: 'file',
    help: 'Windows evidence bundle to gate on (live collection on Windows).',
  },
  method: {
    type: 'string',
    value: 'M',
    choices: METHODS,
    help: `lockout (default on Linux; the lockout value from
--lockout-auth-file or TPM_DOCTOR_LOCKOUT_AUTH, never a flag),
platform (lab and simulator TPMs, the default for them: on a real PC
the firmware keeps platform auth), or
ppi (a firmware prompt at the next reboot; Windows default).`,
  },
  purpose: { type: 'string', value: 'P', choices: PURPOSES, help: 'repair (default) or decommission.' },
  'approved-by': {
    type: 'string',
    value: 'NAME',
    help: 'Who approved the clear; with --ticket, the approval an MDM-managed device needs.',
  },
  ticket: { type: 'string', value: 'ID', help: 'The change or incident ticket that records the approval.' },
  escrowed: {
    type: 'string',
    value: 'IDS',
    help: 'recovery-password protector IDs known to be escrowed (comma-separated).',
  },
  'escrow-verified': {
    type: 'string',
    value: 'IDS',
    help: `a fleet clear campaign's Entra ID escrow check (set by its script, with
--escrow-verified-at and --escrow-verified-by); accepted only for this device's own
OS-volume protectors, with the approval, up to 24 h old.`,
  },
  'escrow-verified-at': { type: 'string', value: 'ISO', help: 'When that escrow check ran.' },
  'escrow-verified-by': { type: 'string', value: 'CAMPAIGN', help: 'The campaign that ran it.' },
  'backup-confirmed-by': {
    type: 'string',
    value: 'WHERE',
    help: 'you checked the recovery keys are backed up, and where.',
  },
  acknowledge: {
    type: 'string',
    value: 'CHECKS',
    help: 'accept these UNKNOWN checks (comma-separated check IDs).',
  },
  'lockout-auth-file': {
    type: 'string',
    value: 'PATH',
    complete: 'file',
    help: 'The lockout value for --method lockout (or TPM_DOCTOR_LOCKOUT_AUTH).',
  },
  'dry-run': { type: 'boolean', help: 'Show the diagnosis and the gate, change nothing.' },
  yes: {
    type: 'boolean',
    short: 'y',
    help: 'Confirm without typing (automation). Required without a terminal.',
  },
  json: { type: 'boolean', help: 'Machine-readable output.' },
  'state-dir': {
    type: 'string',
    value: 'DIR',
    complete: 'dir',
    help: 'Where journals and receipts go (default /var/lib/tpm-doctor).',
  },
  timeout: { type: 'string', value: 'SECONDS', help: 'TPM command time limit (default 120).' },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'clear',
  options: OPTIONS,
  page: {
    title: 'clear the TPM, only when it is safe and the right fix, and prove it happened.',
    usage: `[--tpm URI] [--evidence PATH] [--method lockout|platform|ppi]
[--purpose repair|decommission] [--approved-by NAME --ticket ID]
[--escrowed ID,...] [--backup-confirmed-by WHERE] [--acknowledge CHECK,...]
[--lockout-auth-file PATH] [--dry-run] [--yes] [--json] [--state-dir DIR]`,
    about: `A TPM clear deletes every key in the storage and endorsement hierarchies: BitLocker's TPM
protector, Windows Hello, TPM-bound certificates, the Entra ID device key. tpm-doctor runs the
diagnosis, then a preflight gate in which every precaution is a check that passes, fails or is
unknown, with its evidence:
  reason       for --purpose repair, the diagnosis must reach "clear" on the remedy ladder
               (otherwise it shows the safer step); decommission (handover, sale, reinstall) skips it
  backup       every TPM-protected BitLocker volume has a recovery password, escrowed
               (--escrowed IDS, or --backup-confirmed-by WHERE), and BitLocker is suspended
  rights       administrator; lockout or platform authorisation available, or PPI with a user present
  approval     an MDM-managed device needs --approved-by NAME --ticket ID (kept in the journal)
  blockers     disableClear, a dictionary-attack lockout, vulnerable firmware not yet updated
  inventory    what will be lost, listed and recorded before you confirm
Any FAIL refuses; an UNKNOWN refuses unless you --acknowledge that check. Nothing on the TPM
changes before the gate passes. Then, after a typed confirmation (or --yes), it fingerprints the
TPM, sends TPM2_Clear, fingerprints again and proves the clear: the storage root key's Name
changed, owner objects and owner NV indices are gone, auth values reset, the EK and its
certificates unchanged. Every step is journaled before and after it runs (fsync'd), so a crash
or power cut resumes with "tpm-doctor resume" and never clears twice. A receipt, hash-chained to
the journal, is written for handover records.`,
    optionsTitle: 'Options:',
    footer: `Exit status: 0 cleared and proven (or --dry-run with the gate passed); 10 refused (gate or
confirmation; the TPM untouched); 11 the TPM refused the clear or the proof failed; 12 stopped
where "tpm-doctor resume" continues; 2 wrong command line.

Examples:
  tpm-doctor clear --dry-run
  tpm-doctor clear --tpm lab:stale-objects --purpose decommission --yes
  tpm-doctor clear --approved-by "A. Admin" --ticket INC-4711 --escrowed 8a5d13d6-... --method ppi`,
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values } = parseVerbArgs('clear', argv, OPTIONS);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const purpose = oneOf(values.purpose ?? 'repair', PURPOSES, '--purpose');
  const timeoutMs = parseTimeout(values.timeout, 'clear');
  const acknowledged = idList(values.acknowledge) as CheckId[];
  if ((values['approved-by'] === undefined) !== (values.ticket === undefined)) {
    throw new UsageError(
      '--approved-by and --ticket go together: who approved, and the ticket that records it',
      'clear',
    );
  }

  const verified = parseEscrowVerification({
    ids: values['escrow-verified'],
    at: values['escrow-verified-at'],
    by: values['escrow-verified-by'],
  });
  if ('error' in verified) throw new UsageError(verified.error, 'clear');

  const evidence = await readClearEvidence({
    evidencePath: values.evidence,
    tpmFlag: values.tpm,
    platform: process.platform,
  });

  const target = await resolveTpmTarget(values.tpm);
  const journalDir = runCatalogDir(values['state-dir'], { lab: target.lab !== null });
  try {
    const method = values.method === undefined ? undefined : oneOf(values.method, METHODS, '--method');
    const dryRun = values['dry-run'] ?? false;
    // The screen in the admin's language; JSON, the journal and the gate's record stay English.
    const messages = values.json ? ENGLISH : await loadMessages(language);
    const { ui } = messages;
    const request: ClearRequest = {
      target,
      method,
      purpose,
      acknowledged,
      ...(values['approved-by'] === undefined ? {} : { approvedBy: values['approved-by'] }),
      ...(values.ticket === undefined ? {} : { ticket: values.ticket }),
      ...(values.escrowed === undefined ? {} : { escrowedProtectorIds: idList(values.escrowed) }),
      ...(verified.verification === undefined ? {} : { escrowVerification: verified.verification }),
      ...(values['backup-confirmed-by'] === undefined
        ? {}
        : { backupConfirmedBy: values['backup-confirmed-by'] }),
      evidence,
      journalDir,
      stateDirFlag: values['state-dir'],
      timeoutMs,
      dryRun,
      messages,
      lockoutAuth: () => lockoutAuth(values['lockout-auth-file'], 'clear'),
    };
    // A clear that cannot start (another run is open, its journal could not be written, the
    // lockout value is missing) is a wrong command line for this TPM: exit 2, nothing changed.
    let prepared: PreparedClear;
    try {
      prepared = await prepareClear(request);
    } catch (e) {
      if (e instanceof ClearRequestRefusal) throw new UsageError(e.message, 'clear');
      throw e;
    }
    const { snapshot, diagnosis, gate, shownGate } = prepared;
    const report = (run: ClearRunResult | null, extra: Record<string, unknown> = {}) => {
      if (values.json) {
        process.stdout.write(
          `${JSON.stringify({ schema: 'tpm-doctor/clear/v1', tpm: target.uri, lab: target.lab, verdict: diagnosis.verdict, gate, run, ...extra }, null, 2)}\n`,
        );
      }
    };
    if (!values.json) {
      const v = diagnosis.verdict;
      const layout = terminalLayout();
      const heading = wrapParagraph(
        '',
        `${ui['clear.heading']({ uri: snapshot.tpm?.tpm.uri ?? target.uri })}${target.lab ? `   ${ui['diagnosis.lab']({ scenarios: target.lab.join(', ') })}` : ''}`,
        2,
        layout.width,
      );
      process.stdout.write(
        `${heading.join('\n')}\n` +
          `${ui['clear.diagnosis']({
            status: v.status,
            step: v.nextStep,
            statusLabel: ui[`diagnosis.status.${v.status}`],
            stepLabel: ui[`diagnosis.step.${v.nextStep}`],
            clearIsFix: v.clearRecommended,
          })}\n\n${renderGate(shownGate, acknowledged, layout, ui)}`,
      );
    }
    if (!gate.passed || values['dry-run']) {
      report(null, { dryRun: values['dry-run'] ?? false });
      return gate.passed ? EXIT.OK : EXIT.CLEAR_REFUSED;
    }
    refuseIf(ppiTargetRefusal(prepared.plan.method, target, ui));
    if (!values.yes && !(await confirmClear(ui))) {
      if (!values.json) process.stdout.write(`${ui['clear.not-confirmed']}\n`);
      report(null, { confirmed: false });
      return EXIT.CLEAR_REFUSED;
    }
    // The start-up task of a PPI clear runs `node <this CLI> resume --run ID --journal PATH` at the
    // next boot (the single executable: `tpm-doctor.exe resume ...`).
    const result = await executeClear(request, prepared, resumeTaskProgram);
    return await continueRun(result, { json: values.json ?? false, report, ui: messages.ui });
  } finally {
    await target.release();
  }
}

/** A comma-separated list of IDs, trimmed, lower-cased, without the braces Windows prints around GUIDs. */
function idList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) =>
      s
        .trim()
        .toLowerCase()
        .replace(/^\{|\}$/g, ''),
    )
    .filter(Boolean);
}

/** A plan rule's refusal is a wrong command line for this TPM: exit 2, nothing changed. */
function refuseIf(refusal: string | undefined): void {
  if (refusal !== undefined) throw new UsageError(refusal, 'clear');
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}"`, 'clear');
  }
  return value as T;
}
