import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../exit-codes.js';
import { clearStillToCome } from '../../plan/resume-consent.js';
import { resumeTargetRefusal, resumeTpmUri } from '../../plan/resume-target.js';
import { findRun, readRun, runCatalogDir, unfinishedRuns } from '../../remedy/run-catalog.js';
import { ENGLISH, loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { Tpm } from '../../tpm/tpm.js';
import { openTransport, TPM_URI_FORMS } from '../../tpm/transport/open-transport.js';
import { parseVerbArgs } from '../args.js';
import { confirmClear } from '../confirm-clear.js';
import { continueRun } from '../continue-run.js';
import { printHelp } from '../help.js';
import { lockoutAuth } from '../lockout-auth.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { parseTimeout } from '../timeout.js';
import { UsageError } from '../usage-error.js';

const OPTIONS = {
  tpm: {
    type: 'string',
    value: 'URI',
    help: `The TPM of the run (default: the one the run recorded, else this machine's):
  ${TPM_URI_FORMS.join('\n  ')}`,
  },
  run: { type: 'string', value: 'RUN-ID', help: 'The run to resume (the same as the positional RUN-ID).' },
  journal: {
    type: 'string',
    value: 'PATH',
    complete: 'file',
    help: "The run's journal file itself (what the start-up task passes at boot).",
  },
  'lockout-auth-file': {
    type: 'string',
    value: 'PATH',
    complete: 'file',
    help: 'The lockout value, for a run with method lockout whose clear is still to come.',
  },
  yes: {
    type: 'boolean',
    short: 'y',
    help: 'Consent for a run whose clear has not been sent yet (otherwise typed).',
  },
  confirm: {
    type: 'string',
    value: 'STEPS',
    help: `Runbook steps you checked by hand (comma-separated), e.g.
recovery-key-escrowed after looking the key up in Entra ID.`,
  },
  'user-steps': {
    type: 'boolean',
    help: `Windows, as the signed-in user (not elevated): check your own part of the
runbook after a clear (your Entra sign-in token, your Windows Hello PIN) and
say what to do. Read-only; the logon task of a clear run runs it.`,
  },
  json: { type: 'boolean', help: 'Machine-readable output.' },
  'state-dir': {
    type: 'string',
    value: 'DIR',
    complete: 'dir',
    help: 'Where journals are kept (default /var/lib/tpm-doctor).',
  },
  timeout: { type: 'string', value: 'SECONDS', help: 'TPM command time limit (default 120).' },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'resume',
  options: OPTIONS,
  page: {
    title: 'continue a clear run after a reboot, a crash or a power cut.',
    usage: `[RUN-ID | --run RUN-ID | --journal PATH] [--tpm URI]
[--lockout-auth-file PATH] [--json] [--state-dir DIR]
tpm-doctor resume --user-steps [--run RUN-ID] [--json]`,
    about: `Reads the run's journal and carries on from where it stopped. A step that was in flight is
settled first: if the clear itself was in flight (the crash came between "clear sent" and
"clear recorded"), the TPM is asked whether it happened (its storage root key's Name) and the
clear is never sent a second time. A run that already ended is only reported. Without RUN-ID,
the one unfinished run is resumed (and it is an error if there are several).`,
    optionsTitle: 'Options:',
    footer: `Exit status: 0 finished and proven; 11 the clear was refused or not proven; 12 waiting (for the
reboot and the firmware prompt, or a runbook step: the output says what to do), resume again
later; 2 wrong command line or no such run. With --user-steps: 0 your steps are done, 12 not yet
(the output says what to do), 2 not on Windows.`,
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values, positionals } = parseVerbArgs('resume', argv, OPTIONS, true);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  if (values['user-steps']) return userSteps(values.run, values.json ?? false);
  if (values.journal !== undefined && positionals.length > 0) {
    throw new UsageError('give the run either by ID or by --journal PATH, not both', 'resume');
  }
  // The start-up task passes both --run and --journal: they must name the same run.
  if (
    values.journal !== undefined &&
    values.run !== undefined &&
    path.basename(values.journal) !== `${values.run}.jsonl`
  ) {
    throw new UsageError(`--journal ${values.journal} is not the journal of run ${values.run}`, 'resume');
  }
  // SYSTEM reads the journals at boot: a folder someone else made or can write is refused first.
  await (await import('../../remedy/machine-state-dir.js')).guardMachineStateDir(values['state-dir']);
  const dir = runCatalogDir(values['state-dir']);
  const journalPath =
    values.journal !== undefined
      ? existingJournal(values.journal)
      : pickRun(dir, values.run !== undefined ? [values.run, ...positionals] : positionals);
  const timeoutMs = parseTimeout(values.timeout, 'resume');
  const { defaultTpmUri, environmentTpmUri } = await import('../../tpm/transport/open-transport.js');
  const { recordedTpmUri } = await import('../../remedy/clear/clear-run.js');
  const uri = resumeTpmUri({
    flag: values.tpm,
    recorded: recordedTpmUri(journalPath),
    env: environmentTpmUri(),
    machineDefault: defaultTpmUri,
  });
  const { ui } = values.json ? ENGLISH : await loadMessages(language);
  const refusal = resumeTargetRefusal(uri, ui);
  if (refusal !== undefined) throw new UsageError(refusal, 'resume');
  if (clearStillToCome(readRun(journalPath).state) && !values.yes && !(await confirmClear(ui))) {
    process.stdout.write(`${ui['clear.not-confirmed']}\n`);
    return EXIT.CLEAR_REFUSED;
  }
  const tpm = new Tpm(await openTransport(uri, timeoutMs === undefined ? {} : { timeoutMs }));
  try {
    const { resumeClearRun } = await import('../../remedy/clear/clear-run.js');
    const result = await resumeClearRun({
      tpm,
      journalPath,
      lockoutAuth: lockoutAuth(values['lockout-auth-file'], 'resume'),
    });
    return await continueRun(result, {
      json: values.json ?? false,
      ui,
      confirmed: (values.confirm ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    });
  } finally {
    await tpm.close();
  }
}

function existingJournal(file: string): string {
  if (!file.endsWith('.jsonl') || !existsSync(file)) {
    throw new UsageError(`--journal ${file}: expected an existing run journal (a .jsonl file)`, 'resume');
  }
  return path.resolve(file);
}

function pickRun(dir: string, positionals: string[]): string {
  if (positionals.length > 1) throw new UsageError('give at most one run ID', 'resume');
  const wanted = positionals[0];
  if (wanted !== undefined) {
    const file = findRun(dir, wanted);
    if (file === undefined) {
      throw new UsageError(`no run "${wanted}" in ${dir}; "tpm-doctor runs" lists them`, 'resume');
    }
    return file;
  }
  const open = unfinishedRuns(dir);
  if (open.length === 0) throw new UsageError(`no unfinished run in ${dir}`, 'resume');
  if (open.length > 1) {
    throw new UsageError(
      `several unfinished runs in ${dir} (${open.map((id) => `${id}.jsonl`).join(', ')}): name one`,
      'resume',
    );
  }
  return path.join(dir, `${open[0]}.jsonl`);
}

/** `resume --user-steps`: the signed-in user's part of the runbook (src/remedy/runbook/user-steps.ts). */
async function userSteps(runId: string | undefined, json: boolean): Promise<number> {
  if (process.platform !== 'win32')
    throw new UsageError(
      "--user-steps checks the signed-in Windows user's steps and runs on Windows only",
      'resume',
    );
  const { checkUserSteps } = await import('../../remedy/runbook/user-steps.js');
  const { runPowerShell } = await import('../../system/powershell.js');
  const result = await checkUserSteps(runPowerShell);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ schema: 'tpm-doctor/resume-user-steps/v1', run: runId ?? null, ...result })}\n`,
    );
  } else {
    const lines = result.steps.map(
      (s) =>
        `${s.state === 'done' ? 'DONE' : s.state === 'waiting' ? 'TO DO' : 'FAILED'}  ${s.title}: ${s.message}${s.instruction === undefined ? '' : `\n      ${s.instruction}`}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return result.status === 'complete' ? EXIT.OK : EXIT.RUN_INTERRUPTED;
}
