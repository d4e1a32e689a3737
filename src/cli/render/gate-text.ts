import type { GateResult } from '../../remedy/preflight/gate.js';
import { terminalSafe } from '../../text/terminal-safe.js';

const MARK = { pass: 'pass   ', fail: 'FAIL   ', unknown: 'UNKNOWN' } as const;

/** The preflight gate as an admin reads it: each check, then what the clear will destroy. */
export function renderGate(gate: GateResult, acknowledged: readonly string[]): string {
  const out: string[] = ['Preflight gate'];
  for (const c of gate.checks) {
    const ack = c.status === 'unknown' && acknowledged.includes(c.id) ? ' (acknowledged)' : '';
    out.push(`  ${MARK[c.status]} ${c.id.padEnd(28)} ${c.message}${ack}`);
  }
  const inv = gate.inventory;
  out.push('', 'What the clear will destroy');
  const lost = [
    ...inv.persistentObjects.map((o) => `persistent object ${o}`),
    ...inv.nonPlatformNvIndices.map((i) => `NV index ${i}`),
    ...inv.windows,
  ];
  if (lost.length === 0) out.push("  nothing beyond the storage and endorsement hierarchies' secrets");
  for (const item of lost) out.push(`  - ${item}`);
  out.push('', gate.passed ? 'Gate: PASSED' : 'Gate: REFUSED (nothing on the TPM was changed)');
  // One entry per line; facts quoted from evidence are shown escaped (src/text/terminal-safe.ts).
  return `${out.map(terminalSafe).join('\n')}\n`;
}
