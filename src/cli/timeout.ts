import { UsageError } from './usage-error.js';

/** `--timeout SECONDS` → milliseconds, or undefined for the transport's default. */
export function parseTimeout(text: string | undefined, verb: string): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--timeout expects seconds between 0 and 3600, got "${text}"`, verb);
  }
  return Math.round(seconds * 1000);
}
