import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../exit-codes.js';
import { postingPlan, selectedDevices as selectedDevicesOf } from '../../fleet/campaign/campaign-plan.js';
import { formatProgressLine } from '../../fleet/campaign/campaign-progress.js';
import { type CampaignRunResult, runCampaign } from '../../fleet/campaign/campaign-runner.js';
import type { CampaignSelection } from '../../fleet/campaign/campaign-selection.js';
import { campaignStatus, renderCampaignStatus } from '../../fleet/campaign/campaign-status.js';
import { createCampaign, LAB_DEFAULT_DEADLINE_MS } from '../../fleet/campaign/create-campaign.js';
import { remedyMisfits, remedyWarnings } from '../../fleet/campaign/remedy-fit.js';
import { describeTriageSelection } from '../../fleet/campaign/triage-selection-rows.js';
import { BULK_ACTION_MAX_DEVICES } from '../../fleet/graph/intune-client.js';
import type { CampaignAction, FleetStore } from '../../fleet/store/fleet-store.js';
import { openFleetStore } from '../../fleet/store/open-store.js';
import { CLEAR_SAFETIES, TRIAGE_CLASSES } from '../../fleet/triage/triage-class.js';
import {
  hasTriageFilter,
  isBlockerCode,
  isErrorCodeValue,
  isFactValue,
  parseNotSyncedFor,
  type TriageFilter,
} from '../../fleet/triage/triage-filter.js';
import { ENGLISH, loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import {
  type CommandSpec,
  HELP_OPTION,
  helpPage,
  type OptionGroup,
  type OptionSpec,
  type OptionTable,
} from '../option-table.js';
import { readBoundedFile } from '../read-bounded-file.js';
import { askForTypedWord } from '../typed-confirmation.js';
import { UsageError } from '../usage-error.js';
import { deviceListLines, type ListedDevice } from './device-list.js';
import { MAX_POLL_MS, parseDuration } from './duration.js';
import {
  CONNECTION_OPTIONS,
  describeTarget,
  type GraphConnection,
  openGraphConnection,
} from './graph-connection.js';
import { ProgressLine } from './progress-line.js';
import { resumeCommandLine, resumeOptions } from './resume-command-line.js';
import { triageForTarget } from './triage-for-target.js';

/**
 * `fleet sync`, `fleet remediate` and `fleet resume`: create (or pick up) a campaign in the store
 * and run it to its end, or until Ctrl-C. The guarantees (nothing posted twice, nothing lost)
 * live in src/fleet/campaign/; this file is the command line around them.
 */
const RUNNING: OptionGroup = {
  title: 'Running:',
  note: `Ctrl-C stops cleanly: actions in flight are recorded, the campaign is saved (exit 12), and
"tpm-doctor fleet resume ID" continues it. A device is never posted twice, even after a crash.`,
};

/** How a campaign runs: every campaign command (sync, remediate, clear, resume). */
export const RUN_OPTIONS = {
  store: {
    type: 'string',
    value: 'SPEC',
    group: RUNNING,
    help: `Where campaigns live: a SQLite file (default: fleet.sqlite in
~/.local/state/tpm-doctor, or /var/lib/tpm-doctor as root), sqlite:PATH, or
postgres://USER@HOST/DB (or TPM_DOCTOR_STORE).`,
  },
  poll: {
    type: 'string',
    value: 'DURATION',
    group: RUNNING,
    help: 'How often devices are checked (default 60s; 2s on a lab tenant).',
  },
  'no-wait': {
    type: 'boolean',
    group: RUNNING,
    help: 'Post the actions and stop; "tpm-doctor fleet resume ID" tracks them later.',
  },
  'no-bulk': {
    type: 'boolean',
    group: RUNNING,
    help: `Sync and reboot: one request per device instead of executeAction for up to
100 devices at a time (docs/campaigns.md, "Bulk actions").`,
  },
  json: {
    type: 'boolean',
    group: RUNNING,
    help: "The campaign's final status as JSON on stdout (docs/campaigns.md).",
  },
  quiet: { type: 'boolean', short: 'q', group: RUNNING, help: 'No progress line on stderr.' },
} as const satisfies OptionTable;

const SELECTING: OptionGroup = {
  title: 'Selecting devices (from the latest triage unless --devices/--device):',
};

/** Which devices a new campaign acts on: sync, remediate and clear. */
export const SELECT_OPTIONS = {
  class: {
    type: 'string',
    value: 'C[,C]',
    group: SELECTING,
    choices: TRIAGE_CLASSES,
    list: true,
    help: 'Triage classes (e.g. sync-stale,attestation); see docs/triage.md.',
  },
  'clear-safety': {
    type: 'string',
    value: 'S[,S]',
    group: SELECTING,
    choices: CLEAR_SAFETIES,
    list: true,
    help: `${CLEAR_SAFETIES.join(', ')}.`,
  },
  blocker: {
    type: 'string',
    value: 'CODE[,CODE]',
    group: SELECTING,
    list: true,
    help: 'Devices whose clear is blocked by one of these (a finding ID or escrow code).',
  },
  model: {
    type: 'string',
    value: 'M[,M]',
    group: SELECTING,
    list: true,
    help: `Device models, exactly as the triage stored them ("unknown": not read;
"tpm-doctor fleet triage --format json" lists each device's facts).`,
  },
  'tpm-maker': {
    type: 'string',
    value: 'M[,M]',
    group: SELECTING,
    list: true,
    help: 'TPM manufacturers as Intune reports them (e.g. IFX,NTC; "unknown").',
  },
  firmware: {
    type: 'string',
    value: 'V[,V]',
    group: SELECTING,
    list: true,
    help: 'System firmware (BIOS) versions as Intune reports them ("unknown").',
  },
  'error-code': {
    type: 'string',
    value: 'N[,N]',
    group: SELECTING,
    list: true,
    help: `Intune error codes of a failing TPM setting, in decimal as Intune reports
them ("unknown": a failing setting without a code); a negative code after
"=": --error-code=-2016281112.`,
  },
  'not-synced-for': {
    type: 'string',
    value: 'AGE',
    group: SELECTING,
    help: `Devices whose last sync was more than AGE (7d, 12h) before the triage read
it; "unknown": devices whose last sync Intune did not give.`,
  },
  triage: {
    type: 'string',
    value: 'RUN',
    group: SELECTING,
    help: 'A triage run number (default: the latest finished one).',
  },
  devices: {
    type: 'string',
    value: 'FILE',
    group: SELECTING,
    complete: 'file',
    help: 'Intune device ids, one per line ("-" for stdin).',
  },
  device: {
    type: 'string',
    multiple: true,
    value: 'ID',
    group: SELECTING,
    help: 'One Intune device id (repeatable).',
  },
  deadline: {
    type: 'string',
    value: 'DURATION',
    group: SELECTING,
    help: `Track devices this long before calling them timed-out (default 24h;
15m on a lab tenant, whose devices act within seconds).`,
  },
} as const satisfies OptionTable;

/** --dry-run of sync and remediate (fleet clear says what its own dry run shows). */
const DRY_RUN_OPTION = {
  type: 'boolean',
  group: SELECTING,
  help: "Show what would be posted and how long Graph's limits make it take.",
} as const satisfies OptionSpec;

const SYNC_OPTIONS = {
  reboot: {
    type: 'boolean',
    help: `Send rebootNow instead of syncDevice (a reboot also refreshes health
attestation, which Secure Boot/BitLocker/Code Integrity compliance reads).
Disruptive: needs --yes, or a typed "yes" at the prompt, on a real tenant.`,
  },
  yes: { type: 'boolean', short: 'y', help: 'Confirm without a prompt.' },
  help: HELP_OPTION,
  ...SELECT_OPTIONS,
  'dry-run': DRY_RUN_OPTION,
  ...RUN_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const satisfies OptionTable;

export const SYNC_COMMAND: CommandSpec = {
  name: 'fleet sync',
  options: SYNC_OPTIONS,
  page: {
    title: `sync (or reboot) devices, paced under Graph's limits, and track each
until its last sync time moves and its TPM settings are compliant.`,
    usage: '(--class C | --model M | ... | --devices FILE | --device ID) [--reboot] [options]',
    footer: `Example (LAB; the devices that never sync end at the deadline):
  tpm-doctor fleet sync --tenant lab --class sync-stale --deadline 1m
Example (the filters combine; --dry-run lists the devices they select):
  tpm-doctor fleet sync --tenant lab --model "Surface Laptop 5" --not-synced-for 7d --dry-run
Writes are limited to 200 per 20 s per app: 1,000 devices take at least 100 s to post.
Exit codes: 0 all done, 12 stopped (resumable), 16 some failed or timed out, 13/14/15 auth,
Graph or store problems (docs/exit-codes.md).`,
  },
};

const REMEDIATE_OPTIONS = {
  script: {
    type: 'string',
    value: 'FILE',
    complete: 'file',
    help: 'The detection script (default: scripts/collect-evidence.ps1 of this install).',
  },
  'assign-group': {
    type: 'string',
    value: 'ID',
    help: `Also assign the package to this Entra ID group (a daily run), so devices
keep reporting evidence after this campaign; the on-demand runs still go out.`,
  },
  yes: {
    type: 'boolean',
    short: 'y',
    help: 'Confirm without a prompt (needed on a real tenant without a terminal).',
  },
  help: HELP_OPTION,
  ...SELECT_OPTIONS,
  'dry-run': DRY_RUN_OPTION,
  ...RUN_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const satisfies OptionTable;

export const REMEDIATE_COMMAND: CommandSpec = {
  name: 'fleet remediate',
  options: REMEDIATE_OPTIONS,
  page: {
    title: `run tpm-doctor's evidence script on devices through Intune
Remediations (on demand), and collect what it finds for "fleet triage" to diagnose.`,
    usage: '(--class C | --model M | ... | --devices FILE | --device ID) [options]',
    about: `The script package "tpm-doctor evidence" (scripts/collect-evidence.ps1 as its detection script,
no remediation script: it reads, it never clears a TPM remotely) is uploaded once per tenant, then
run on each selected device. The next "fleet triage" runs the same rules as "tpm-doctor diagnose"
on each device's evidence.`,
  },
};

export type Values = { [key: string]: string | boolean | string[] | undefined };

function list(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

/** A device list of 100,000 GUIDs is about 3.7 MB. */
const MAX_DEVICE_LIST_BYTES = 8 * 1024 * 1024;
/**
 * Remediations limits a script's content (the detection script is uploaded as one), and
 * scripts/collect-evidence.ps1 is tens of KB: a larger file is not the detection script.
 */
const MAX_SCRIPT_BYTES = 1024 * 1024;

/** Why a user-named file could not be read, without its content: the errno code, or our own reason. */
function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? `cannot be read (${code})` : (e as Error).message;
}

function readDeviceIds(file: string, verb: string): string[] {
  let text: string;
  try {
    text = readBoundedFile(file === '-' ? 0 : file, MAX_DEVICE_LIST_BYTES, 'one Intune device id per line');
  } catch (e) {
    throw new UsageError(`--devices ${file}: ${fileProblem(e)}`, verb);
  }
  const ids = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const bad = ids.find((id) => !/^[0-9a-fA-F-]{8,64}$/.test(id));
  if (bad !== undefined) {
    throw new UsageError(
      `--devices ${file}: "${bad.slice(0, 60)}" is not an Intune device id (a GUID)`,
      verb,
    );
  }
  return ids;
}

/** The selection flags beside --class and --clear-safety, each a comma list checked as the console checks it. */
const FACT_FLAGS = [
  ['--blocker', 'blockers', isBlockerCode, 'a blocker code (a finding ID or escrow code)'],
  ['--model', 'models', isFactValue, 'a stored fact (1 to 200 printable characters)'],
  ['--tpm-maker', 'tpmManufacturers', isFactValue, 'a stored fact (1 to 200 printable characters)'],
  ['--firmware', 'firmwares', isFactValue, 'a stored fact (1 to 200 printable characters)'],
  ['--error-code', 'errorCodes', isErrorCodeValue, 'an Intune error code in decimal, or unknown'],
] as const;

export function selectionFrom(values: Values, verb: string): CampaignSelection {
  const ids = [...((values.device as string[] | undefined) ?? [])];
  if (typeof values.devices === 'string') ids.push(...readDeviceIds(values.devices, verb));
  const classes = list(values.class);
  const clearSafety = list(values['clear-safety']);
  const unknown = (given: string[] | undefined, known: readonly string[], flag: string) => {
    const bad = given?.find((g) => !known.includes(g));
    if (bad !== undefined) throw new UsageError(`${flag}: "${bad}" is not one of ${known.join(', ')}`, verb);
  };
  unknown(classes, TRIAGE_CLASSES, '--class');
  unknown(clearSafety, CLEAR_SAFETIES, '--clear-safety');
  const filter: TriageFilter = {
    ...(classes ? { classes } : {}),
    ...(clearSafety ? { clearSafety } : {}),
  };
  for (const [flag, field, valid, what] of FACT_FLAGS) {
    const given = list(values[flag.slice(2)]);
    if (given === undefined) continue;
    const bad = given.find((g) => !valid(g));
    if (bad !== undefined)
      throw new UsageError(`${flag}: "${terminalSafe(bad.slice(0, 60))}" is not ${what}`, verb);
    if (given.length > 0) filter[field] = [...new Set(given)];
  }
  const age = values['not-synced-for'];
  if (typeof age === 'string') {
    if (parseNotSyncedFor(age) === undefined)
      throw new UsageError(
        `--not-synced-for expects a number of days or hours (7d, 12h) or unknown, got "${terminalSafe(age.slice(0, 60))}"`,
        verb,
      );
    filter.notSyncedFor = age;
  }
  if (ids.length > 0) {
    if (hasTriageFilter(filter) || values.triage) {
      throw new UsageError(
        'choose devices either by id (--device/--devices) or from triage (--class...), not both',
        verb,
      );
    }
    return { kind: 'devices', deviceIds: [...new Set(ids)] };
  }
  if (!hasTriageFilter(filter)) {
    throw new UsageError(
      'say which devices: --class C, --clear-safety S, --model M (or another filter), --devices FILE or --device ID',
      verb,
    );
  }
  let runId: number | undefined;
  if (typeof values.triage === 'string') {
    if (!/^\d+$/.test(values.triage))
      throw new UsageError(`--triage expects a run number, got "${values.triage}"`, verb);
    runId = Number(values.triage);
  }
  return { kind: 'triage', ...(runId !== undefined ? { runId } : {}), ...filter };
}

/** The detection script shipped with this install: scripts/ next to dist/. */
export function detectionScript(file: string | undefined, verb: string): string {
  const candidates = file
    ? [file]
    : [
        path.resolve(path.dirname(process.argv[1] ?? '.'), '..', 'scripts', 'collect-evidence.ps1'),
        path.resolve('scripts', 'collect-evidence.ps1'),
      ];
  const found = candidates.find((c) => existsSync(c));
  if (!found)
    throw new UsageError(
      `the detection script was not found (looked at ${candidates.join(', ')}); give --script FILE`,
      verb,
    );
  try {
    return readBoundedFile(found, MAX_SCRIPT_BYTES, 'the detection script (a PowerShell script)');
  } catch (e) {
    throw new UsageError(`--script ${found}: ${fileProblem(e)}`, verb);
  }
}

/**
 * --poll in milliseconds, or undefined when not given. Called before anything is created, so a
 * bad value stops the command before a campaign exists.
 */
export function pollOption(values: Values, verb: string): number | undefined {
  return typeof values.poll === 'string'
    ? parseDuration(values.poll, '--poll', verb, MAX_POLL_MS)
    : undefined;
}

/** How often devices are checked when --poll is not given: a lab's devices act within seconds. */
export function defaultPollIntervalMs(isLab: boolean): number {
  return isLab ? 2_000 : 60_000;
}

/** Runs a stored campaign with a progress line and Ctrl-C handling; prints the final status. */
export async function runAndReport(
  connection: GraphConnection,
  store: FleetStore,
  campaignId: string,
  values: Values,
  verb: string,
  language: Language = 'en',
): Promise<number> {
  const pollIntervalMs = pollOption(values, verb) ?? defaultPollIntervalMs(connection.isLab);
  // The screen and the progress line in the admin's language; JSON keeps English.
  const { ui } = values.json ? ENGLISH : await loadMessages(language);
  const controller = new AbortController();
  const stop = () => {
    if (!controller.signal.aborted) {
      process.stderr.write(ui['fleet.stopping']);
      controller.abort();
    } else {
      process.exit(EXIT.RUN_INTERRUPTED);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const progress = new ProgressLine(!values.quiet);
  let result: CampaignRunResult;
  try {
    result = await runCampaign({
      intune: connection.intune,
      store,
      campaignId,
      signal: controller.signal,
      pollIntervalMs,
      postOnly: values['no-wait'] === true,
      onProgress: (p) => progress.update(formatProgressLine(p, ui)),
      writeWindowWaitMs: (writes) => connection.graph.budgets.devices.waitMs({ requests: writes, writes }),
      writeBudget: connection.graph.budgets.devices,
      onIgnoredWriteRecords: (ignored) =>
        process.stderr.write(
          `tpm-doctor: ignored ${ignored} Graph write records in the store (dated in the future, which are deleted, or without a valid count); docs/campaigns.md\n`,
        ),
      ...(values['no-bulk'] === true ? {} : { bulk: { batchSize: bulkBatchSize(connection) } }),
    });
  } finally {
    progress.done();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (result.bulk?.refused && !values.quiet) {
    process.stderr.write(
      `tpm-doctor: Graph refused executeAction (${terminalSafe(result.bulk.refused)}); the devices were posted one by one\n`,
    );
  }
  const status = await campaignStatus(store, campaignId);
  if (values.json)
    process.stdout.write(`${JSON.stringify({ ...status, graph: connection.graph.stats }, null, 2)}\n`);
  else
    process.stdout.write(
      renderCampaignStatus(status, {
        ui: (await loadMessages(language)).ui,
        language,
        resumeCommand: resumeCommandLine(campaignId, values),
      }),
    );
  // --no-wait: every action posted is the job done; tracking is "fleet resume ID" later.
  if (values['no-wait'] && !controller.signal.aborted && status.counts.pending === 0) return EXIT.OK;
  if (result.status === 'stopped') return EXIT.RUN_INTERRUPTED;
  return status.counts.failed + status.counts['timed-out'] > 0 ? EXIT.CAMPAIGN_INCOMPLETE : EXIT.OK;
}

/**
 * Devices per executeAction: 100 (BULK_ACTION_MAX_DEVICES), fewer when a --graph-share makes the
 * write window smaller, since one call is paced as one write per device.
 */
export function bulkBatchSize(connection: GraphConnection): number {
  const { writesPerWindow, requestsPerWindow } = connection.graph.budgets.devices.limits;
  return Math.max(1, Math.min(BULK_ACTION_MAX_DEVICES, writesPerWindow, requestsPerWindow));
}

export async function runNewCampaign(
  argv: string[],
  verb: 'sync' | 'remediate',
  language: Language = 'en',
): Promise<number> {
  const fullVerb = `fleet ${verb}`;
  const { values } = parseVerbArgs(fullVerb, argv, verb === 'sync' ? SYNC_OPTIONS : REMEDIATE_OPTIONS);
  const v = values as Values;
  if (v.help) {
    printHelp(helpPage(verb === 'sync' ? SYNC_COMMAND : REMEDIATE_COMMAND));
    return EXIT.OK;
  }
  const action: CampaignAction = verb === 'remediate' ? 'remediate' : v.reboot ? 'reboot' : 'sync';
  if (
    typeof v['assign-group'] === 'string' &&
    !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(v['assign-group'])
  ) {
    throw new UsageError(
      `--assign-group expects an Entra ID group's object id (a GUID), got "${v['assign-group']}"`,
      fullVerb,
    );
  }
  let selection = selectionFrom(v, fullVerb);
  pollOption(v, fullVerb);
  const deadlineMs =
    typeof v.deadline === 'string' ? parseDuration(v.deadline, '--deadline', fullVerb) : undefined;
  const script =
    action === 'remediate' ? detectionScript(v.script as string | undefined, fullVerb) : undefined;

  const store = await openFleetStore(v.store as string | undefined);
  let connection: GraphConnection | undefined;
  try {
    // Pinned by the display target before connecting (nothing is signed in to for a wrong triage),
    // then again by the tenant's own key once signed in.
    selection = await triageForTarget(store, selection, { display: describeTarget(v, fullVerb) }, fullVerb);
    connection = await openGraphConnection(v, fullVerb, { writeLog: store });
    selection = await triageForTarget(store, selection, connection.tenant, fullVerb);
    if (!v.quiet) process.stderr.write(`tpm-doctor: ${connection.target}; store ${store.description}\n`);
    if (v['dry-run']) {
      return await dryRun(store, selection, action, connection, v, language);
    }
    if (action !== 'sync' && !connection.isLab && !v.yes) {
      const what =
        action === 'reboot'
          ? 'Reboot the selected devices now'
          : 'Run the evidence script on the selected devices';
      const devices = await selectedDevices(store, selection);
      if (process.stdin.isTTY)
        process.stderr.write(`${what}: ${devices.length} devices\n${deviceListLines(devices).join('\n')}\n`);
      const confirmed = await askForTypedWord({
        question: `${what} (${connection.target})?`,
        word: 'yes',
        output: process.stderr,
      });
      if (!confirmed) {
        process.stderr.write(
          'tpm-doctor: not confirmed; nothing was posted (--yes to confirm without a prompt)\n',
        );
        return EXIT.USAGE;
      }
    }
    const created = await createCampaign({
      intune: connection.intune,
      store,
      action,
      selection,
      target: connection.target,
      tenantKey: connection.tenant.key,
      resumeOptions: resumeOptions(v),
      ...(deadlineMs !== undefined
        ? { deadlineMs }
        : connection.isLab
          ? { deadlineMs: LAB_DEFAULT_DEADLINE_MS }
          : {}),
      ...(script !== undefined ? { detectionScript: script } : {}),
    });
    const group = v['assign-group'];
    if (typeof group === 'string' && created.campaign.scriptId !== null) {
      await connection.intune.assignHealthScript(created.campaign.scriptId, group);
      if (!v.quiet) process.stderr.write(`tpm-doctor: script package assigned to group ${group} (daily)\n`);
    }
    for (const s of created.skipped.slice(0, 10))
      process.stderr.write(`tpm-doctor: skipped ${terminalSafe(s.deviceId)}: ${terminalSafe(s.reason)}\n`);
    if (created.skipped.length > 10)
      process.stderr.write(`tpm-doctor: ... and ${created.skipped.length - 10} more skipped\n`);
    if (!v.quiet) {
      process.stderr.write(
        `tpm-doctor: campaign ${created.campaign.id}: ${action} ${(await store.phaseCounts(created.campaign.id)).pending} devices ` +
          `("${terminalSafe(resumeCommandLine(created.campaign.id, v))}" continues it if stopped)\n`,
      );
    }
    return await runAndReport(connection, store, created.campaign.id, v, fullVerb, language);
  } finally {
    await connection?.close();
    await store.close();
  }
}

/** The devices a selection names (src/fleet/campaign/campaign-plan.ts); no triage is a usage error. */
async function selectedDevices(store: FleetStore, selection: CampaignSelection): Promise<ListedDevice[]> {
  const devices = await selectedDevicesOf(store, selection);
  if (!devices)
    throw new UsageError('no finished triage in the store: run "tpm-doctor fleet triage" first', 'fleet');
  return devices;
}

async function dryRun(
  store: FleetStore,
  selection: CampaignSelection,
  action: CampaignAction,
  connection: GraphConnection,
  v: Values,
  language: Language,
): Promise<number> {
  const devices = await selectedDevices(store, selection);
  const plan = postingPlan(action, devices.length, connection.limits);
  // Which filters chose the devices (the selection is pinned to its triage run by now).
  const chosenBy =
    selection.kind === 'triage'
      ? describeTriageSelection(selection.runId ?? 0, selection)
      : `${selection.deviceIds.length} device id${selection.deviceIds.length === 1 ? '' : 's'} given`;
  if (v.json)
    process.stdout.write(`${JSON.stringify({ ...plan, selection: chosenBy, selected: devices }, null, 2)}\n`);
  else {
    const { windowMs, writesPerWindow } = plan.limits;
    const { ui } = await loadMessages(language);
    const lines = [
      ui['fleet.dry-run.campaign']({
        action: ui[`fleet.action.${action}`],
        devices: plan.devices,
        writes: writesPerWindow,
        seconds: windowMs / 1000,
        minimumSeconds: plan.minimumPostingSeconds,
      }),
      `${ui['fleet.campaign.selection']} ${terminalSafe(chosenBy)}`,
      ...deviceListLines(devices, 20, '--json lists them'),
      // Devices whose class this action cannot help (src/fleet/campaign/remedy-fit.ts), as the console warns.
      ...remedyWarnings(ui, action, await remedyMisfits(store, selection, action)),
      ui['fleet.dry-run.nothing-posted'],
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return EXIT.OK;
}
