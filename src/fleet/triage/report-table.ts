import { formatLocalDate } from '../../text/local-time.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import { wrapParagraph } from '../../text/wrap.js';
import type { ActionList } from './action-list.js';
import type { ReportTarget } from './report-sink.js';
import { displayWidth, fitColumns, terminalSafe } from './terminal-text.js';
import { CLEAR_SAFETIES, TRIAGE_CLASS_INFO, TRIAGE_CLASSES, type TriageClass } from './triage-class.js';
import type { TriageResult } from './triage-result.js';
import type { TriageSummary } from './triage-summary.js';
import { classRemedy, classTitle, deviceStep, safetyTitle } from './triage-words.js';
import { byUrgency } from './urgency.js';

export interface TableOptions {
  /** Width in columns: COLUMNS, else the terminal's, else 80 (src/cli/fleet/triage-command.ts). */
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
  /** The devices' own steps, each with its number (told once, after the table). */
  steps: Map<string, number>;
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
  // Where the device's own verdict refined its cause's step (each cause's is printed once above).
  {
    title: 'triage.column.next-step',
    min: 10,
    max: 1000,
    value: (r, w) => {
      const step = ownStep(r, w.ui);
      return step === '' ? w.ui['triage.table.as-cause'] : stepReference(step, w);
    },
  },
];

/** Below this many columns for the next step, it goes under its row instead. */
const STEP_COLUMN_MIN = 24;

/**
 * The terminal report: the summary (counts per class and clear safety), what to do for each cause
 * (once, as in the HTML report), then one line per device needing action, most urgent first
 * (./urgency.ts, as in the HTML report), fitted to the terminal's width. A device's next step is
 * shown only where its own verdict refined its cause's, told once after the table however many
 * devices share it and referred to by its number: in a column when the terminal is wide enough
 * for one, else under its row (at 80 columns a step column was a few characters wide and device
 * names were cut). Healthy devices are only counted.
 */
export function renderTriageTable(
  summary: TriageSummary,
  actions: ActionList,
  options: TableOptions,
): string {
  const width = Math.max(60, options.width);
  const words: Words = { ui: options.ui ?? EN, timeZone: options.timeZone, steps: new Map() };
  const { ui } = words;
  const lines: string[] = [];
  if (options.target.lab) lines.push(ui['triage.table.lab-banner']);
  lines.push(
    ...wrapParagraph(
      '',
      ui['triage.table.heading']({ target: targetText(options.target.description, ui) }),
      2,
      width,
    ),
  );
  lines.push(ui['triage.table.counts']({ devices: summary.devices, needingAction: summary.needingAction }));
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

  // Each cause's remedy once; the rows then say only where a device's own step differs.
  lines.push('', ui['triage.html.remedies']);
  const present = TRIAGE_CLASSES.filter((c) => actions.devices.some((r) => r.class === c));
  for (const c of present) {
    lines.push(`  ${classLabel(ui, c)}`);
    lines.push(...wrapParagraph('    ', classRemedy(ui, c), 4, width));
  }

  lines.push('');
  const rows = [...actions.devices].sort(byUrgency);
  // A device's own step, told once however many devices share it, and numbered for the rows.
  const steps = new Map<string, number>();
  for (const r of rows) {
    const step = ownStep(r, words.ui);
    if (step !== '' && !steps.has(step)) steps.set(step, steps.size + 1);
  }
  words.steps = steps;
  const withStep = columnWidths(COLUMNS, rows, width, words);
  const inline = withStep[withStep.length - 1]! >= STEP_COLUMN_MIN;
  const columns = inline ? COLUMNS : COLUMNS.slice(0, -1);
  const widths = inline ? withStep : columnWidths(columns, rows, width, words);
  const row = (cells: string[]) =>
    cells
      .map((cell, i) => fitColumns(cell, widths[i]!))
      .join('  ')
      .trimEnd();
  lines.push(row(columns.map((c) => ui[c.title])));
  lines.push(row(columns.map((_, i) => '-'.repeat(widths[i]!))));
  for (const r of rows) {
    lines.push(row(columns.map((c) => terminalSafe(c.value(r, words)))));
    const step = ownStep(r, ui);
    if (!inline && step !== '') lines.push(`    → ${stepReference(step, words)}`);
  }
  if (actions.omitted > 0) lines.push(ui['triage.table.more']({ count: actions.omitted }));
  if (steps.size > 0) {
    lines.push('', ui['triage.table.own-steps']);
    for (const [step, n] of steps) lines.push(...wrapParagraph(`  ${`${n}.`.padEnd(4)}`, step, 6, width));
  }
  return `${lines.join('\n')}\n`;
}

/** A device's step where it differs from its cause's (printed above), else nothing. */
function ownStep(r: TriageResult, ui: UiMessages): string {
  return r.remedy === TRIAGE_CLASS_INFO[r.class].remedy ? '' : deviceStep(ui, r);
}

/** "own step 2 (below)": where a row's own step is told (once, after the table). */
function stepReference(step: string, words: Words): string {
  return words.ui['triage.table.own-step']({ n: words.steps.get(step) ?? 0 });
}

/** A class in the summary: its title and its ID (what --class takes, and the rows below show). */
function classLabel(ui: UiMessages, c: TriageClass): string {
  return `${classTitle(ui, c)} (${c})`;
}

/**
 * Each column's width: what its longest value needs, within its bounds; the last column takes
 * what is left. When that is below its minimum, the blockers, then the class, then the device
 * give room down to their own minimum (a device name is what an admin looks for, so it goes last).
 */
function columnWidths(
  columns: readonly Column[],
  rows: readonly TriageResult[],
  total: number,
  words: Words,
): number[] {
  const gaps = 2 * (columns.length - 1);
  const natural = columns.map((c) =>
    Math.min(
      c.max,
      Math.max(
        c.min,
        displayWidth(words.ui[c.title]),
        ...rows.map((r) => displayWidth(terminalSafe(c.value(r, words)))),
      ),
    ),
  );
  const last = columns.length - 1;
  const fixed = natural.slice(0, last);
  let room = total - gaps - fixed.reduce((a, b) => a + b, 0);
  const lastMin = columns[last]!.min;
  for (let i = fixed.length - 1; i >= 0 && room < lastMin; i--) {
    const give = Math.min(fixed[i]! - columns[i]!.min, lastMin - room);
    fixed[i]! -= give;
    room += give;
  }
  return [...fixed, Math.max(lastMin, Math.min(room, natural[last]!))];
}

/** The in-process lab's description (src/cli/fleet/graph-connection.ts) in the admin's language; any other target as it is. */
export function targetText(description: string, ui: UiMessages): string {
  const lab = /^LAB tenant in-process \((\S+) simulated devices, seed (\S+)\)$/.exec(description);
  return lab === null
    ? description
    : ui['triage.table.lab-in-process']({ devices: lab[1] as string, seed: lab[2] as string });
}
