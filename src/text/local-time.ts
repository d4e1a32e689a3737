import type { Language } from './messages/language.js';

const LOCALES: Record<Language, string> = { en: 'en-US', ja: 'ja-JP' };

/**
 * An instant as the admin reads it in human output: in the admin's own time zone (the one
 * Intl.DateTimeFormat resolves: TZ, else the system's), to the second, with the zone named as the
 * language names it ("2026-12-07 19:01:34 JST", "2026-12-07 10:01:34 UTC", "... GMT+9").
 * JSON and CSV keep the UTC ISO string. Text that is not a time is returned as it is.
 */
export function formatLocalTime(
  time: string | number | Date,
  language: Language = 'en',
  timeZone?: string,
): string {
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const parts = new Intl.DateTimeFormat(LOCALES[language], {
    ...(timeZone === undefined ? {} : { timeZone }),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} ${part('timeZoneName')}`;
}

/** The calendar day of an instant in the admin's time zone ("2026-12-07"), for narrow columns. */
export function formatLocalDate(time: string | number | Date, timeZone?: string): string {
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  const parts = new Intl.DateTimeFormat('en-US', {
    ...(timeZone === undefined ? {} : { timeZone }),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
