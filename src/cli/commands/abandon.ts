import { EXIT } from '../../exit-codes.js';
import { RunJournal } from '../../remedy/journal.js';
import { findRun, runCatalogDir } from '../../remedy/run-catalog.js';
import { ABANDONED_BY_USER, runEnding } from '../../remedy/run-ending.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';

const OPTIONS = {
  reason: { type: 'string', value: 'TEXT', help: 'Why the run was abandoned (kept in the journal).' },
  'state-dir': {
    type: 'string',
    value: 'DIR',
    complete: 'dir',
    help: 'Where journals are kept (default /var/lib/tpm-doctor).',
  },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'abandon',
  options: OPTIONS,
  page: {
    title: 'end an unfinished clear run cleanly, without going on.',
    usage: 'RUN-ID [--reason TEXT] [--state-dir DIR]',
    about: `Writes run-abandoned (with your reason) to the run's journal and removes its start-up task, so
the run is not resumed at the next boot. Nothing is sent to the TPM. The history stays readable
with "tpm-doctor runs RUN-ID". If the clear was already sent, the TPM stays cleared: abandoning
only stops the follow-up (the post-clear runbook).`,
    optionsTitle: 'Options:',
  },
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs('abandon', argv, OPTIONS, true);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const runId = positionals[0];
  if (runId === undefined || positionals.length > 1)
    throw new UsageError('give exactly one RUN-ID', 'abandon');
  await (await import('../../remedy/machine-state-dir.js')).guardMachineStateDir(values['state-dir']);
  const file = findRun(runCatalogDir(values['state-dir']), runId);
  if (file === undefined) {
    throw new UsageError(`no run "${runId}"; "tpm-doctor runs" lists them`, 'abandon');
  }
  const journal = RunJournal.open(file);
  try {
    if (journal.state().status !== 'running') {
      const ending = runEnding(journal.records().at(-1)) ?? journal.state().status;
      process.stdout.write(`Run ${runId} already ended (${ending}); nothing to do.\n`);
      return EXIT.OK;
    }
    journal.append('run-abandoned', undefined, {
      reason: values.reason ?? 'abandoned by the user',
      by: ABANDONED_BY_USER,
    });
  } finally {
    journal.close();
  }
  const { removeResumeTask } = await import('../../remedy/platform/startup-task.js');
  try {
    await removeResumeTask({ runId, platform: process.platform === 'win32' ? 'win32' : 'linux' });
  } catch (e) {
    process.stdout.write(
      `Run ${runId} abandoned, but its start-up task could not be removed: ${(e as Error).message}\n`,
    );
    return EXIT.PARTIAL;
  }
  process.stdout.write(`Run ${runId} abandoned; its start-up task (if any) removed.\n`);
  return EXIT.OK;
}
