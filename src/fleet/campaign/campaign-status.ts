import { displayWidth } from '../../text/display-width.js';
import { formatLocalTime } from '../../text/local-time.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import type { Language } from '../../text/messages/language.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import type {
  Campaign,
  CampaignAction,
  CampaignDevice,
  CampaignStatus,
  DevicePhase,
  FleetStore,
} from '../store/fleet-store.js';
import { CampaignError } from './campaign-error.js';
import { ALL_PHASES, isFinalPhase } from './campaign-phases.js';
import { redactGraphError } from './redact-graph-error.js';

/** `fleet status --json` for one campaign. Stable: fields are only ever added. */
export interface CampaignStatusSummary {
  schema: 'tpm-doctor/campaign-status/v1';
  id: string;
  action: CampaignAction;
  status: CampaignStatus;
  /** True when the campaign runs against the lab tenant on loopback, never a real tenant. */
  lab: boolean;
  target: string;
  selection: string;
  createdAt: string;
  updatedAt: string;
  deadline: string;
  scriptId: string | null;
  total: number;
  /** Devices whose part is over, and those still open. */
  done: number;
  open: number;
  counts: Record<DevicePhase, number>;
  /** Devices that ended without reaching the goal, with why (redacted), at most `problemLimit`. */
  problems: CampaignProblem[];
  /** How many problems were left out of `problems`. */
  problemsOmitted: number;
}

interface CampaignProblem {
  deviceId: string;
  deviceName: string | null;
  phase: DevicePhase;
  error: string | null;
}

/** Reads a campaign's summary from the store. */
export async function campaignStatus(
  store: FleetStore,
  campaignId: string,
  options: { problemLimit?: number } = {},
): Promise<CampaignStatusSummary> {
  const campaign = await store.getCampaign(campaignId);
  if (campaign === undefined)
    throw new CampaignError(`no campaign with id ${campaignId} in ${store.description}`);
  const counts = await store.phaseCounts(campaignId);
  const problemDevices = await store.campaignDevices(campaignId, ['failed', 'timed-out', 'unconfirmed']);
  return summarize(campaign, counts, problemDevices, options.problemLimit ?? 20);
}

/** The summary from data already read (pure). */
export function summarize(
  campaign: Campaign,
  counts: Record<DevicePhase, number>,
  problemDevices: readonly CampaignDevice[],
  problemLimit: number,
): CampaignStatusSummary {
  const total = ALL_PHASES.reduce((sum, phase) => sum + counts[phase], 0);
  const done = ALL_PHASES.filter((phase) => isFinalPhase(campaign.action, phase)).reduce(
    (sum, phase) => sum + counts[phase],
    0,
  );
  const problems = problemDevices.slice(0, problemLimit).map((device) => ({
    deviceId: device.deviceId,
    deviceName: device.deviceName,
    phase: device.phase,
    // Stored errors are redacted when written; redact again in case an older row was not.
    error: device.error === null ? null : redactGraphError(device.error),
  }));
  return {
    schema: 'tpm-doctor/campaign-status/v1',
    id: campaign.id,
    action: campaign.action,
    status: campaign.status,
    lab: isLabTarget(campaign.target),
    target: campaign.target,
    selection: campaign.selection,
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
    deadline: campaign.deadline,
    scriptId: campaign.scriptId,
    total,
    done,
    open: total - done,
    counts,
    problems,
    problemsOmitted: Math.max(0, problemDevices.length - problems.length),
  };
}

/** What a phase means to an admin; where an action's phases mean something else than a sync's. */
export function phaseLabel(ui: UiMessages, action: CampaignSummaryAction, phase: DevicePhase): string {
  if (action === 'remediate' && phase === 'synced') return ui['fleet.phase.remediate-synced'];
  if (action === 'clear') {
    if (phase === 'posted') return ui['fleet.phase.clear-posted'];
    if (phase === 'synced') return ui['fleet.phase.clear-synced'];
    if (phase === 'failed') return ui['fleet.phase.clear-failed'];
  }
  return ui[`fleet.phase.${phase}`];
}

type CampaignSummaryAction = CampaignStatusSummary['action'];

/** How a summary is written: its language (English by default), times in the admin's time zone. */
export interface SummaryText {
  ui?: UiMessages;
  language?: Language;
  /** The exact command that resumes a stopped campaign, connection options included. */
  resumeCommand?: string;
}

/** `label` padded to `columns` terminal columns (a Japanese label is narrower in characters). */
function padLabel(label: string, columns: number): string {
  return label + ' '.repeat(Math.max(1, columns - displayWidth(label)));
}

