import { UsageError } from '../usage-error.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The longest duration any flag takes: a campaign's deadline or a triage's age beyond a year is
 * a typo, and a year stays far inside what a Date can hold (ECMA-262 §21.4.1.22: ±8.64e15 ms).
 */
const MAX_DURATION_MS = 366 * UNIT_MS.d;
/**
 * The longest --poll: a campaign checks its devices at least daily. Also far below Node's timer
 * limit (2^31-1 ms, about 24.8 days; a longer setTimeout fires at once).
 */
export const MAX_POLL_MS = UNIT_MS.d;

/**
 * "90s", "45m", "24h", "2d" (or plain seconds) → milliseconds, for --deadline, --poll and
 * --max-triage-age. A value over `maxMs` is a usage error, so nothing is created with it.
 */
export function parseDuration(text: string, flag: string, verb: string, maxMs = MAX_DURATION_MS): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new UsageError(`${flag} expects a duration such as 90s, 45m, 24h or 2d, got "${text}"`, verb);
  }
  const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS]);
  if (!(ms >= 1)) {
    throw new UsageError(`${flag} expects a duration of at least 1 ms, got "${text}"`, verb);
  }
  if (ms > maxMs) {
    throw new UsageError(`${flag} is at most ${describeMs(maxMs)}, got "${text}"`, verb);
  }
  return ms;
}

function describeMs(ms: number): string {
  return ms % UNIT_MS.d === 0 ? `${ms / UNIT_MS.d}d` : `${ms / UNIT_MS.h}h`;
}
