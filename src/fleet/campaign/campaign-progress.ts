import { EN, type UiMessages } from '../../text/messages/en.js';
import type { Campaign, CampaignAction, DevicePhase } from '../store/fleet-store.js';
import { ALL_PHASES, isFinalPhase } from './campaign-phases.js';

/** A campaign's progress at one moment, for a progress display (text or JSON). */
export interface CampaignProgress {
  campaignId: string;
  action: CampaignAction;
  /** ISO time of this snapshot. */
  at: string;
  total: number;
  counts: Record<DevicePhase, number>;
  /** Devices whose part is over (compliant, failed, timed-out; for remediate also synced). */
  done: number;
  /** POSTs sent by this run. */
  sentThisRun: number;
  /** Recent POST rate, or null before there are enough posts to tell. */
  postsPerSecond: number | null;
  /** Seconds until the last pending device is posted at that rate, or null when unknown. */
  postingEtaSeconds: number | null;
  /** Seconds until the campaign's deadline (0 once passed), or null when it has none readable. */
  deadlineInSeconds: number | null;
  /**
   * While devices wait to be posted: seconds until the write budget has room for the next POST
   * (Intune's write window), 0 when it has room now, null when unknown or nothing is pending.
   */
  writeWindowWaitSeconds: number | null;
  /**
   * The wait is for writes an earlier process left in the window (this run has posted nothing yet
   * and counted them: campaign-runner.ts `writeBudget`), not for this run's own.
   */
  writeWindowOfEarlierRun: boolean;
}

/** Posts remembered for the rate: recent enough to follow a change of pace (a throttle). */
const RATE_SAMPLES = 100;

/**
 * The posting rate over the most recent posts, and the time left to post the rest at that rate.
 * The rate is what the client's budget allows (the limits, not the network, set it), so the
 * recent past is the best guess of the near future. Tracking has no ETA: devices sync when they
 * check in, which no rate predicts.
 */
export class ProgressRate {
  readonly #now: () => Date;
  readonly #postTimes: number[] = [];

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Notes one POST answered now. */
  recordPost(): void {
    this.#postTimes.push(this.#now().getTime());
    if (this.#postTimes.length > RATE_SAMPLES) this.#postTimes.shift();
  }

  /** Posts per second over the remembered posts; null with fewer than two or no time between. */
  postsPerSecond(): number | null {
    const first = this.#postTimes[0];
    const last = this.#postTimes.at(-1);
    if (first === undefined || last === undefined || last <= first) return null;
    return ((this.#postTimes.length - 1) * 1000) / (last - first);
  }

  progress(
    campaign: Campaign,
    counts: Record<DevicePhase, number>,
    sentThisRun: number,
    writeWindowWaitMs: number | null = null,
    options: { earlierRun?: boolean } = {},
  ): CampaignProgress {
    const total = ALL_PHASES.reduce((sum, phase) => sum + counts[phase], 0);
    const done = ALL_PHASES.filter((phase) => isFinalPhase(campaign.action, phase)).reduce(
      (sum, phase) => sum + counts[phase],
      0,
    );
    const rate = this.postsPerSecond();
    const toPost = counts.pending + counts.posting;
    return {
      campaignId: campaign.id,
      action: campaign.action,
      at: this.#now().toISOString(),
      total,
      counts,
      done,
      sentThisRun,
      postsPerSecond: rate,
      postingEtaSeconds: toPost === 0 ? 0 : rate === null ? null : Math.ceil(toPost / rate),
      deadlineInSeconds: Number.isNaN(Date.parse(campaign.deadline))
        ? null
        : Math.max(0, Math.ceil((Date.parse(campaign.deadline) - this.#now().getTime()) / 1000)),
      writeWindowWaitSeconds:
        counts.pending === 0 || writeWindowWaitMs === null || !Number.isFinite(writeWindowWaitMs)
          ? null
          : Math.ceil(writeWindowWaitMs / 1000),
      writeWindowOfEarlierRun: options.earlierRun === true,
    };
  }
}

/** One line for a terminal: "sync c-…: 812/2,000 done · posted 1,500 · ... · 9.8 posts/s, posting done in 2m 1s". */
export function formatProgressLine(progress: CampaignProgress, ui: UiMessages = EN): string {
  const { counts } = progress;
  const n = (value: number): string => value.toLocaleString('en-US');
  const parts = [
    ui['fleet.progress.done']({ done: n(progress.done), total: n(progress.total) }),
    ui['fleet.progress.pending']({ count: n(counts.pending + counts.posting) }),
    ui['fleet.progress.awaiting-sync']({ count: n(counts.posted + counts.unconfirmed) }),
    ui['fleet.progress.synced']({ count: n(counts.synced) }),
    ui['fleet.progress.compliant']({ count: n(counts.compliant) }),
    ui['fleet.progress.failed']({ count: n(counts.failed) }),
    ui['fleet.progress.timed-out']({ count: n(counts['timed-out']) }),
  ];
  if (progress.postsPerSecond !== null)
    parts.push(ui['fleet.progress.rate']({ rate: progress.postsPerSecond.toFixed(1) }));
  if (progress.postingEtaSeconds !== null && progress.postingEtaSeconds > 0) {
    parts.push(ui['fleet.progress.posting-eta']({ seconds: progress.postingEtaSeconds }));
  }
  if (progress.writeWindowWaitSeconds !== null && progress.writeWindowWaitSeconds > 0) {
    parts.push(
      ui[
        progress.writeWindowOfEarlierRun
          ? 'fleet.progress.earlier-write-window'
          : 'fleet.progress.write-window'
      ]({
        seconds: progress.writeWindowWaitSeconds,
      }),
    );
  }
  if (progress.deadlineInSeconds !== null)
    parts.push(ui['fleet.progress.left']({ seconds: progress.deadlineInSeconds }));
  return `${ui[`fleet.action.${progress.action}`]} ${progress.campaignId}: ${parts.join(' · ')}`;
}
