/**
 * Text saved in a Western legacy code page, recognised and decoded. Which one cannot be read from
 * the bytes, so both candidates are decoded and the one whose high characters sit between letters
 * (as umlauts and accents do in words) wins; text where neither decoding reads as words is refused
 * by the caller. Code page tables: https://learn.microsoft.com/windows/win32/intl/code-page-identifiers
 * (850 "OEM Multilingual Latin 1", 1252 "ANSI Latin 1").
 */

/** CP850 bytes 0x80-0xFF (the console code page of Western European Windows). */
const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';

function decodeCp850(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP850_HIGH[b - 0x80]!;
  return out;
}

const LETTER = /\p{L}/u;

const LOWER = /\p{Ll}/u;

/**
 * How well the non-ASCII characters read as letters inside words: an accented or umlauted
 * lower-case letter next to lower-case letters ("Schlüssel", "présent") scores most, any other
 * letter next to a letter less, anything else (box drawing, control characters) counts against.
 */
function wordScore(text: string): number {
  let score = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c.charCodeAt(0) < 0x80) continue;
    const before = text[i - 1] ?? '';
    const after = text[i + 1] ?? '';
    if (LOWER.test(c) && (LOWER.test(before) || LOWER.test(after))) score += 2;
    else if (LETTER.test(c) && (LETTER.test(before) || LETTER.test(after))) score += 1;
    else score -= 2;
  }
  return score;
}

/** The text in CP850 or CP1252, whichever reads as words; null when neither does. */
export function westernCodePage(bytes: Uint8Array): string | null {
  for (const b of bytes) {
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return null;
  }
  const candidates = [decodeCp850(bytes), new TextDecoder('windows-1252').decode(bytes)];
  const scored = candidates.map((text) => ({ text, score: wordScore(text) }));
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0]!;
  return best.score > 0 && best.score > scored[1]!.score ? best.text : null;
}
