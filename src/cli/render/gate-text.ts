import type { GateResult } from '../../remedy/preflight/gate.js';
import { displayWidth } from '../../text/display-width.js';
import { ENGLISH } from '../../text/messages/catalog.js';
import type { UiMessages } from '../../text/messages/en.js';
import { wrapParagraph } from '../../text/wrap.js';
import { PLAIN_LAYOUT, paint, type TextLayout } from '../terminal-style.js';

const MARK = {
  pass: { text: 'gate.mark.pass', tone: 'good' },
  fail: { text: 'gate.mark.fail', tone: 'bad' },
  unknown: { text: 'gate.mark.unknown', tone: 'warn' },
} as const;

/** The columns of the pass/FAIL/UNKNOWN mark, in any language. */
const MARK_COLUMNS = 7;

/** The column where a check's message starts: "  FAIL    check-id (28)  ". */
const MESSAGE_COLUMN = 2 + 7 + 1 + 28 + 1;

/**
 * The preflight gate as an admin reads it: each check, then what the clear will destroy. A
 * check's message wraps under itself; pass and FAIL are told apart by colour as well as case.
 */
export function renderGate(
  gate: GateResult,
  acknowledged: readonly string[],
  layout: TextLayout = PLAIN_LAYOUT,
  ui: UiMessages = ENGLISH.ui,
): string {
  // Facts quoted from evidence go through the terminal filter inside wrapParagraph
  // (src/text/terminal-safe.ts).
  const out: string[] = [ui['gate.heading']];
  const put = (prefix: string, text: string, hang: number) =>
    out.push(...wrapParagraph(prefix, text, hang, layout.width));
  // Narrow terminals: the message goes under the check instead of beside it.
  const hang = layout.width - MESSAGE_COLUMN >= 30 ? MESSAGE_COLUMN : 13;
  for (const c of gate.checks) {
    const ack = c.status === 'unknown' && acknowledged.includes(c.id) ? ui['gate.acknowledged'] : '';
    const mark = MARK[c.status];
    const word = ui[mark.text];
    const padded = word + ' '.repeat(Math.max(0, MARK_COLUMNS - displayWidth(word)));
    put(`  ${paint(layout, mark.tone, padded)} ${c.id.padEnd(28)} `, `${c.message}${ack}`, hang);
  }
  const inv = gate.inventory;
  out.push('', ui['gate.loss.heading']);
  const lost = [
    ...inv.persistentObjects.map((handle) => ui['gate.loss.persistent']({ handle })),
    ...inv.nonPlatformNvIndices.map((index) => ui['gate.loss.nv']({ index })),
    ...inv.windows,
  ];
  if (lost.length === 0) out.push(`  ${ui['gate.loss.nothing']}`);
  for (const item of lost) put('  - ', item, 4);
  out.push(
    '',
    gate.passed
      ? `${ui['gate.result']}${paint(layout, 'good', ui['gate.passed'])}`
      : `${ui['gate.result']}${paint(layout, 'bad', ui['gate.refused'])}${ui['gate.refused-detail']}`,
  );
  return `${out.join('\n')}\n`;
}
