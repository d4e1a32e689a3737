/**
 * The one function that makes text from outside tpm-doctor (Graph answers, evidence values, TPM
 * vendor strings, file and device names) safe to write to a terminal (docs/security.md).
 *
 * A terminal obeys what it is sent: ESC and CSI sequences (ECMA-48 §5, and the C1 controls
 * U+0080-U+009F, which some terminals take as CSI/OSC) move the cursor, erase lines, set the
 * window title or write to the clipboard; CR and BS overwrite what is already shown; U+2028/U+2029
 * and the bidirectional overrides and isolates (Unicode UAX #9 §2: U+202A-U+202E, U+2066-U+2069,
 * plus the marks U+061C, U+200E, U+200F) make text display in an order other than the one it has.
 * Each such character is shown as a visible escape (`\x1b`, `\u202e`, `\n`), so nothing is lost
 * and nothing is obeyed. Other invisible format characters (Unicode category Cf: zero-width
 * spaces, the byte-order mark, tag characters) are escaped too, except the zero-width joiner and
 * non-joiner, which some scripts need to spell words. A lone surrogate is escaped rather than
 * written as U+FFFD.
 *
 * JSON output never goes through here: JSON.stringify already escapes control characters and a
 * reader gets the value exactly.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]|\p{Cs}/gu;
/** In text that may have several lines of its own (a multi-line message we composed). */
const UNSAFE_KEEP_NEWLINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]|\p{Cs}/gu;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const KEPT_FORMAT = new Set(['\u200c', '\u200d']);

function escapeOne(ch: string): string {
  if (KEPT_FORMAT.has(ch)) return ch;
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** One line of text from outside, with every control, bidi and invisible format character shown as an escape. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** The same, keeping line feeds: for a message of several lines whose parts may come from outside. */
export function terminalSafeLines(text: string): string {
  return text.replace(UNSAFE_KEEP_NEWLINES, escapeOne);
}