/** `fleet status CAMPAIGN` as text. */
export function renderCampaignStatus(summary: CampaignStatusSummary, text: SummaryText = {}): string {
  const ui = text.ui ?? EN;
  const when = (iso: string) => formatLocalTime(iso, text.language);
  const field = (id: 'target' | 'selection' | 'created' | 'devices') =>
    `  ${padLabel(ui[`fleet.campaign.${id}`], 11)}`;
  const lines = [
    `${summary.lab ? '[LAB] ' : ''}${ui['fleet.campaign.heading']({ id: summary.id, action: ui[`fleet.action.${summary.action}`], status: ui[`fleet.state.${summary.status}`] })}`,
    `${field('target')}${summary.target}`,
    `${field('selection')}${summary.selection}`,
    `${field('created')}${when(summary.createdAt)}   ${ui['fleet.campaign.deadline']} ${when(summary.deadline)}`,
    `${field('devices')}${ui['fleet.campaign.device-count']({ total: summary.total, done: summary.done, open: summary.open })}`,
  ];
  if (summary.scriptId !== null) lines.push(`  ${ui['fleet.campaign.script']({ id: summary.scriptId })}`);
  lines.push('');
  // ALL_PHASES is in the order a device moves through them, which is also the display order.
  const shownLabels = ALL_PHASES.map((phase) => [phase, phaseLabel(ui, summary.action, phase)] as const);
  const width = Math.max(...shownLabels.map(([, label]) => displayWidth(label)));
  for (const [phase, shown] of shownLabels) {
    lines.push(
      `  ${shown}${' '.repeat(width - displayWidth(shown))}  ${String(summary.counts[phase]).padStart(7)}`,
    );
  }
  if (summary.problems.length > 0) {
    lines.push('', `  ${ui['fleet.campaign.problems']}`);
    for (const problem of summary.problems) {
      const name = problem.deviceName === null ? '' : ` (${problem.deviceName})`;
      lines.push(
        `    ${problem.deviceId}${name}: ${ui[`fleet.phase-word.${problem.phase}`]}${problem.error ? `: ${localTimesIn(storedErrorText(problem.error, ui), text.language)}` : ''}`,
      );
    }
    if (summary.problemsOmitted > 0)
      lines.push(`    ${ui['fleet.campaign.more']({ count: summary.problemsOmitted })}`);
  }
  // The exact command: running the campaign's command again would create a new campaign.
  if (summary.status === 'stopped')
    lines.push(
      '',
      `  ${ui['fleet.campaign.stopped']({ id: summary.id, ...(text.resumeCommand ? { command: text.resumeCommand } : {}) })}`,
    );
  if (summary.status === 'abandoned')
    lines.push('', `  ${ui['fleet.campaign.abandoned']({ open: summary.open })}`);
  // One entry per line: device names and errors come from the tenant (src/text/terminal-safe.ts).
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

/**
 * A stored device error ("... at the campaign deadline 2026-12-07T19:17:31.705Z") with its ISO
 * times as the rest of the summary shows times (the admin's time zone); JSON keeps them ISO UTC.
 */
function localTimesIn(error: string, language: Language | undefined): string {
  return error.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\b/g, (iso) =>
    formatLocalTime(iso, language),
  );
}

/** What a device in an open phase was still waiting for (campaign-tracker.ts), by its English text. */
const WAITING = {
  'not posted': 'fleet.waiting.pending',
  'posted, no sync seen': 'fleet.waiting.posted',
  'post unconfirmed, no sync seen': 'fleet.waiting.unconfirmed',
  'synced, TPM settings still not compliant': 'fleet.waiting.synced',
  'not finished': 'fleet.waiting.unfinished',
} as const satisfies Record<string, keyof UiMessages>;

/**
 * A device's stored error in the admin's language where tpm-doctor wrote it (a timed-out device's
 * wait, an interrupted post); the store keeps English, and Graph's own texts stay as Graph wrote them.
 */
export function storedErrorText(error: string, ui: UiMessages): string {
  if (error === EN['fleet.interrupted-post']) return ui['fleet.interrupted-post'];
  const timedOut = /^(.+) at the campaign deadline (\S+)$/.exec(error);
  const waiting = timedOut?.[1];
  if (timedOut === null || waiting === undefined || !Object.hasOwn(WAITING, waiting)) return error;
  return ui['fleet.timed-out']({
    waiting: ui[WAITING[waiting as keyof typeof WAITING]],
    deadline: timedOut[2] as string,
  });
}

/** `fleet status` without a campaign: one line per campaign, newest last. */
export function renderCampaignList(campaigns: readonly Campaign[], text: SummaryText = {}): string {
  const ui = text.ui ?? EN;
  if (campaigns.length === 0) return `${ui['fleet.campaigns.none-yet']}\n`;
  return `${campaigns
    .map((campaign) =>
      terminalSafe(
        `${isLabTarget(campaign.target) ? '[LAB] ' : ''}${campaign.id}  ${padLabel(ui[`fleet.action.${campaign.action}`], 10)}${padLabel(ui[`fleet.state.${campaign.status}`], 9)}${ui['fleet.campaigns.created']({ at: formatLocalTime(campaign.createdAt, text.language) })}  ${campaign.selection}`,
      ),
    )
    .join('\n')}\n`;
}

/** The lab tenant listens on loopback only; a real Graph endpoint never does. */
export function isLabTarget(target: string): boolean {
  return (
    /^LAB tenant\b/.test(target) ||
    /(?:^|\/\/|@|\s)(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?(?:\/|\s|$)/i.test(target)
  );
}
