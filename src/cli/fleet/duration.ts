import { parseDurationText } from '../../text/duration.js';
import { UsageError } from '../usage-error.js';

/**
 * The longest --poll: a campaign checks its devices at least daily. Also far below Node's timer
 * limit (2^31-1 ms, about 24.8 days; a longer setTimeout fires at once).
 */
export const MAX_POLL_MS = 86_400_000;

/**
 * "90s", "45m", "24h", "2d" (or plain seconds) → milliseconds, for --deadline, --poll and
 * --max-triage-age (src/text/duration.ts, which the console's deadline field uses too). A value
 * over `maxMs` is a usage error, so nothing is created with it.
 */
export function parseDuration(text: string, flag: string, verb: string, maxMs?: number): number {
  const parsed = parseDurationText(text, flag, maxMs);
  if (typeof parsed !== 'number') throw new UsageError(parsed.error, verb);
  return parsed;
}
