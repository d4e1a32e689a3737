import type { Diagnosis } from '../../diagnose/diagnose.js';
import type { Finding } from '../../diagnose/finding.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { terminalSafe } from '../../text/terminal-safe.js';

const STEP_WORDS: Record<string, string> = {
  none: 'nothing to do',
  wait: 'wait',
  'reset-lockout': 'reset the lockout',
  restart: 'restart',
  update: 'update firmware or Windows',
  reconfigure: 'change a setting',
  clear: 'clear the TPM (gated: tpm-doctor clear)',
};

/** The ten-second view: verdict first, then findings by severity, evidence only on request. */
export function renderDiagnosis(
  d: Diagnosis,
  snapshot: Snapshot,
  options: { verbose: boolean; lab: string[] | null },
): string {
  const out: string[] = [];
  const v = d.verdict;
  const source = [
    snapshot.tpm ? `TPM ${snapshot.tpm.tpm.uri}` : null,
    snapshot.windows ? `evidence ${snapshot.windows.origin}` : null,
  ]
    .filter(Boolean)
    .join(' + ');
  out.push(
    `Diagnosis of ${source || 'nothing'}${options.lab ? `   [LAB: throwaway software TPM, scenario ${options.lab.join(', ')}]` : ''}`,
  );
  out.push('');
  const label = {
    healthy: 'HEALTHY',
    warnings: 'WARNINGS',
    errors: 'PROBLEMS FOUND',
    incomplete: 'INCOMPLETE EVIDENCE',
    undiagnosable: 'COULD NOT DIAGNOSE',
  }[v.status];
  out.push(`Verdict      ${label}`);
  out.push(
    `Next step    ${v.status === 'incomplete' && v.nextStep === 'none' ? 'collect the missing evidence' : (STEP_WORDS[v.nextStep] ?? v.nextStep)}${v.because.length > 0 ? `  (${v.because.join(', ')})` : ''}`,
  );
  out.push(`             ${v.action}`);
  const blockers = v.clearBlockedBy.map((b) => `${b.finding}: ${b.reason}`);
  out.push(
    `Clear TPM?   ${v.clearRecommended ? 'YES, as the last rung: run tpm-doctor clear, which checks backups and approval first' : blockers.length > 0 ? 'NO, it would be wrong now:' : 'no'}`,
  );
  for (const b of blockers) out.push(`               - ${b}`);

  for (const severity of ['error', 'warning', 'info'] as const) {
    const group = d.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(
      '',
      `${severity === 'error' ? 'Errors' : severity === 'warning' ? 'Warnings' : 'Notes'} (${group.length})`,
    );
    for (const f of group) out.push(...renderFinding(f, options.verbose));
  }
  if (d.findings.length === 0 && v.status !== 'undiagnosable') out.push('', 'No findings.');
  const problems = [
    ...(snapshot.tpm?.errors ?? []).map((e) => `TPM ${e.section}: ${e.message}`),
    ...(snapshot.windows?.problems ?? []).map((p) => `${p.source}: ${p.message}`),
    ...d.ruleErrors.map((e) => `rule ${e.rule} failed (a tpm-doctor bug): ${e.message}`),
  ];
  if (problems.length > 0) {
    out.push('', 'Could not read');
    for (const p of problems) out.push(`  ${p}`);
  }
  const unknown = v.unknown.filter((u) => u.fact !== 'source-unreadable');
  if (unknown.length > 0) {
    out.push('', 'Not known (a clear waits for these)');
    for (const u of unknown) out.push(`  ${u.fact}: ${u.reason}`);
  }
  const notes = snapshot.windows?.notes ?? [];
  if (notes.length > 0) {
    out.push('', 'Read, but not understood');
    for (const n of notes) out.push(`  ${n.file} (read): ${n.message}`);
  }
  if (!options.verbose && d.findings.length > 0)
    out.push('', 'Evidence for each finding: --verbose.  IDs: docs/findings.md');
  out.push('');
  // Each entry is one line: a line break inside one came from the evidence or the TPM and is
  // shown escaped, like any control character (src/text/terminal-safe.ts).
  return `${out.map(terminalSafe).join('\n')}\n`;
}

function renderFinding(f: Finding, verbose: boolean): string[] {
  const lines = [`  ${f.id.padEnd(30)} ${f.title}`];
  lines.push(`  ${''.padEnd(30)} why: ${f.why}`);
  lines.push(`  ${''.padEnd(30)} fix: ${f.remedy.action}${f.remedy.destroysKeys ? ' (destroys keys)' : ''}`);
  if (verbose) {
    for (const e of f.evidence)
      lines.push(`  ${''.padEnd(30)}   ${e.source} ${e.field} = ${String(e.value)}`);
  }
  return lines;
}
