import type { ClearRunResult } from '../../remedy/clear/clear-run.js';
import { terminalSafe } from '../../text/terminal-safe.js';

/** A clear run's result for a person: its status, journal, receipt, failure and proof. */
export function renderRun(result: ClearRunResult): string {
  const out = ['', `Run ${result.runId}: ${result.status.toUpperCase()}`, `  journal  ${result.journalPath}`];
  if (result.receiptPath) out.push(`  receipt  ${result.receiptPath}`);
  if (result.failure) out.push(`  ${result.failure.step}: ${result.failure.message}`);
  if (result.proof) {
    out.push('', `Proof: ${result.proof.proven ? 'the clear happened and did what it must' : 'NOT PROVEN'}`);
    for (const c of result.proof.checks)
      out.push(`  ${c.passed ? 'pass' : 'FAIL'}  ${c.id.padEnd(30)} ${c.actual}`);
  }
  out.push('');
  // One entry per line: a failure can quote the TPM or the firmware (src/text/terminal-safe.ts).
  return `${out.map(terminalSafe).join('\n')}\n`;
}
