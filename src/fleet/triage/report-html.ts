import { formatLocalDate, formatLocalTime } from '../../text/local-time.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import type { Language } from '../../text/messages/language.js';
import type { ActionList } from './action-list.js';
import { LAB_LABEL, type ReportTarget } from './report-sink.js';
import { CLEAR_SAFETIES, TRIAGE_CLASS_INFO, TRIAGE_CLASSES } from './triage-class.js';
import type { TriageResult } from './triage-result.js';
import { SYNC_AGE_BUCKETS, type TriageSummary } from './triage-summary.js';
import { classRemedy, classTitle, deviceStep, safetyTitle, syncAgeTitle } from './triage-words.js';
import { byUrgency } from './urgency.js';

/**
 * Escapes text for HTML element content and double-quoted attributes. Every value that reaches the
 * report goes through this: device and user names are chosen by whoever enrolls a device.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

interface Bar {
  label: string;
  value: number;
  colour: string;
}

const CLASS_COLOURS: Readonly<Record<(typeof TRIAGE_CLASSES)[number], string>> = {
  healthy: '#2e7d32',
  'sync-stale': '#f9a825',
  'tpm-clear-candidate': '#c62828',
  'tpm-wait': '#ef6c00',
  'tpm-firmware': '#6a1b9a',
  'tpm-absent': '#4e342e',
  'secure-boot': '#1565c0',
  bitlocker: '#00838f',
  attestation: '#9e9d24',
  'device-action': '#5d4037',
  'non-compliant-other': '#757575',
  unknown: '#9e9e9e',
};

const SAFETY_COLOURS: Readonly<Record<(typeof CLEAR_SAFETIES)[number], string>> = {
  safe: '#2e7d32',
  blocked: '#c62828',
  'not-the-remedy': '#757575',
  unknown: '#9e9e9e',
};

/**
 * A horizontal bar chart as inline SVG: a label, a bar proportional to the largest value, and the
 * count written out, so it reads without hovering or a legend (and prints in black and white).
 */
function barChart(title: string, bars: readonly Bar[]): string {
  const rowHeight = 26;
  const labelWidth = 190;
  const barMax = 360;
  const width = labelWidth + barMax + 90;
  const height = bars.length * rowHeight + 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = i * rowHeight + 4;
    const w = b.value === 0 ? 0 : Math.max(2, Math.round((b.value / max) * barMax));
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 8}" fill="${b.colour}"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 16}">${b.value.toLocaleString('en-US')}</text>`,
    ].join('');
  });
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="13" font-family="system-ui, sans-serif">${rows.join('')}</svg></figure>`;
}

export interface HtmlReportInput {
  target: ReportTarget;
  summary: TriageSummary;
  actions: ActionList;
  generatedAt?: Date;
  /** The language of the report's words (English by default); `ui` its messages. */
  language?: Language;
  ui?: UiMessages;
}

/**
 * The HTML report: ONE self-contained file a manager can open offline or attach to a ticket. No
 * script, font, stylesheet or image is loaded from anywhere (a Content-Security-Policy of
 * default-src 'none' makes sure), the charts are inline SVG, and every value is HTML-escaped. A
 * lab report carries a visible "LAB TENANT" banner.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { summary, target, actions } = input;
  const language = input.language ?? 'en';
  const ui = input.ui ?? EN;
  // In the time zone of the machine the report is made on (the admin's), with the zone named.
  const generatedAt = formatLocalTime(input.generatedAt ?? new Date(), language);
  const lab = target.lab ? `<p class="lab" role="alert">${escapeHtml(LAB_LABEL)}</p>` : '';
  // The healthy majority (and "clear is not the remedy") would flatten every other bar on a
  // linear scale: they are headline figures instead, and the charts show what needs a decision.
  const classBars = TRIAGE_CLASSES.filter((c) => c !== 'healthy').map((c) => ({
    label: classTitle(ui, c),
    value: summary.byClass[c],
    colour: CLASS_COLOURS[c],
  }));
  const safetyBars = CLEAR_SAFETIES.filter((s) => s !== 'not-the-remedy').map((s) => ({
    label: safetyTitle(ui, s),
    value: summary.byClearSafety[s],
    colour: SAFETY_COLOURS[s],
  }));
  const syncBars = SYNC_AGE_BUCKETS.map((b) => ({
    label: ui['triage.chart.last-sync-bar']({ age: syncAgeTitle(ui, b) }),
    value: summary.lastSyncAge[b],
    colour: b === 'under-1d' || b === '1-7d' ? '#2e7d32' : b === '7-30d' ? '#f9a825' : '#c62828',
  }));
  const warnings =
    summary.warnings.length === 0
      ? ''
      : `<ul class="warnings">${summary.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`;
  const omitted =
    actions.omitted > 0
      ? `<p>${escapeHtml(ui['triage.html.omitted']({ count: actions.omitted.toLocaleString('en-US') }))}</p>`
      : '';
  const title = `${target.lab ? '[LAB] ' : ''}${ui['triage.html.title']}`;
  return `<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #212121; }
.lab { background: #ffeb3b; border: 3px solid #f57f17; font-weight: bold; font-size: 1.3rem; padding: .6rem 1rem; text-align: center; }
.totals { font-size: 1.1rem; }
.charts { display: flex; flex-wrap: wrap; gap: 2rem; }
figure { margin: 0; }
figcaption { font-weight: bold; margin-bottom: .4rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; position: sticky; top: 0; }
.safe { color: #2e7d32; font-weight: bold; } .blocked { color: #c62828; font-weight: bold; }
.warnings { color: #e65100; }
.kpis { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0 1.5rem; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; min-width: 9rem; }
.kpi b { display: block; font-size: 1.8rem; } .kpi small { color: #616161; }
.scroll { overflow-x: auto; }
td { overflow-wrap: break-word; } td ul { margin: 0; padding-left: 1.1rem; }
.nowrap { white-space: nowrap; } td.why { min-width: 24rem; } td.device small { color: #616161; }
summary { cursor: pointer; }
dl.remedies { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.remedies dt { font-weight: bold; } dl.remedies dd { margin: 0; }
</style>
</head>
<body>
${lab}
<h1>${escapeHtml(title)}</h1>
<p class="totals">${escapeHtml(ui['triage.html.generated']({ target: target.description, at: generatedAt }))}</p>
<div class="kpis">
${kpi(ui['triage.kpi.devices'], summary.devices, '')}
${kpi(ui['triage.kpi.healthy'], summary.byClass.healthy, percent(ui, summary.byClass.healthy, summary.devices))}
${kpi(ui['triage.kpi.need-action'], summary.needingAction, percent(ui, summary.needingAction, summary.devices))}
${kpi(ui['triage.kpi.clear-safe'], summary.byClearSafety.safe, ui['triage.kpi.clear-safe-note'])}
${kpi(ui['triage.kpi.clear-blocked'], summary.byClearSafety.blocked, ui['triage.kpi.clear-blocked-note'])}
</div>
${warnings}
<div class="charts">
${barChart(ui['triage.chart.by-cause'], classBars)}
${barChart(ui['triage.chart.clear-safety'], safetyBars)}
${barChart(ui['triage.chart.last-sync'], syncBars)}
</div>
<h2>${escapeHtml(ui['triage.html.remedies'])}</h2>
${remediesByClass(ui, summary)}
<h2>${escapeHtml(ui['triage.html.devices'])}</h2>
${actionTable(ui, actions.devices)}
${omitted}
${lab}
</body>
</html>
`;
}

function kpi(label: string, value: number, note: string): string {
  return `<div class="kpi"><b>${value.toLocaleString('en-US')}</b>${escapeHtml(label)}${note === '' ? '' : `<br><small>${escapeHtml(note)}</small>`}</div>`;
}

function percent(ui: UiMessages, part: number, whole: number): string {
  return whole === 0 ? '' : ui['triage.kpi.percent']({ percent: ((part / whole) * 100).toFixed(1) });
}

/**
 * Each cause's remedy, once: the table below then says only where a device's own step differs
 * from its cause's (the device's verdict refined it), instead of the same paragraph on every row.
 */
