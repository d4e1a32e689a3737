import { EXIT } from '../../exit-codes.js';
import { findRun, listRuns, readRun, runCatalogDir } from '../../remedy/run-catalog.js';
import { formatLocalTime } from '../../text/local-time.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';

const OPTIONS = {
  'state-dir': {
    type: 'string',
    value: 'DIR',
    complete: 'dir',
    help: `Where runs are kept (default /var/lib/tpm-doctor, %ProgramData%\\tpm-doctor on
Windows, or TPM_DOCTOR_STATE_DIR).`,
  },
  json: { type: 'boolean', help: 'Machine-readable output.' },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'runs',
  options: OPTIONS,
  page: {
    title: 'the history of clear runs on this machine, read back from their journals.',
    usage: '[RUN-ID] [--json] [--state-dir DIR]',
    about: `Without RUN-ID: one line per run (when it started, its status, the step it is at). With RUN-ID:
every journal record of that run, in order. Each journal is append-only and hash-chained; a
journal that was edited or damaged is reported with the line where the chain breaks.`,
    optionsTitle: 'Options:',
  },
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs('runs', argv, OPTIONS, true);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError('give at most one run ID', 'runs');
  const dir = runCatalogDir(values['state-dir']);
  const wanted = positionals[0];
  if (wanted !== undefined) {
    const file = findRun(dir, wanted);
    if (file === undefined) {
      throw new UsageError(`no run "${wanted}" in ${dir}; "tpm-doctor runs" lists them`, 'runs');
    }
    const read = readRun(file);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ runId: wanted, ...read }, null, 2)}\n`);
    } else {
      for (const r of read.records) {
        process.stdout.write(
          `${r.seq.toString().padStart(3)}  ${formatLocalTime(r.at)}  ${r.kind.padEnd(15)} ${r.step ?? ''}\n`,
        );
      }
      if (read.torn) process.stdout.write('     (the last line was cut off by a crash; it is ignored)\n');
      if (read.error) process.stdout.write(`     JOURNAL DAMAGED: ${read.error}\n`);
    }
    return read.error ? EXIT.PARTIAL : EXIT.OK;
  }
  const runs = listRuns(dir);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ stateDir: dir, runs }, null, 2)}\n`);
  } else if (runs.length === 0) {
    process.stdout.write(`No runs in ${dir}.\n`);
  } else {
    for (const r of runs) {
      const at = r.inFlight ? `at ${r.inFlight}` : `${r.completedSteps.length} steps done`;
      process.stdout.write(
        `${r.runId}  ${r.startedAt ? formatLocalTime(r.startedAt) : '?'}  ${r.status.padEnd(9)} ${at}\n`,
      );
    }
  }
  return EXIT.OK;
}
