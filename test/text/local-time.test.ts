import { describe, expect, it } from 'vitest';
import { formatLocalDate, formatLocalTime } from '../../src/text/local-time.js';

const T = '2026-12-07T10:01:34.926Z';

describe('formatLocalTime: an instant in the admin time zone, the zone named', () => {
  it('English', () => {
    expect(formatLocalTime(T, 'en', 'UTC')).toBe('2026-12-07 10:01:34 UTC');
    expect(formatLocalTime(T, 'en', 'Asia/Tokyo')).toBe('2026-12-07 19:01:34 GMT+9');
    expect(formatLocalTime(T, 'en', 'America/New_York')).toBe('2026-12-07 05:01:34 EST');
  });

  it('Japanese names Japan Standard Time as a Japanese admin reads it', () => {
    expect(formatLocalTime(T, 'ja', 'Asia/Tokyo')).toBe('2026-12-07 19:01:34 JST');
    expect(formatLocalTime(T, 'ja', 'UTC')).toBe('2026-12-07 10:01:34 UTC');
  });

  it('the day changes with the zone; midnight is 00, not 24', () => {
    expect(formatLocalTime('2026-12-07T15:00:00Z', 'en', 'Asia/Tokyo')).toBe('2026-12-08 00:00:00 GMT+9');
    expect(formatLocalDate('2026-12-07T15:00:00Z', 'Asia/Tokyo')).toBe('2026-12-08');
    expect(formatLocalDate('2026-12-07T15:00:00Z', 'UTC')).toBe('2026-12-07');
  });

  it('the time zone Intl resolves when none is given; text that is no time stays as it is', () => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(formatLocalTime(T)).toBe(formatLocalTime(T, 'en', zone));
    expect(formatLocalTime('not a time')).toBe('not a time');
    expect(formatLocalDate('?')).toBe('?');
  });
});