function remediesByClass(ui: UiMessages, summary: TriageSummary): string {
  const present = TRIAGE_CLASSES.filter((c) => TRIAGE_CLASS_INFO[c].needsAction && summary.byClass[c] > 0);
  if (present.length === 0) return `<p>${escapeHtml(ui['triage.html.nothing-to-do'])}</p>`;
  return `<dl class="remedies">${present
    .map(
      (c) =>
        `<dt>${escapeHtml(classTitle(ui, c))} (${summary.byClass[c].toLocaleString('en-US')})</dt><dd>${escapeHtml(classRemedy(ui, c))}</dd>`,
    )
    .join('')}</dl>`;
}

function actionTable(ui: UiMessages, devices: readonly TriageResult[]): string {
  if (devices.length === 0) return `<p>${escapeHtml(ui['triage.html.none'])}</p>`;
  const rows = [...devices].sort(byUrgency).map((r) => {
    // Why: the cause's reasons, then what blocks a clear, then the device's own step where its
    // verdict refined its cause's; each in full behind a one-line summary (whyCell).
    const why = [
      ...r.reasons,
      ...r.clearBlockedBy.map((b) => ui['triage.html.clear-blocked']({ reason: b.reason })),
    ];
    if (r.remedy !== TRIAGE_CLASS_INFO[r.class].remedy)
      why.push(ui['triage.html.own-step']({ step: deviceStep(ui, r) }));
    const user = r.userPrincipalName
      ? `<br><small class="nowrap">${escapeHtml(r.userPrincipalName)}</small>`
      : '';
    return `<tr><td class="device"><span class="nowrap">${escapeHtml(r.deviceName ?? r.deviceId)}</span>${user}</td><td class="nowrap">${escapeHtml(classTitle(ui, r.class))}</td><td class="${escapeHtml(r.clearSafety)} nowrap">${escapeHtml(safetyTitle(ui, r.clearSafety))}</td><td class="nowrap">${escapeHtml(r.lastSync === null ? ui['triage.never'] : formatLocalDate(r.lastSync))}</td><td class="why">${whyCell(ui, why)}</td></tr>`;
  });
  return `<div class="scroll"><table>
<thead><tr>${(['device', 'cause', 'clear', 'last-sync', 'why'] as const).map((c) => `<th>${escapeHtml(ui[`triage.html.column.${c}`])}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

/** A summary line longer than this is cut, the full text one click away (a row stays a few lines). */
const SUMMARY_CHARS = 140;

/**
 * The why of a row: one short line, with everything in full behind it in a <details> (no script:
 * the report's CSP allows none), so a device with long reasons does not make its row a page tall.
 */
function whyCell(ui: UiMessages, items: readonly string[]): string {
  if (items.length === 0) return '';
  const first = items[0] ?? '';
  if (items.length === 1 && first.length <= SUMMARY_CHARS) return escapeHtml(first);
  const cut =
    first.length <= SUMMARY_CHARS ? first : `${first.slice(0, SUMMARY_CHARS).replace(/\s+\S*$/, '')} …`;
  const more = items.length > 1 ? ui['triage.html.more-items']({ count: items.length - 1 }) : '';
  return `<details><summary>${escapeHtml(cut)}${more}</summary><ul>${items.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></details>`;
}
