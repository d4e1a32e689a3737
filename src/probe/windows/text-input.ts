import { EvidenceError } from './evidence-error.js';
import { westernCodePage } from './legacy-code-page.js';

/** Evidence files larger than this are refused before they are read (a bundle is a few hundred KB). */
export const MAX_EVIDENCE_BYTES = 20 * 1024 * 1024;

/**
 * Bytes of an evidence file as text. Windows writes these in several encodings:
 * - UTF-16LE with a BOM: Windows PowerShell 5.1's `Out-File` and `>` default;
 * - UTF-8 with a BOM (5.1 `-Encoding UTF8`) or without (PowerShell 7, most editors);
 * - UTF-16LE or UTF-16BE without a BOM (some tools, a BOM lost in a copy), recognised by the
 *   NUL high bytes of mostly-ASCII text;
 * - Shift_JIS (CP932): `tpmtool ... > file.txt` in cmd on Japanese Windows. Accepted only when the
 *   bytes are not UTF-8 and decode to text with kana, so Latin-1 or random bytes are not mistaken
 *   for it.
 * - a Western legacy code page: `manage-bde > file.txt` in cmd writes the console's OEM code page
 *   (CP850 on German, French, Italian or Spanish Windows), Notepad and older tools write the ANSI
 *   code page (CP1252). Accepted only when the bytes are not UTF-8, contain no C0 control bytes
 *   other than tab/CR/LF, and one of the two decodings yields clearly more letters between letters
 *   (ü in "Schlüssel" is 0x81 in CP850 and 0xFC in CP1252) than the other; see legacy-code-page.ts.
 * Anything else (UTF-32, binary data, invalid UTF-8) is an EvidenceError that says what was found.
 */
export function decodeEvidenceText(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new EvidenceError('the file is empty');
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xff && b1 === 0xfe && bytes[2] === 0 && bytes[3] === 0) {
    throw new EvidenceError('found UTF-32 text; expected UTF-8 or UTF-16 (save it again as UTF-8)');
  }
  if (b0 === 0xff && b1 === 0xfe) return utf16(bytes.subarray(2), 'utf-16le');
  if (b0 === 0xfe && b1 === 0xff) return utf16(bytes.subarray(2), 'utf-16be');
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) {
    return strict(
      'utf-8',
      bytes.subarray(3),
      'text that starts with a UTF-8 byte order mark but is not valid UTF-8',
    );
  }
  if (looksLikeBomlessUtf16(bytes, 'le')) return utf16(bytes, 'utf-16le');
  if (looksLikeBomlessUtf16(bytes, 'be')) return utf16(bytes, 'utf-16be');
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new EvidenceError(`expected text, found binary data (a NUL byte at offset ${nul})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const sjis = shiftJis(bytes);
    if (sjis !== null) return sjis;
    const western = westernCodePage(bytes);
    if (western !== null) return western;
    const bad = firstInvalidUtf8(bytes);
    throw new EvidenceError(
      `expected UTF-8 or UTF-16 text, found bytes that are neither (invalid UTF-8 byte 0x${bad.byte
        .toString(16)
        .padStart(2, '0')} at offset ${bad.offset})`,
    );
  }
}

function utf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): string {
  if (bytes.length % 2 !== 0) {
    throw new EvidenceError(
      `found UTF-16 text with an odd number of bytes (${bytes.length}): the file is cut short`,
    );
  }
  return strict(encoding, bytes, 'UTF-16 text with invalid characters');
}

function strict(encoding: string, bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new EvidenceError(`expected text, found ${what}`);
  }
}

/** Mostly-ASCII UTF-16 without a BOM: the high byte of most characters NUL (second in LE, first in BE), the other not. */
function looksLikeBomlessUtf16(bytes: Uint8Array, order: 'le' | 'be'): boolean {
  if (bytes.length < 4 || bytes.length % 2 !== 0) return false;
  const sample = Math.min(bytes.length, 512);
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = sample / 2;
  const [high, low] = order === 'le' ? [oddNul, evenNul] : [evenNul, oddNul];
  return high >= pairs * 0.6 && low <= pairs * 0.1;
}

function shiftJis(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return /[\u3040-\u30ff]/.test(text) ? text : null;
}

function firstInvalidUtf8(bytes: Uint8Array): { offset: number; byte: number } {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    const need = b >= 0xf0 && b <= 0xf4 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b <= 0xdf ? 1 : -1;
    if (need < 0 || b > 0xf4) return { offset: i, byte: b };
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return { offset: i, byte: b };
    }
    i += need;
  }
  return { offset: 0, byte: bytes[0] ?? 0 };
}
