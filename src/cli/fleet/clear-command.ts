import { EXIT } from '../../exit-codes.js';
import { clearPlan } from '../../fleet/campaign/campaign-plan.js';
import { checkApproval } from '../../fleet/campaign/clear-script.js';
import { type RefusedDevice, refusalReason, selectClearSafe } from '../../fleet/campaign/clear-selection.js';
import { createCampaign, LAB_DEFAULT_DEADLINE_MS } from '../../fleet/campaign/create-campaign.js';
import { openFleetStore } from '../../fleet/store/open-store.js';
import { loadMessages } from '../../text/messages/catalog.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import type { Language } from '../../text/messages/language.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { CLEAR_WORD } from '../../text/typed-word.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { askForTypedWord } from '../typed-confirmation.js';
import { UsageError } from '../usage-error.js';
import {
  detectionScript,
  pollOption,
  RUN_OPTIONS,
  runAndReport,
  SELECT_OPTIONS,
  selectionFrom,
  type Values,
} from './campaign-command.js';
import { deviceLabel, deviceListLines } from './device-list.js';
import { parseDuration } from './duration.js';
import {
  CONNECTION_OPTIONS,
  describeTarget,
  type GraphConnection,
  openGraphConnection,
} from './graph-connection.js';
import { resumeCommandLine, resumeOptions } from './resume-command-line.js';
import { triageForTarget } from './triage-for-target.js';

const VERB = 'fleet clear';

