import type { Language } from './messages/language.js';

const UNITS: Record<Language, { size: number; name: string }[]> = {
  en: [
    { size: 86_400, name: ' d' },
    { size: 3_600, name: ' h' },
    { size: 60, name: ' min' },
    { size: 1, name: ' s' },
  ],
  ja: [
    { size: 86_400, name: '日' },
    { size: 3_600, name: '時間' },
    { size: 60, name: '分' },
    { size: 1, name: '秒' },
  ],
};

/**
 * A duration as every human output writes it: the two largest units, "16 min 40 s", "2 h 5 min",
 * "45 s"; in Japanese "16分40秒", "2時間5分", "45秒". JSON keeps plain seconds.
 */
export function formatDuration(totalSeconds: number, language: Language = 'en'): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const units = UNITS[language];
  if (s === 0) return `0${units[3]!.name}`;
  const parts: string[] = [];
  let rest = s;
  for (const { size, name } of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(language === 'en' ? ' ' : '');
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The longest duration any flag takes: a campaign's deadline or a triage's age beyond a year is
 * a typo, and a year stays far inside what a Date can hold (ECMA-262 §21.4.1.22: ±8.64e15 ms).
 */
const MAX_DURATION_MS = 366 * UNIT_MS.d;

/**
 * "90s", "45m", "24h", "2d" (or plain seconds) → milliseconds, as --deadline, --poll and
 * --max-triage-age take them and the console's deadline field too; or the sentence that says why
 * not, naming the field as `name` ("--deadline"). A value over `maxMs` is refused, so nothing is
 * created with it.
 */
export function parseDurationText(
  text: string,
  name: string,
  maxMs = MAX_DURATION_MS,
): number | { error: string } {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0)
    return { error: `${name} expects a duration such as 90s, 45m, 24h or 2d, got "${text}"` };
  const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS]);
  if (!(ms >= 1)) return { error: `${name} expects a duration of at least 1 ms, got "${text}"` };
  if (ms > maxMs) return { error: `${name} is at most ${describeMs(maxMs)}, got "${text}"` };
  return ms;
}

function describeMs(ms: number): string {
  return ms % UNIT_MS.d === 0 ? `${ms / UNIT_MS.d}d` : `${ms / UNIT_MS.h}h`;
}
