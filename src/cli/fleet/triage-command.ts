import { createWriteStream, lstatSync, statSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { EXIT } from '../../exit-codes.js';
import type { FleetStore } from '../../fleet/store/fleet-store.js';
import { openFleetStore } from '../../fleet/store/open-store.js';
import { ActionList } from '../../fleet/triage/action-list.js';
import { CsvReportWriter } from '../../fleet/triage/report-csv.js';
import { renderHtmlReport } from '../../fleet/triage/report-html.js';
import { JsonReportWriter } from '../../fleet/triage/report-json.js';
import { bufferedSink, type ReportTarget, streamSink } from '../../fleet/triage/report-sink.js';
import { renderTriageTable, targetText } from '../../fleet/triage/report-table.js';
import { storedTriage } from '../../fleet/triage/stored-triage.js';
import type { TriageResult } from '../../fleet/triage/triage-result.js';
import { createScratchFile } from '../../fs/safe-file.js';
import { ENGLISH, loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { terminalLayout } from '../terminal-style.js';
import { UsageError } from '../usage-error.js';
import { CONNECTION_OPTIONS, type GraphConnection, openGraphConnection } from './graph-connection.js';
import { ProgressLine } from './progress-line.js';

const FORMATS = ['table', 'csv', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

const OPTIONS = {
  format: {
    type: 'string',
    value: 'F',
    choices: FORMATS,
    help: `table (default, devices needing action), csv or json (every device,
streamed; docs/triage.md has the schema), html (one self-contained file with
charts, for a manager or a ticket).`,
  },
  json: { type: 'boolean', help: 'Same as --format json.' },
  bom: {
    type: 'boolean',
    help: `Start the CSV with a UTF-8 byte order mark, so Excel reads Japanese and
other non-ASCII names right (default: on on Windows, off elsewhere).`,
  },
  'no-bom': { type: 'boolean', help: 'No byte order mark (the default off Windows).' },
  out: {
    type: 'string',
    short: 'o',
    value: 'FILE',
    complete: 'file',
    help: `Write the report to FILE (default stdout), readable by you only (0600);
written to FILE.partial first and renamed when complete, so a crash never
leaves half a report under FILE.`,
  },
  'stale-days': {
    type: 'string',
    value: 'N',
    help: 'A device that has not synced for N days is sync-stale (default 7).',
  },
  store: {
    type: 'string',
    value: 'SPEC',
    help: `Keep the result for "fleet sync --class ..." (default: fleet.sqlite in
~/.local/state/tpm-doctor, /var/lib/tpm-doctor as root; sqlite:PATH or
postgres://...; or TPM_DOCTOR_STORE).`,
  },
  'no-store': { type: 'boolean', help: 'Do not keep it.' },
  'no-exports': {
    type: 'boolean',
    help: `Read the failing settings and the hardware per call instead of from the
NoncompliantDevicesAndSettings and DevicesWithInventory report exports (the
default; when Graph refuses them, triage says so and reads per call anyway).`,
  },
  quiet: { type: 'boolean', short: 'q', help: 'No progress line on stderr.' },
  help: HELP_OPTION,
  ...CONNECTION_OPTIONS,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'fleet triage',
  options: OPTIONS,
  page: {
    title: `classify every Windows device in Intune: which are non-compliant
because of the TPM (TpmRequired, BitLocker, Secure Boot, Code Integrity, health attestation),
which have stopped syncing, and for each, whether clearing its TPM would be safe, blocked (and
why), or not the remedy.`,
    usage: '[--format table|csv|json|html] [--out FILE] [options]',
    about: `It reads the fleet list once, the tenant-wide non-compliant setting states, and per-device details
(health attestation, TPM, escrowed BitLocker recovery key IDs, never keys) only for devices that
need them, batched 20 to a request: a 100,000-device tenant costs a few hundred requests, not
100,000. Where a device ran tpm-doctor's evidence script (fleet remediate), the same rules as
"tpm-doctor diagnose" decide its verdict, so the fleet and device views agree.`,
    optionsTitle: 'Output:',
    footer: `Example (LAB):
  tpm-doctor fleet triage --tenant lab --format html --out triage.html
Exit codes: 0 done, 13 no/refused credential, 14 Graph failed, 15 store failed (docs/exit-codes.md).`,
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values } = parseVerbArgs('fleet triage', argv, OPTIONS);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const format = (values.json ? 'json' : (values.format ?? 'table')) as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(
      `--format expects one of ${FORMATS.join(', ')}, got "${values.format}"`,
      'fleet triage',
    );
  }
  if (values.json && values.format && values.format !== 'json') {
    throw new UsageError('--json and --format disagree; give one', 'fleet triage');
  }
  const bom = csvBom(values.bom, values['no-bom'], format);
  let staleSyncDays: number | undefined;
  if (values['stale-days'] !== undefined) {
    if (!/^\d+$/.test(values['stale-days']) || Number(values['stale-days']) < 1) {
      throw new UsageError(
        `--stale-days expects a whole number of days (1 or more), got "${values['stale-days']}"`,
        'fleet triage',
      );
    }
    staleSyncDays = Number(values['stale-days']);
  }

  if (values.out !== undefined) checkReportPath(values.out);
  const store = values['no-store'] ? undefined : await openFleetStore(values.store);
  let connection: GraphConnection | undefined;
  let out: WriteStream | undefined;
  const partial = values.out ? `${values.out}.partial` : undefined;
  try {
    connection = await openGraphConnection(values, 'fleet triage', { writeLog: store });
    const target: ReportTarget = { description: connection.target, lab: connection.isLab };
    // The table and the HTML in the admin's language; CSV and JSON stay English (a contract).
    const messages = format === 'table' || format === 'html' ? await loadMessages(language) : ENGLISH;
    if (!values.quiet)
      process.stderr.write(
        `${messages.ui['triage.started']({ target: targetText(connection.target, messages.ui) })}\n`,
      );
    // FILE.partial is created afresh, 0600, never through a link someone planted (src/fs/safe-file.ts).
    if (partial) out = createWriteStream(partial, { fd: createScratchFile(partial) });
    const { sink, flush } = bufferedSink(streamSink(out ?? process.stdout));

    const actions = new ActionList();
    const csv = format === 'csv' ? new CsvReportWriter(sink, target, { bom }) : undefined;
    const json = format === 'json' ? new JsonReportWriter(sink, target) : undefined;
    const progress = new ProgressLine(!values.quiet);
    const graph = connection.graph;
    const { summary, run } = await storedTriage(connection.intune, {
      store,
      target: connection.target,
      tenantKey: connection.tenant.key,
      messages,
      ...(staleSyncDays !== undefined ? { staleSyncDays } : {}),
      requestStats: () => graph.stats,
      reportExports: values['no-exports'] !== true,
      onProgress: (p) =>
        progress.update(
          messages.ui['triage.progress']({
            listed: p.listed,
            classified: p.classified,
            detailed: p.detailsFetched,
            requests: graph.stats.httpRequests,
          }),
        ),
      onResult: async (result: TriageResult) => {
        actions.add(result);
        if (csv) await csv.write(result);
        if (json) await json.write(result);
      },
    });
    progress.done(
      messages.ui['triage.progress.done']({
        devices: summary.devices,
        detailed: summary.lookups.details,
        requests: graph.stats.httpRequests,
      }),
    );

    if (csv) await csv.end();
    if (json) await json.end(summary);
    const { ui } = messages;
    if (format === 'html') await sink(renderHtmlReport({ target, summary, actions, language, ui }));
    if (format === 'table') {
      await sink(renderTriageTable(summary, actions, { width: tableWidth(), target, ui }));
    }
    await flush();
    if (out && partial && values.out) {
      out.end();
      await finished(out);
      await rename(partial, values.out);
      out = undefined;
    }
    if (!values.quiet) {
      const stats = graph.stats;
      process.stderr.write(
        messages.ui['triage.finished']({
          devices: summary.devices,
          needingAction: summary.needingAction,
          requests: stats.httpRequests,
          perDevice: (stats.httpRequests / Math.max(1, summary.devices)).toFixed(3),
        }) +
          (run ? messages.ui['triage.finished.stored']({ id: run.id, store: storeName(store) }) : '') +
          (values.out ? messages.ui['triage.finished.report']({ file: values.out }) : '') +
          '\n',
      );
    }
    return EXIT.OK;
  } finally {
    if (out) {
      out.destroy();
      if (partial) await rm(partial, { force: true });
    }
    await connection?.close();
    await store?.close();
  }
}

/**
 * Refuses an --out that cannot be written before the triage runs (it can take an hour on a large
 * tenant): a folder given as the file, or a file in a folder that does not exist.
 */
function checkReportPath(out: string): void {
  const file = path.resolve(out);
  if (lstatSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--out ${out} is a folder; expected the report's file name`, 'fleet triage');
  }
  const folder = statSync(path.dirname(file), { throwIfNoEntry: false });
  if (folder === undefined || !folder.isDirectory()) {
    throw new UsageError(
      `--out ${out}: the folder ${path.dirname(file)} does not exist; expected a file in an existing folder`,
      'fleet triage',
    );
  }
}

/**
 * The table's width: COLUMNS when set (the shell's convention, e.g. `COLUMNS=200 ... | less -S`),
 * else the terminal's, else 80 into a file or a pipe (src/cli/terminal-style.ts).
 */
function tableWidth(): number {
  const columns = Number(process.env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return Math.max(columns, 40);
  return terminalLayout(process.stdout).width;
}

function storeName(store: FleetStore | undefined): string {
  return store?.description ?? '';
}

/**
 * Whether the CSV starts with a UTF-8 byte order mark: --bom or --no-bom, else on on Windows,
 * where the CSV is opened in Excel (src/fleet/triage/report-csv.ts, UTF8_BOM).
 */
function csvBom(bom: boolean | undefined, noBom: boolean | undefined, format: Format): boolean {
  if (bom && noBom)
    throw new UsageError('--bom and --no-bom contradict each other; give one', 'fleet triage');
  if ((bom || noBom) && format !== 'csv') {
    throw new UsageError(`--${bom ? 'bom' : 'no-bom'} is for --format csv`, 'fleet triage');
  }
  return bom ?? (noBom ? false : process.platform === 'win32');
}
