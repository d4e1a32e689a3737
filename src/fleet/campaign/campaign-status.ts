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

/** What each phase means to an admin, in display order. */
const PHASE_LABELS: ReadonlyArray<[DevicePhase, string]> = [
  ['pending', 'not posted yet'],
  ['posting', 'being posted'],
  ['posted', 'posted, waiting for the device to sync'],
  ['unconfirmed', 'maybe posted (interrupted), waiting for a sync'],
  ['synced', 'synced, waiting for TPM settings to turn compliant'],
  ['compliant', 'compliant'],
  ['failed', 'refused by Graph'],
  ['timed-out', 'timed out'],
];

/** Where an action's phases mean something else than a sync's. */
function phaseLabel(action: CampaignSummaryAction, phase: DevicePhase, label: string): string {
  if (action === 'remediate' && phase === 'synced') return 'evidence reported';
  if (action === 'clear') {
    if (phase === 'posted') return 'posted, waiting for the clear to report';
    if (phase === 'synced') return 'cleared and proven, waiting for restart and compliance';
    if (phase === 'failed') return 'refused or failed (TPM not cleared)';
  }
  return label;
}

type CampaignSummaryAction = CampaignStatusSummary['action'];

/** `fleet status CAMPAIGN` as text. */
export function renderCampaignStatus(summary: CampaignStatusSummary): string {
  const lines = [
    `${summary.lab ? '[LAB] ' : ''}Campaign ${summary.id}: ${summary.action}, ${summary.status}`,
    `  Target:    ${summary.target}`,
    `  Selection: ${summary.selection}`,
    `  Created:   ${summary.createdAt}   Deadline: ${summary.deadline}`,
    `  Devices:   ${summary.total} (${summary.done} done, ${summary.open} open)`,
  ];
  if (summary.scriptId !== null) lines.push(`  Remediations script package: ${summary.scriptId}`);
  lines.push('');
  const shownLabels = PHASE_LABELS.map(
    ([phase, label]) => [phase, phaseLabel(summary.action, phase, label)] as const,
  );
  const width = Math.max(...shownLabels.map(([, label]) => label.length));
  for (const [phase, shown] of shownLabels) {
    lines.push(`  ${shown.padEnd(width)}  ${String(summary.counts[phase]).padStart(7)}`);
  }
  if (summary.problems.length > 0) {
    lines.push('', '  Devices that need a look:');
    for (const problem of summary.problems) {
      const name = problem.deviceName === null ? '' : ` (${problem.deviceName})`;
      lines.push(
        `    ${problem.deviceId}${name}: ${problem.phase}${problem.error ? `: ${problem.error}` : ''}`,
      );
    }
    if (summary.problemsOmitted > 0)
      lines.push(`    ... and ${summary.problemsOmitted} more (--json lists them)`);
  }
  // The exact command: running the campaign's command again would create a new campaign.
  if (summary.status === 'stopped')
    lines.push('', `  Stopped: "tpm-doctor fleet resume ${summary.id}" resumes it.`);
  if (summary.status === 'abandoned')
    lines.push('', `  Abandoned: never posted again, never resumed; ${summary.open} devices not done.`);
  // One entry per line: device names and errors come from the tenant (src/text/terminal-safe.ts).
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

/** `fleet status` without a campaign: one line per campaign, newest last. */
export function renderCampaignList(campaigns: readonly Campaign[]): string {
  if (campaigns.length === 0) return 'No campaigns yet.\n';
  return `${campaigns
    .map((campaign) =>
      terminalSafe(
        `${isLabTarget(campaign.target) ? '[LAB] ' : ''}${campaign.id}  ${campaign.action.padEnd(9)} ${campaign.status.padEnd(8)} created ${campaign.createdAt}  ${campaign.selection}`,
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
