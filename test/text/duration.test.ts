import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/text/duration.js';

describe('formatDuration: one way of writing a duration in every human output', () => {
  it('English: the two largest units, "16 min 40 s"', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(600)).toBe('10 min');
    expect(formatDuration(1000)).toBe('16 min 40 s');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(7200)).toBe('2 h');
    expect(formatDuration(90_061)).toBe('1 d 1 h');
    expect(formatDuration(41.6)).toBe('42 s');
    expect(formatDuration(-5)).toBe('0 s');
  });

  it('Japanese: "16分40秒"', () => {
    expect(formatDuration(0, 'ja')).toBe('0秒');
    expect(formatDuration(42, 'ja')).toBe('42秒');
    expect(formatDuration(1000, 'ja')).toBe('16分40秒');
    expect(formatDuration(3725, 'ja')).toBe('1時間2分');
    expect(formatDuration(7200, 'ja')).toBe('2時間');
    expect(formatDuration(90_061, 'ja')).toBe('1日1時間');
  });
});
