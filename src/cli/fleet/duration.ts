import { UsageError } from '../usage-error.js';

/** "90s", "45m", "24h", "2d" (or plain seconds) → milliseconds, for --deadline and --poll. */
export function parseDuration(text: string, flag: string, verb: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  if (!m || Number(m[1]) <= 0) {
    throw new UsageError(`${flag} expects a duration such as 90s, 45m, 24h or 2d, got "${text}"`, verb);
  }
  return Math.round(Number(m[1]) * unit[(m[2] ?? 's') as keyof typeof unit]);
}
