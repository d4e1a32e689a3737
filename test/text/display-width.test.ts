import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/text/display-width.js';

describe('displayWidth: terminal columns by East Asian width (UAX #11) and emoji presentation', () => {
  it('counts ASCII one column a character', () => {
    expect(displayWidth('')).toBe(0);
    expect(displayWidth('tpm.lockout')).toBe(11);
  });
  it('counts wide CJK characters, kana, Hangul and fullwidth forms as two', () => {
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('ロックアウト')).toBe(12);
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('ＴＰＭ')).toBe(6);
    expect(displayWidth('TPM のクリア')).toBe(12);
  });
  it('counts halfwidth katakana and ambiguous characters as one', () => {
    expect(displayWidth('ｱｲｳ')).toBe(3);
    expect(displayWidth('±°')).toBe(2);
  });
  it('counts combining marks as nothing', () => {
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('Cafe\u0301 ')).toBe(5);
    expect(displayWidth('か\u3099')).toBe(2);
  });
  it('counts an emoji as two, whatever it is built of', () => {
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('👨\u200d👩\u200d👧')).toBe(2); // a ZWJ sequence
    expect(displayWidth('🇯🇵')).toBe(2); // a flag: two regional indicators
    expect(displayWidth('✔\ufe0f')).toBe(2); // text-default emoji with VS16
    expect(displayWidth('👍🏽')).toBe(2); // with a skin-tone modifier
    expect(displayWidth('ok 😀 ok')).toBe(8);
  });
});
