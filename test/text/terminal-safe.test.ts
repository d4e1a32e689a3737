import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeLines } from '../../src/text/terminal-safe.js';

describe('terminalSafe', () => {
  it('shows C0, DEL and C1 controls as escapes, nothing lost', () => {
    expect(terminalSafe('a\u0000b\u001b[2Kc\u007fd\u009be')).toBe('a\\x00b\\x1b[2Kc\\x7fd\\x9be');
    expect(terminalSafe('one\ntwo\rthree\tfour\bfive')).toBe('one\\ntwo\\rthree\\tfour\\x08five');
  });

  it('shows bidi overrides, isolates, marks and line separators as escapes', () => {
    expect(terminalSafe('\u202a\u202b\u202c\u202d\u202e')).toBe('\\u202a\\u202b\\u202c\\u202d\\u202e');
    expect(terminalSafe('\u2066\u2067\u2068\u2069\u200e\u200f\u061c')).toBe(
      '\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    );
    expect(terminalSafe('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
  });

  it('shows invisible format characters and lone surrogates, keeps joiners and real text', () => {
    expect(terminalSafe('x\u200by\ufeffz\u{e0041}')).toBe('x\\u200by\\ufeffz\\u{e0041}');
    expect(terminalSafe('bad\ud800pair')).toBe('bad\\ud800pair');
    expect(terminalSafe('東京-PC-01 Ünïcödé 👩‍💻 ZWNJ:\u200c')).toBe('東京-PC-01 Ünïcödé 👩‍💻 ZWNJ:\u200c');
    expect(terminalSafe('C:\\Users\\admin')).toBe('C:\\Users\\admin');
  });

  it('is idempotent: escaping twice changes nothing more', () => {
    const once = terminalSafe('\u001b]52;c;Zm9v\u0007\u202e');
    expect(terminalSafe(once)).toBe(once);
  });

  it('terminalSafeLines keeps line feeds and escapes everything else', () => {
    expect(terminalSafeLines('first\nsecond\r\u001b[1A')).toBe('first\nsecond\\r\\x1b[1A');
  });
});
