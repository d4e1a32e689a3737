import type { Diagnosis } from '../../diagnose/diagnose.js';
import type { Finding } from '../../diagnose/finding.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { displayWidth } from '../../text/display-width.js';
import { ENGLISH } from '../../text/messages/catalog.js';
import type { UiMessages } from '../../text/messages/en.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { wrapParagraph } from '../../text/wrap.js';
import { PLAIN_LAYOUT, paint, type TextLayout, type Tone } from '../terminal-style.js';

const TONES: Record<Diagnosis['verdict']['status'], Tone> = {
  healthy: 'good',
  warnings: 'warn',
  errors: 'bad',
  incomplete: 'warn',
  undiagnosable: 'bad',
};

const SEVERITIES = [
  { severity: 'error', heading: 'diagnosis.severity.error', tone: 'bad' },
  { severity: 'warning', heading: 'diagnosis.severity.warning', tone: 'warn' },
  { severity: 'info', heading: 'diagnosis.severity.info', tone: 'note' },
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
  options: { verbose: boolean; lab: string[] | null; layout?: TextLayout; ui?: UiMessages },
): string {
  const layout = options.layout ?? PLAIN_LAYOUT;
  const ui = options.ui ?? ENGLISH.ui;
  const out: string[] = [];
  // Text from the evidence or the TPM goes through the terminal filter inside wrapParagraph; a
  // line break inside it is shown escaped, like any control character (src/text/terminal-safe.ts).
  const put = (prefix: string, text: string, hang: number) =>
    out.push(...wrapParagraph(prefix, text, hang, layout.width));
  // Labels are padded by the columns they take: a Japanese label is narrower in characters.
  const field = (label: string) => label + ' '.repeat(Math.max(1, VALUE_COLUMN - displayWidth(label)));
  const v = d.verdict;
  const source = [
    snapshot.tpm ? `TPM ${snapshot.tpm.tpm.uri}` : null,
    snapshot.windows ? ui['diagnosis.source.evidence']({ origin: snapshot.windows.origin }) : null,
  ]
    .filter(Boolean)
    .join(' + ');
  put(
    '',
    `${ui['diagnosis.heading']({ source: source || ui['diagnosis.source.nothing'] })}${options.lab ? `   ${ui['diagnosis.lab']({ scenarios: options.lab.join(', ') })}` : ''}`,
    2,
  );
  out.push('');
  out.push(
    `${field(ui['diagnosis.label.verdict'])}${paint(layout, TONES[v.status], ui[`diagnosis.status.${v.status}`])}`,
  );
  put(
    field(ui['diagnosis.label.next-step']),
    `${v.status === 'incomplete' && v.nextStep === 'none' ? ui['diagnosis.step.collect'] : ui[`diagnosis.step.${v.nextStep}`]}${v.because.length > 0 ? `  (${v.because.join(', ')})` : ''}`,
    VALUE_COLUMN,
  );
  put(' '.repeat(VALUE_COLUMN), v.action, VALUE_COLUMN);
  const blockers = v.clearBlockedBy.map((b) => `${b.finding}: ${b.reason}`);
  const clearLabel = field(ui['diagnosis.label.clear']);
  if (v.clearRecommended) {
    put(
      `${clearLabel}${paint(layout, 'warn', ui['diagnosis.clear.yes'])}`,
      ui['diagnosis.clear.yes-detail'],
      VALUE_COLUMN,
    );
  } else if (blockers.length > 0) {
    put(
      `${clearLabel}${paint(layout, 'bad', ui['diagnosis.clear.no'])}`,
      ui['diagnosis.clear.no-detail'],
      VALUE_COLUMN,
    );
  } else out.push(`${clearLabel}${ui['diagnosis.clear.not-needed']}`);
  for (const b of blockers) put(`${' '.repeat(VALUE_COLUMN)}- `, b, VALUE_COLUMN + 2);

  for (const { severity, heading, tone } of SEVERITIES) {
    const group = d.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push('', paint(layout, tone, ui[heading]({ count: group.length })));
    for (const f of group) renderFinding(f, v.action, options.verbose, layout, tone, ui, put);
  }
  if (d.findings.length === 0 && v.status !== 'undiagnosable') out.push('', ui['diagnosis.no-findings']);
  const problems = [
    ...(snapshot.tpm?.errors ?? []).map((e) => `TPM ${e.section}: ${e.message}`),
    ...(snapshot.windows?.problems ?? []).map((p) => `${p.source}: ${p.message}`),
    ...d.ruleErrors.map((e) => ui['diagnosis.rule-failed']({ rule: e.rule, message: e.message })),
  ];
  if (problems.length > 0) {
    out.push('', ui['diagnosis.could-not-read']);
    for (const p of problems) put('  ', p, 4);
  }
  const unknown = v.unknown.filter((u) => u.fact !== 'source-unreadable');
  if (unknown.length > 0) {
    out.push('', ui['diagnosis.not-known']);
    for (const u of unknown) put('  ', `${u.fact}: ${u.reason}`, 4);
  }
  const notes = snapshot.windows?.notes ?? [];
  if (notes.length > 0) {
    out.push('', ui['diagnosis.not-understood']);
    for (const n of notes)
      put('  ', ui['diagnosis.not-understood.item']({ file: n.file, message: n.message }), 4);
  }
  if (!options.verbose && d.findings.length > 0) {
    out.push('');
    put('', ui['diagnosis.more'], 0);
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
  ui: UiMessages,
  put: (prefix: string, text: string, hang: number) => void,
): void {
  put(`  ${paint(layout, tone, terminalSafe(f.id))}  `, f.title, 4);
  const why = `    ${ui['diagnosis.finding.why']}`;
  const fixLabel = `    ${ui['diagnosis.finding.fix']}`;
  put(why, f.why, displayWidth(why));
  const fix = f.remedy.action === nextStepAction ? ui['diagnosis.finding.see-next-step'] : f.remedy.action;
  put(
    fixLabel,
    `${fix}${f.remedy.destroysKeys ? ui['diagnosis.finding.destroys-keys'] : ''}`,
    displayWidth(fixLabel),
  );
  if (verbose) {
    for (const e of f.evidence) put('      ', `${e.source} ${e.field} = ${String(e.value)}`, 8);
  }
}
