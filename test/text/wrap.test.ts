import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/text/display-width.js';
import { wrapIndented, wrapParagraph } from '../../src/text/wrap.js';

const LONG =
  'Wait about 16 min 40 s with the device switched on (the TPM forgives one failure every 16 min 40 s of powered-on time). Or reset the lockout with the lockout authorisation.';

describe('wrapParagraph', () => {
  it('keeps every line within the width, breaks only between words, and hangs later lines', () => {
    const lines = wrapParagraph('Next step    ', LONG, 13, 40);
    expect(lines[0]?.startsWith('Next step    Wait')).toBe(true);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {13}\S/);
    expect(
      lines
        .map((l, i) => (i === 0 ? l.slice(13) : l.trim()))
        .join(' ')
        .replace(/ +/g, ' '),
    ).toBe(LONG.replace(/ +/g, ' '));
    const words = new Set(LONG.split(/ +/));
    for (const line of lines) for (const w of line.slice(13).trim().split(/ +/)) expect(words).toContain(w);
  });

  it('keeps text that fits on one line exactly as it is, aligned spaces included', () => {
    expect(wrapParagraph('  ', 'a  b   c', 4, 80)).toEqual(['  a  b   c']);
    expect(wrapParagraph('Verdict      ', '', 13, 80)).toEqual(['Verdict']);
  });

  it('measures wide characters by their columns and breaks Japanese between characters', () => {
    const ja = 'TPM が辞書攻撃ロックアウト状態です。待つか、ロックアウトをリセットしてください。';
    const lines = wrapParagraph('  ', ja, 4, 30);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(lines.map((l) => l.trim()).join('')).toBe(ja);
  });

  it('puts a URL or a path wider than a line on a line of its own, whole, so it can be copied', () => {
    const url = `https://example.invalid/${'x'.repeat(100)}`;
    const path = `C:\\ProgramData\\tpm-doctor\\${'evidence-'.repeat(8)}\\bitlocker.json`;
    for (const token of [url, path, `/var/lib/tpm-doctor/${'runs/'.repeat(12)}journal.jsonl`]) {
      const lines = wrapParagraph('see ', `the file ${token} and then the next words`, 2, 40);
      expect(lines).toContain(`  ${token}`);
      for (const line of lines.filter((l) => !l.includes(token)))
        expect(displayWidth(line)).toBeLessThanOrEqual(40);
      expect(lines[0]).toBe('see the file');
      expect(lines.map((l) => l.trim()).join(' ')).toBe(`see the file ${token} and then the next words`);
    }
  });

  it('never cuts a 64-digit hash at the end of a line: it starts a line of its own, then is cut at the width', () => {
    const hash = 'a3f1'.repeat(16);
    // Fits the line under the hanging indent: whole, on its own line, never split across two.
    const fitting = wrapParagraph('SHA-256    ', `the EK certificate fingerprint ${hash} was read`, 11, 80);
    expect(fitting.some((l) => l.trim() === hash || l.trim().startsWith(hash))).toBe(true);
    for (const line of fitting) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    // Wider than a whole line: its own lines, each full, the text still within the width.
    const lines = wrapParagraph('  ', `fingerprint ${hash} read`, 4, 40);
    expect(lines[0]).toBe('  fingerprint');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(lines[1]).toBe(`    ${hash.slice(0, 36)}`);
    expect(lines[2]).toBe(`    ${hash.slice(36)} read`);
  });

  it('does the same inside Japanese: a hash on its own lines, a URL whole on its own line', () => {
    const hash = 'a3f1'.repeat(16);
    const url = `https://learn.microsoft.com/ja-jp/windows/security/${'hardware-security/'.repeat(4)}tpm`;
    const text = `証明書のフィンガープリントは${hash}です。詳しくは${url}を参照してください。`;
    const lines = wrapParagraph('  ', text, 4, 40);
    // The URL alone on its line: nothing Japanese stuck to it when it is selected and copied.
    expect(lines).toContain(`    ${url}`);
    for (const line of lines.filter((l) => !l.includes(url)))
      expect(displayWidth(line), line).toBeLessThanOrEqual(40);
    const first = lines.findIndex((l) => l.includes('a3f1'));
    expect(lines[first - 1]).toMatch(/は$/);
    expect(lines[first]).toBe(`    ${hash.slice(0, 36)}`);
    expect(lines[first + 1]?.startsWith(`    ${hash.slice(36)}です。`)).toBe(true);
    expect(lines.join('').replaceAll(' ', '')).toBe(text);
  });

  it('shows control characters from outside escaped, and measures the escapes', () => {
    const lines = wrapParagraph('  ', `evil\x1b[2Jname ${'word '.repeat(20)}`, 4, 30);
    expect(lines.join('\n')).not.toContain('\x1b');
    expect(lines[0]).toContain('evil\\x1b[2Jname');
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(30);
  });

  it('breaks Japanese between characters by their width, never inside a command or a code, never before 。、） or after （', () => {
    const text =
      'ロックアウト認証の値を推測で入力しないでください。1回でも誤った値を入力すると、リセットもTPM2_Clearも16分40秒の間ブロックされ（TPM_RC_LOCKOUT 0x921）、しかもTPMはロックアウト状態として報告しません。';
    for (const width of [30, 31, 40, 41, 57, 80]) {
      const lines = wrapParagraph('  ', text, 2, width);
      for (const line of lines) expect(displayWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
      expect(lines.join('').replaceAll(' ', ''), `${width}`).toBe(text.replaceAll(' ', ''));
      for (const line of lines.slice(1)) expect(line, `${width}`).toMatch(/^ {2}[^、。）」 ]/);
      for (const line of lines) expect(line, `${width}`).not.toMatch(/[（「]$/);
      const joined = lines.join('\n');
      for (const word of ['TPM2_Clear', 'TPM_RC_LOCKOUT', '0x921', '16'])
        expect(joined, `${width}`).toContain(word);
    }
  });

  it('measures a coloured prefix by what it shows', () => {
    const lines = wrapParagraph('\x1b[31mFAIL\x1b[39m ', 'word '.repeat(20), 5, 30);
    expect(lines[0]?.startsWith('\x1b[31mFAIL\x1b[39m word')).toBe(true);
    expect(displayWidth(lines[0]?.replace(/\x1b\[\d+m/g, '') ?? '')).toBeLessThanOrEqual(30);
  });
});

describe('wrapIndented', () => {
  it('keeps the leading indent and hangs two columns further in', () => {
    const lines = wrapIndented(`    subject   ${'CN=Very Long Name '.repeat(6)}`, 40);
    expect(lines[0]).toMatch(/^ {4}subject {3}CN=/);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {6}\S/);
  });
});
