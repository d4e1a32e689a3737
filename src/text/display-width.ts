/**
 * How many terminal columns a string takes, by the East Asian Width property (Unicode UAX #11):
 * Wide and Fullwidth characters (CJK ideographs, kana, Hangul, fullwidth forms) take two columns,
 * emoji shown as emoji (Emoji_Presentation, or any emoji followed by VS16; Unicode UTS #51 §4)
 * take two, combining marks and zero-width format characters take none, everything else one.
 * Ambiguous-width characters count as narrow, as terminals in non-CJK locales draw them. An emoji
 * built of several code points (a ZWJ sequence, a flag, a skin-tone modifier; UTS #51 §2) is one
 * emoji: a family is two columns, not six.
 *
 * Everything is counted with the regular-expression engine (no per-character JavaScript loop):
 * the text measured may be a huge hostile string from outside.
 */
const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

const PICTO = '\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|\\ufe0f)?';
/** Emoji of several code points, each drawn as one two-column emoji. */
const EMOJI_CLUSTER = new RegExp(
  `${PICTO}(?:\\u200d${PICTO})+|\\p{Regional_Indicator}{2}|\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|\\ufe0f)`,
  'gu',
);
const WIDE =
  /[\u1100-\u115f\u2329\u232a\u2e80-\u303e\u3041-\u3098\u309b-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{16fe4}\u{17000}-\u{18cff}\u{1b000}-\u{1b2ff}\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}]|\p{Emoji_Presentation}/gu;
const ZERO = /\p{Mn}|\p{Me}|\p{Cf}|[\u1160-\u11ff]/gu;
const ASTRAL = /[\u{10000}-\u{10ffff}]/gu;
/** One user-perceived character, for breaking a line inside a word (UAX #29, simplified). */
const UNIT = new RegExp(`${EMOJI_CLUSTER.source}|[\\s\\S](?:\\p{Mn}|\\p{Me}|\\ufe0f)*`, 'gu');

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** The columns `text` takes in a terminal (no control characters: pass it through terminalSafe first). */
export function displayWidth(text: string): number {
  if (ASCII_PRINTABLE.test(text)) return text.length;
  const flat = text.replace(EMOJI_CLUSTER, '\u3000'); // each cluster: one wide character
  const codePoints = flat.length - count(flat, ASTRAL);
  return codePoints + count(flat, WIDE) - count(flat, ZERO);
}

/** `text` cut into user-perceived characters: a base with its marks, an emoji cluster. */
export function graphemes(text: string): string[] {
  if (ASCII_PRINTABLE.test(text)) return [...text];
  return text.match(UNIT) ?? [];
}