const OPTIONS = {
  'approved-by': {
    type: 'string',
    value: 'NAME',
    help: 'Who approved the clears (letters, digits, spaces, . , _ @ ( ) / # : + -).',
  },
  ticket: { type: 'string', value: 'ID', help: 'The change or incident ticket that records the approval.' },
  script: {
    type: 'string',
    value: 'FILE',
    complete: 'file',
    help: 'The detection script (default: scripts/collect-evidence.ps1 of this install).',
  },
  'max-triage-age': {
    type: 'string',
    value: 'D',
    help: `The triage the selection comes from must be at most this old (default
24h): what made a clear safe then (an escrowed key, no lockout) may not be
true any more. It must also be a triage of this same tenant.`,
  },
  'dry-run': {
    type: 'boolean',
    help: `List exactly which devices would be cleared and which are refused, and why
(the approval may come later; nothing is posted).`,
  },
  yes: { type: 'boolean', short: 'y', help: 'Confirm without a prompt.' },
  help: HELP_OPTION,
  ...SELECT_OPTIONS,
  ...RUN_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: VERB,
  options: OPTIONS,
  page: {
    title: `clear the TPM of devices whose triage says a clear is safe, through
Intune Remediations, each behind its own preflight gate, and track each one until compliant.`,
    usage: `(--clear-safety safe | --class C | --model M | ... | --devices FILE | --device ID)
--approved-by NAME --ticket ID (--yes | a typed confirmation)
[--dry-run] [options]`,
    about: `A TPM clear deletes every key in the TPM. Guard rails, in order:
  1. Only devices whose latest triage ("tpm-doctor fleet triage") says clear safety "safe" are
     selected: recovery key escrowed and matching, the ladder reaching a clear, nothing blocking.
     Every other device asked for is refused with the triage's reason, never chosen on a guess.
     A device cleared by a clear campaign after that triage began, or in a clear campaign still
     open (running or stopped), is refused too: run "tpm-doctor fleet triage" again first.
  2. --approved-by NAME --ticket ID are required; they go to every device's own gate and journal.
  3. The devices listed and CLEAR typed (as for one clear), or --yes (also on a LAB tenant: the command line is the one you will
     use on a real tenant, and a LAB swtpm-backed device really is cleared).
  4. On each device, the script package "tpm-doctor clear (ticket ID)" runs: the evidence script
     as detection, then "tpm-doctor clear --method ppi --purpose repair --yes --approved-by NAME
     --ticket ID", whose preflight gate decides again with the device's own facts; BitLocker is
     suspended for two reboots first and resumed when the gate refuses; a restart follows only
     an accepted clear.
Each device is then tracked: its clear reported (cleared and proven, or refused with the reason:
failed), then its restart and re-provisioning, then TPM settings compliant. A device never gets
the script twice, even after a crash ("tpm-doctor fleet resume ID").`,
    footer: `Example (LAB, two devices backed by a real software TPM):
  # in one shell:
  tpm-doctor lab tenant --devices 200 --swtpm 2
  # then in another:
  tpm-doctor fleet triage --graph-url URL --tenant-id T --client-id C
  tpm-doctor fleet clear --graph-url URL --tenant-id T --client-id C \\
      --clear-safety safe --approved-by "A. Admin" --ticket CHG-1234 --yes
Exit codes: 0 every device compliant, 16 some refused, failed or timed out (listed), 2 wrong
command line or nothing selectable, 12 stopped (resumable), 13/14/15 auth, Graph or store.`,
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values } = parseVerbArgs(VERB, argv, OPTIONS);
  const v = values as Values;
  if (v.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const approvedBy = typeof v['approved-by'] === 'string' ? v['approved-by'].trim() : undefined;
  const ticket = typeof v.ticket === 'string' ? v.ticket.trim() : undefined;
  // A dry run changes nothing, so it may come before the approval; a real run may not.
  const onlyOne = (approvedBy === undefined) !== (ticket === undefined);
  if (onlyOne || (approvedBy === undefined && !v['dry-run'])) {
    throw new UsageError(
      'a clear campaign needs --approved-by NAME and --ticket ID: who approved, and the ticket that records it',
      VERB,
    );
  }
  const approval = approvedBy === undefined || ticket === undefined ? undefined : { approvedBy, ticket };
  try {
    if (approval !== undefined) checkApproval(approval);
  } catch (e) {
    throw new UsageError((e as Error).message, VERB);
  }
  let selection = selectionFrom(v, VERB);
  pollOption(v, VERB);
  const maxTriageAgeMs =
    typeof v['max-triage-age'] === 'string'
      ? parseDuration(v['max-triage-age'], '--max-triage-age', VERB)
      : 24 * 3_600_000;
  const deadlineMs =
    typeof v.deadline === 'string' ? parseDuration(v.deadline, '--deadline', VERB) : undefined;
  const script = detectionScript(v.script as string | undefined, VERB);

  const store = await openFleetStore(v.store as string | undefined);
  let connection: GraphConnection | undefined;
  try {
    // Pinned by the display target here (a dry run and the confirmation need no sign-in), and by
    // the tenant's own key when the campaign is created after sign-in.
    const target = { display: describeTarget(v, VERB) };
    selection = await triageForTarget(store, selection, target, VERB, {
      maxAgeMs: maxTriageAgeMs,
      pinDevices: true,
    });
    const chosen = await selectClearSafe(store, selection, target);
    if (v['dry-run']) {
      const plan = clearPlan(chosen, approval);
      if (v.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      else process.stdout.write(renderPlan(plan, (await loadMessages(language)).ui));
      return EXIT.OK;
    }
    for (const r of chosen.refused.slice(0, 10))
      process.stderr.write(`tpm-doctor: refused ${deviceLabel(r)}: ${terminalSafe(r.reason)}\n`);
    if (chosen.refused.length > 10)
      process.stderr.write(
        `tpm-doctor: ... and ${chosen.refused.length - 10} more refused (--dry-run lists them)\n`,
      );
    if (approval === undefined) throw new Error('unreachable: a real run has its approval');
    if (chosen.devices.length === 0) {
      throw new UsageError(
        `no device of the selection (${chosen.description}) has clear safety "safe"; nothing to clear`,
        VERB,
      );
    }
    if (!v.yes) {
      const count = `${chosen.devices.length} device${chosen.devices.length === 1 ? '' : 's'}`;
      if (process.stdin.isTTY)
        process.stderr.write(
          `Clear the TPM of ${count} (each behind its own preflight gate):\n${deviceListLines(chosen.devices).join('\n')}\n`,
        );
      const ok = await askForTypedWord({
        question: `Clear the TPM of these ${count} (approved by ${terminalSafe(approvedBy ?? '')}, ticket ${terminalSafe(ticket ?? '')})?`,
        word: CLEAR_WORD,
        output: process.stderr,
      });
      if (!ok) {
        process.stderr.write(
          'tpm-doctor: not confirmed; nothing was posted (--yes to confirm without a prompt)\n',
        );
        return EXIT.USAGE;
      }
    }
    connection = await openGraphConnection(v, VERB, { writeLog: store });
    if (!v.quiet) process.stderr.write(`tpm-doctor: ${connection.target}; store ${store.description}\n`);
    const created = await createCampaign({
      intune: connection.intune,
      store,
      action: 'clear',
      selection,
      target: connection.target,
      tenantKey: connection.tenant.key,
      resumeOptions: resumeOptions(v),
      detectionScript: script,
      approval,
      ...(deadlineMs !== undefined
        ? { deadlineMs }
        : connection.isLab
          ? { deadlineMs: LAB_DEFAULT_DEADLINE_MS }
          : {}),
    });
    if (!v.quiet) {
      process.stderr.write(
        `tpm-doctor: campaign ${created.campaign.id}: clear ${created.campaign.selection}: ` +
          `${(await store.phaseCounts(created.campaign.id)).pending} devices ` +
          `("${terminalSafe(resumeCommandLine(created.campaign.id, v))}" continues it if stopped)\n`,
      );
    }
    const code = await runAndReport(connection, store, created.campaign.id, v, VERB, language);
    // Refused devices were asked for and not cleared: the campaign did not do all it was asked.
    return code === EXIT.OK && chosen.refused.length > 0 ? EXIT.CAMPAIGN_INCOMPLETE : code;
  } finally {
    await connection?.close();
    await store.close();
  }
}

export function renderPlan(
  plan: {
    selection: string;
    approvedBy: string | null;
    ticket: string | null;
    devices: { deviceId: string; deviceName: string | null }[];
    refused: RefusedDevice[];
  },
  ui: UiMessages = EN,
): string {
  const lines = [
    ui['fleet.clear-plan.heading']({
      selection: terminalSafe(plan.selection),
      approval:
        plan.approvedBy === null
          ? ui['fleet.clear-plan.no-approval']
          : ui['fleet.clear-plan.approved']({
              by: terminalSafe(plan.approvedBy),
              ticket: terminalSafe(plan.ticket ?? ''),
            }),
    }),
    ui['fleet.clear-plan.would-clear']({ count: plan.devices.length }),
    ...deviceListLines(plan.devices, Number.POSITIVE_INFINITY),
  ];
  if (plan.refused.length > 0) {
    lines.push(
      ui['fleet.clear-plan.refused']({ count: plan.refused.length }),
      ...plan.refused.map((r) => `  ${deviceLabel(r)}: ${terminalSafe(refusalReason(r, ui))}`),
    );
  }
  lines.push(ui['fleet.dry-run.nothing-posted']);
  return `${lines.join('\n')}\n`;
}
