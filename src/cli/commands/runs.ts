import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readJournal, runState } from '../../remedy/journal.js';
import { runsDir, stateDir } from '../../remedy/state-dir.js';
import { parseVerbArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import { UsageError } from '../usage-error.js';

export const HELP = `tpm-doctor runs: the history of clear runs on this machine, read back from their journals.

Usage: tpm-doctor runs [RUN-ID] [--json] [--state-dir DIR]

Without RUN-ID: one line per run (when it started, its status, the step it is at). With RUN-ID:
every journal record of that run, in order. Each journal is append-only and hash-chained; a
journal that was edited or damaged is reported with the line where the chain breaks.

Options:
  --state-dir DIR  Where runs are kept (default /var/lib/tpm-doctor, %ProgramData%\\tpm-doctor on
                   Windows, or TPM_DOCTOR_STATE_DIR).
  --json           Machine-readable output.
  -h, --help       This help.
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    'runs',
    argv,
    {
      json: { type: 'boolean' },
      'state-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError('give at most one run ID', 'runs');
  const dir = runsDir(stateDir(values['state-dir']));
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')) : [];
  const wanted = positionals[0];
  if (wanted !== undefined) {
    const file = path.join(dir, `${wanted}.jsonl`);
    if (!/^[A-Za-z0-9._-]+$/.test(wanted) || !existsSync(file)) {
      throw new UsageError(`no run "${wanted}" in ${dir}; "tpm-doctor runs" lists them`, 'runs');
    }
    const read = readJournal(file);
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ runId: wanted, ...read, state: runState(read.records) }, null, 2)}\n`,
      );
    } else {
      for (const r of read.records) {
        process.stdout.write(
          `${r.seq.toString().padStart(3)}  ${r.at}  ${r.kind.padEnd(15)} ${r.step ?? ''}\n`,
        );
      }
      if (read.torn) process.stdout.write('     (the last line was cut off by a crash; it is ignored)\n');
      if (read.error) process.stdout.write(`     JOURNAL DAMAGED: ${read.error}\n`);
    }
    return read.error ? EXIT.PARTIAL : EXIT.OK;
  }
  const runs = files.sort().map((f) => {
    const read = readJournal(path.join(dir, f));
    const state = runState(read.records);
    return {
      runId: f.slice(0, -'.jsonl'.length),
      startedAt: read.records[0]?.at ?? null,
      status: read.error ? 'damaged' : state.status,
      completedSteps: state.completedSteps,
      inFlight: state.inFlight,
      error: read.error ?? null,
    };
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ stateDir: dir, runs }, null, 2)}\n`);
  } else if (runs.length === 0) {
    process.stdout.write(`No runs in ${dir}.\n`);
  } else {
    for (const r of runs) {
      const at = r.inFlight ? `at ${r.inFlight}` : `${r.completedSteps.length} steps done`;
      process.stdout.write(`${r.runId}  ${r.startedAt ?? '?'}  ${r.status.padEnd(9)} ${at}\n`);
    }
  }
  return EXIT.OK;
}
