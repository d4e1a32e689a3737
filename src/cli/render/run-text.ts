import type { ClearRunResult } from '../../remedy/clear/clear-run.js';
import { displayWidth } from '../../text/display-width.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import { terminalSafe } from '../../text/terminal-safe.js';

/** A clear run's result for a person: its status, journal, receipt, failure and proof. */
export function renderRun(result: ClearRunResult, ui: UiMessages = EN): string {
  const labelWidth = Math.max(displayWidth(ui['run.label.journal']), displayWidth(ui['run.label.receipt']));
  const label = (text: string) => `${text}${' '.repeat(labelWidth - displayWidth(text))}  `;
  const out = [
    '',
    ui['run.heading']({ id: result.runId, status: ui[`run.status.${result.status}`] }),
    `  ${label(ui['run.label.journal'])}${result.journalPath}`,
  ];
  if (result.receiptPath) out.push(`  ${label(ui['run.label.receipt'])}${result.receiptPath}`);
  if (result.failure) out.push(`  ${result.failure.step}: ${result.failure.message}`);
  if (result.proof) {
    out.push('', ui[result.proof.proven ? 'run.proof.proven' : 'run.proof.not-proven']);
    const pass = ui['run.check.pass'];
    const fail = ui['run.check.fail'];
    const width = Math.max(displayWidth(pass), displayWidth(fail));
    for (const c of result.proof.checks) {
      const word = c.passed ? pass : fail;
      out.push(`  ${word}${' '.repeat(width - displayWidth(word))}  ${c.id.padEnd(30)} ${c.actual}`);
    }
  }
  out.push('');
  // One entry per line: a failure can quote the TPM or the firmware (src/text/terminal-safe.ts).
  return `${out.map(terminalSafe).join('\n')}\n`;
}
