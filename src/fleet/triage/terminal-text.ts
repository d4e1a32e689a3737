/**
 * Text from the tenant (device and user names) shown in a terminal: made safe by the one function
 * for that (src/text/terminal-safe.ts: controls, bidi overrides and line separators shown as
 * escapes), and widths counted the way terminals draw them (East Asian wide characters take two
 * columns).
 */
export { terminalSafe } from '../../text/terminal-safe.js';

const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

/** Cuts or pads to exactly `width` columns; a cut ends with "…". */
export function fitColumns(text: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text + ' '.repeat(width - displayWidth(text));
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = WIDE.test(ch) ? 2 : 1;
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…${' '.repeat(width - 1 - used)}`;
}
