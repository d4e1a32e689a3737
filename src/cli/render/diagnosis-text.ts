import type { Diagnosis } from '../../diagnose/diagnose.js';
import type { Finding } from '../../diagnose/finding.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { wrapParagraph } from '../../text/wrap.js';
import { PLAIN_LAYOUT, paint, type TextLayout, type Tone } from '../terminal-style.js';

const STEP_WORDS: Record<string, string> = {
  none: 'nothing to do',
  wait: 'wait',
  'reset-lockout': 'reset the lockout',
  restart: 'restart',
  update: 'update firmware or Windows',
  reconfigure: 'change a setting',
  clear: 'clear the TPM (gated: tpm-doctor clear)',
};

const VERDICTS: Record<Diagnosis['verdict']['status'], { label: string; tone: Tone }> = {
  healthy: { label: 'HEALTHY', tone: 'good' },
  warnings: { label: 'WARNINGS', tone: 'warn' },
  errors: { label: 'PROBLEMS FOUND', tone: 'bad' },
  incomplete: { label: 'INCOMPLETE EVIDENCE', tone: 'warn' },
  undiagnosable: { label: 'COULD NOT DIAGNOSE', tone: 'bad' },
};

const SEVERITIES = [
  { severity: 'error', heading: 'Errors', tone: 'bad' },
  { severity: 'warning', heading: 'Warnings', tone: 'warn' },
  { severity: 'info', heading: 'Notes', tone: 'note' },
] as const;

/** The column where the verdict's values start ("Next step    "). */
const VALUE_COLUMN = 13;

/**
 * The ten-second view: verdict and next step first, then findings by severity, evidence only on
 * request. Every paragraph is wrapped to the layout's width with a hanging indent, and a fix
 * that is the next step already shown is not printed a second time.
 */
export function renderDiagnosis(
  d: Diagnosis,
  snapshot: Snapshot,
  options: { verbose: boolean; lab: string[] | null; layout?: TextLayout },
): string {
  const layout = options.layout ?? PLAIN_LAYOUT;
  const out: string[] = [];
  // Text from the evidence or the TPM goes through the terminal filter inside wrapParagraph; a
  // line break inside it is shown escaped, like any control character (src/text/terminal-safe.ts).
  const put = (prefix: string, text: string, hang: number) =>
    out.push(...wrapParagraph(prefix, text, hang, layout.width));
  const field = (label: string) => label.padEnd(VALUE_COLUMN);
  const v = d.verdict;
  const source = [
    snapshot.tpm ? `TPM ${snapshot.tpm.tpm.uri}` : null,
    snapshot.windows ? `evidence ${snapshot.windows.origin}` : null,
  ]
    .filter(Boolean)
    .join(' + ');
  put(
    '',
    `Diagnosis of ${source || 'nothing'}${options.lab ? `   [LAB: throwaway software TPM, scenario ${options.lab.join(', ')}]` : ''}`,
    2,
  );
  out.push('');
  const verdict = VERDICTS[v.status];
  out.push(`${field('Verdict')}${paint(layout, verdict.tone, verdict.label)}`);
  put(
    field('Next step'),
    `${v.status === 'incomplete' && v.nextStep === 'none' ? 'collect the missing evidence' : (STEP_WORDS[v.nextStep] ?? v.nextStep)}${v.because.length > 0 ? `  (${v.because.join(', ')})` : ''}`,
    VALUE_COLUMN,
  );
  put(' '.repeat(VALUE_COLUMN), v.action, VALUE_COLUMN);
  const blockers = v.clearBlockedBy.map((b) => `${b.finding}: ${b.reason}`);
  if (v.clearRecommended) {
    put(
      `${field('Clear TPM?')}${paint(layout, 'warn', 'YES')}`,
      ', as the last rung: run tpm-doctor clear, which checks backups and approval first',
      VALUE_COLUMN,
    );
  } else if (blockers.length > 0) {
    put(`${field('Clear TPM?')}${paint(layout, 'bad', 'NO')}`, ', it would be wrong now:', VALUE_COLUMN);
  } else out.push(`${field('Clear TPM?')}no`);
  for (const b of blockers) put(`${' '.repeat(VALUE_COLUMN)}- `, b, VALUE_COLUMN + 2);

  for (const { severity, heading, tone } of SEVERITIES) {
    const group = d.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push('', paint(layout, tone, `${heading} (${group.length})`));
    for (const f of group) renderFinding(f, v.action, options.verbose, layout, tone, put);
  }
  if (d.findings.length === 0 && v.status !== 'undiagnosable') out.push('', 'No findings.');
  const problems = [
    ...(snapshot.tpm?.errors ?? []).map((e) => `TPM ${e.section}: ${e.message}`),
    ...(snapshot.windows?.problems ?? []).map((p) => `${p.source}: ${p.message}`),
    ...d.ruleErrors.map((e) => `rule ${e.rule} failed (a tpm-doctor bug): ${e.message}`),
  ];
  if (problems.length > 0) {
    out.push('', 'Could not read');
    for (const p of problems) put('  ', p, 4);
  }
  const unknown = v.unknown.filter((u) => u.fact !== 'source-unreadable');
  if (unknown.length > 0) {
    out.push('', 'Not known (a clear waits for these)');
    for (const u of unknown) put('  ', `${u.fact}: ${u.reason}`, 4);
  }
  const notes = snapshot.windows?.notes ?? [];
  if (notes.length > 0) {
    out.push('', 'Read, but not understood');
    for (const n of notes) put('  ', `${n.file} (read): ${n.message}`, 4);
  }
  if (!options.verbose && d.findings.length > 0) {
    out.push('');
    put('', 'Evidence for each finding: --verbose.  IDs: docs/findings.md', 0);
  }
  out.push('');
  return `${out.join('\n')}\n`;
}

/**
 * One finding: its ID, title, why and fix. The fix that is the verdict's next step (printed in
 * full above) is referred to, not repeated.
 */
function renderFinding(
  f: Finding,
  nextStepAction: string,
  verbose: boolean,
  layout: TextLayout,
  tone: Tone,
  put: (prefix: string, text: string, hang: number) => void,
): void {
  put(`  ${paint(layout, tone, terminalSafe(f.id))}  `, f.title, 4);
  put('    why: ', f.why, 9);
  const fix = f.remedy.action === nextStepAction ? 'the next step above' : f.remedy.action;
  put('    fix: ', `${fix}${f.remedy.destroysKeys ? ' (destroys keys)' : ''}`, 9);
  if (verbose) {
    for (const e of f.evidence) put('      ', `${e.source} ${e.field} = ${String(e.value)}`, 8);
  }
}
