import { formatLocalDate } from '../../text/local-time.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import type { ActionList } from './action-list.js';
import { LAB_LABEL, type ReportTarget } from './report-sink.js';
import { displayWidth, fitColumns, terminalSafe } from './terminal-text.js';
import { CLEAR_SAFETIES, TRIAGE_CLASSES, type TriageClass } from './triage-class.js';
import type { TriageResult } from './triage-result.js';
import type { TriageSummary } from './triage-summary.js';
import { classTitle, deviceStep, safetyTitle } from './triage-words.js';
import { byUrgency } from './urgency.js';

export interface TableOptions {
  /** Terminal width in columns (process.stdout.columns; 100 when not a terminal). */
  width: number;
  target: ReportTarget;
  /** The words, in the admin's language (English by default). */
  ui?: UiMessages;
  /** The admin's time zone, for the last sync (the machine's by default; a test names one). */
  timeZone?: string;
}

interface Column {
  title: keyof UiMessages & `triage.column.${string}`;
  /** Minimum and preferred widths; the last column takes what is left. */
  min: number;
  max: number;
  value: (r: TriageResult, words: Words) => string;
}

interface Words {
  ui: UiMessages;
  timeZone: string | undefined;
}

const COLUMNS: readonly Column[] = [
  { title: 'triage.column.device', min: 8, max: 24, value: (r) => r.deviceName ?? r.deviceId },
  // The class ID in every language: it is what --class takes (the summary above names each class).
  { title: 'triage.column.class', min: 8, max: 20, value: (r) => r.class },
  {
    title: 'triage.column.clear',
    min: 7,
    max: 14,
    value: (r, w) => w.ui[`triage.clear-word.${r.clearSafety}`],
  },
  // The day in the admin's time zone (src/text/local-time.ts); the CSV and JSON keep UTC.
  {
    title: 'triage.column.last-sync',
    min: 10,
    max: 10,
    value: (r, w) => (r.lastSync === null ? w.ui['triage.never'] : formatLocalDate(r.lastSync, w.timeZone)),
  },
  // What blocks a clear has its own column: cut off at the end of the next step, it was lost.
  {
    title: 'triage.column.blocked-by',
    min: 6,
    max: 28,
    value: (r) => r.clearBlockedBy.map((b) => b.code).join(', '),
  },
  { title: 'triage.column.next-step', min: 10, max: 1000, value: (r, w) => deviceStep(w.ui, r) },
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
  const words: Words = { ui: options.ui ?? EN, timeZone: options.timeZone };
  const { ui } = words;
  const lines: string[] = [];
  if (options.target.lab) lines.push(`*** ${LAB_LABEL} ***`);
  lines.push(
    ui['triage.table.heading']({
      target: terminalSafe(options.target.description),
      devices: summary.devices,
      needingAction: summary.needingAction,
    }),
  );
  lines.push('');
  const classWidth = Math.max(
    ...TRIAGE_CLASSES.map((c) => displayWidth(classLabel(ui, c))),
    ...CLEAR_SAFETIES.map((s) => displayWidth(`${safetyTitle(ui, s)} (${s})`)),
  );
  for (const c of TRIAGE_CLASSES) {
    if (summary.byClass[c] === 0 && c !== 'healthy') continue;
    lines.push(`  ${fitColumns(classLabel(ui, c), classWidth)}  ${String(summary.byClass[c]).padStart(7)}`);
  }
  lines.push('');
  for (const s of CLEAR_SAFETIES) {
    if (s === 'not-the-remedy') continue;
    lines.push(
      `  ${fitColumns(`${safetyTitle(ui, s)} (${s})`, classWidth)}  ${String(summary.byClearSafety[s]).padStart(7)}`,
    );
  }
  for (const w of summary.warnings) lines.push(ui['triage.table.warning']({ warning: terminalSafe(w) }));
  if (actions.devices.length === 0) return `${lines.join('\n')}\n`;

  lines.push('');
  const widths = columnWidths(actions.devices, width, words);
  const row = (cells: string[]) =>
    cells
      .map((cell, i) => fitColumns(cell, widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(row(COLUMNS.map((c) => ui[c.title])));
  lines.push(row(COLUMNS.map((_, i) => '-'.repeat(widths[i]!))));
  for (const r of [...actions.devices].sort(byUrgency))
    lines.push(row(COLUMNS.map((c) => terminalSafe(c.value(r, words)))));
  if (actions.omitted > 0) lines.push(ui['triage.table.more']({ count: actions.omitted }));
  return `${lines.join('\n')}\n`;
}

/** A class in the summary: its title and its ID (what --class takes, and the rows below show). */
function classLabel(ui: UiMessages, c: TriageClass): string {
  return `${classTitle(ui, c)} (${c})`;
}

function columnWidths(rows: readonly TriageResult[], total: number, words: Words): number[] {
  const gaps = 2 * (COLUMNS.length - 1);
  const natural = COLUMNS.map((c) =>
    Math.min(
      c.max,
      Math.max(
        c.min,
        displayWidth(words.ui[c.title]),
        ...rows.map((r) => displayWidth(terminalSafe(c.value(r, words)))),
      ),
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
