import { terminalSafe } from '../../text/terminal-safe.js';

/**
 * The post-clear runbook's lines for a person. Their messages quote the device (PowerShell
 * answers, Intune's sync state, the TPM's vendor strings), so each line is shown terminal-safe
 * (src/text/terminal-safe.ts, docs/security.md).
 */

/** Where the runbook stopped, when it did not complete: "Runbook: waiting at tpm-ready: ...". */
export function renderRunbookStop(stop: {
  status: string;
  at?: string | undefined;
  message: string;
}): string {
  return `\n${terminalSafe(`Runbook: ${stop.status}${stop.at ? ` at ${stop.at}` : ''}: ${stop.message}`)}\n`;
}

/** A runbook step's progress while it waits: "[3/9] BitLocker protected: waiting (2 min) ...". */
export function renderRunbookProgress(p: {
  index: number;
  total: number;
  title: string;
  phase: string;
  waitedMs: number;
  message: string;
}): string {
  const waited = p.waitedMs > 0 ? ` (${Math.round(p.waitedMs / 60_000)} min)` : '';
  return `${terminalSafe(`[${p.index}/${p.total}] ${p.title}: ${p.phase}${waited} ${p.message}`)}\n`;
}

/** What the person must do before `tpm-doctor resume` continues the run. */
export function renderNextStep(instruction: string): string {
  return `${terminalSafe(`Next: ${instruction}`)}\nThen: tpm-doctor resume (the start-up task runs it at boot)\n`;
}
