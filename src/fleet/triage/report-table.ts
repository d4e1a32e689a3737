import type { ActionList } from './action-list.js';
import { LAB_LABEL, type ReportTarget } from './report-sink.js';
import { displayWidth, fitColumns, terminalSafe } from './terminal-text.js';
import { CLEAR_SAFETIES, CLEAR_SAFETY_INFO, TRIAGE_CLASS_INFO, TRIAGE_CLASSES } from './triage-class.js';
import type { TriageResult } from './triage-result.js';
import type { TriageSummary } from './triage-summary.js';
import { byUrgency } from './urgency.js';

export interface TableOptions {
  /** Terminal width in columns (process.stdout.columns; 100 when not a terminal). */
  width: number;
  target: ReportTarget;
}

interface Column {
  title: string;
  /** Minimum and preferred widths; the last column takes what is left. */
  min: number;
  max: number;
  value: (r: TriageResult) => string;
}

const COLUMNS: readonly Column[] = [
  { title: 'Device', min: 8, max: 24, value: (r) => r.deviceName ?? r.deviceId },
  { title: 'Class', min: 8, max: 20, value: (r) => r.class },
  { title: 'Clear', min: 7, max: 14, value: (r) => r.clearSafety },
  { title: 'Last sync', min: 10, max: 10, value: (r) => r.lastSync?.slice(0, 10) ?? 'never' },
  // What blocks a clear has its own column: cut off at the end of the next step, it was lost.
  {
    title: 'Clear blocked by',
    min: 6,
    max: 28,
    value: (r) => r.clearBlockedBy.map((b) => b.code).join(', '),
  },
  { title: 'Next step', min: 10, max: 1000, value: (r) => r.remedy },
];

/**
 * The terminal report: the summary (counts per class and clear safety), then one line per device
 * needing action, most urgent first (./urgency.ts, as in the HTML report), fitted to the terminal's width (columns shrink to their minimum before the next
 * step is cut). Healthy devices are only counted.
 */
export function renderTriageTable(
  summary: TriageSummary,
  actions: ActionList,
  options: TableOptions,
): string {
  const width = Math.max(60, options.width);
  const lines: string[] = [];
  if (options.target.lab) lines.push(`*** ${LAB_LABEL} ***`);
  lines.push(
    `Fleet triage of ${terminalSafe(options.target.description)}: ${summary.devices} Windows devices, ${summary.needingAction} need action.`,
  );
  lines.push('');
  const classWidth = Math.max(...TRIAGE_CLASSES.map((c) => displayWidth(TRIAGE_CLASS_INFO[c].title)));
  for (const c of TRIAGE_CLASSES) {
    if (summary.byClass[c] === 0 && c !== 'healthy') continue;
    lines.push(
      `  ${fitColumns(TRIAGE_CLASS_INFO[c].title, classWidth)}  ${String(summary.byClass[c]).padStart(7)}`,
    );
  }
  lines.push('');
  for (const s of CLEAR_SAFETIES) {
    if (s === 'not-the-remedy') continue;
    lines.push(
      `  ${fitColumns(CLEAR_SAFETY_INFO[s].title, classWidth)}  ${String(summary.byClearSafety[s]).padStart(7)}`,
    );
  }
  for (const w of summary.warnings) lines.push(`warning: ${terminalSafe(w)}`);
  if (actions.devices.length === 0) return `${lines.join('\n')}\n`;

  lines.push('');
  const widths = columnWidths(actions.devices, width);
  const row = (cells: string[]) =>
    cells
      .map((cell, i) => fitColumns(cell, widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(row(COLUMNS.map((c) => c.title)));
  lines.push(row(COLUMNS.map((_, i) => '-'.repeat(widths[i]!))));
  for (const r of [...actions.devices].sort(byUrgency))
    lines.push(row(COLUMNS.map((c) => terminalSafe(c.value(r)))));
  if (actions.omitted > 0) lines.push(`... and ${actions.omitted} more (see the CSV or JSON report).`);
  return `${lines.join('\n')}\n`;
}

function columnWidths(rows: readonly TriageResult[], total: number): number[] {
  const gaps = 2 * (COLUMNS.length - 1);
  const natural = COLUMNS.map((c) =>
    Math.min(
      c.max,
      Math.max(c.min, displayWidth(c.title), ...rows.map((r) => displayWidth(terminalSafe(c.value(r))))),
    ),
  );
  const last = COLUMNS.length - 1;
  const fixed = natural.slice(0, last);
  let room = total - gaps - fixed.reduce((a, b) => a + b, 0);
  // Shrink the first columns towards their minimum until the next step has at least its minimum.
  for (let i = 0; i < fixed.length && room < COLUMNS[last]!.min; i++) {
    const give = Math.min(fixed[i]! - COLUMNS[i]!.min, COLUMNS[last]!.min - room);
    fixed[i]! -= give;
    room += give;
  }
  return [...fixed, Math.max(COLUMNS[last]!.min, Math.min(room, natural[last]!))];
}
