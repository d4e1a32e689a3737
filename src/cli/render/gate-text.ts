import type { GateResult } from '../../remedy/preflight/gate.js';
import { wrapParagraph } from '../../text/wrap.js';
import { PLAIN_LAYOUT, paint, type TextLayout } from '../terminal-style.js';

const MARK = {
  pass: { text: 'pass   ', tone: 'good' },
  fail: { text: 'FAIL   ', tone: 'bad' },
  unknown: { text: 'UNKNOWN', tone: 'warn' },
} as const;

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
): string {
  // Facts quoted from evidence go through the terminal filter inside wrapParagraph
  // (src/text/terminal-safe.ts).
  const out: string[] = ['Preflight gate'];
  const put = (prefix: string, text: string, hang: number) =>
    out.push(...wrapParagraph(prefix, text, hang, layout.width));
  // Narrow terminals: the message goes under the check instead of beside it.
  const hang = layout.width - MESSAGE_COLUMN >= 30 ? MESSAGE_COLUMN : 13;
  for (const c of gate.checks) {
    const ack = c.status === 'unknown' && acknowledged.includes(c.id) ? ' (acknowledged)' : '';
    const mark = MARK[c.status];
    put(`  ${paint(layout, mark.tone, mark.text)} ${c.id.padEnd(28)} `, `${c.message}${ack}`, hang);
  }
  const inv = gate.inventory;
  out.push('', 'What the clear will destroy');
  const lost = [
    ...inv.persistentObjects.map((o) => `persistent object ${o}`),
    ...inv.nonPlatformNvIndices.map((i) => `NV index ${i}`),
    ...inv.windows,
  ];
  if (lost.length === 0) out.push("  nothing beyond the storage and endorsement hierarchies' secrets");
  for (const item of lost) put('  - ', item, 4);
  out.push(
    '',
    gate.passed
      ? `Gate: ${paint(layout, 'good', 'PASSED')}`
      : `Gate: ${paint(layout, 'bad', 'REFUSED')} (nothing on the TPM was changed)`,
  );
  return `${out.join('\n')}\n`;
}
