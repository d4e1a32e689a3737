import { EXIT } from '../exit-codes.js';
import type { ClearRunResult } from '../remedy/clear/clear-run.js';
import type { UiMessages } from '../text/messages/en.js';
import { renderRun } from './render/run-text.js';
import { renderNextStep, renderRunbookProgress, renderRunbookStop } from './render/runbook-text.js';

/**
 * What follows a run's TPM part: 'cleared' (kept open on Windows) goes on to the post-clear
 * runbook; 'waiting' (a PPI clear waiting for the reboot and the firmware prompt) and a runbook
 * that waits tell the person what to do, and `tpm-doctor resume` (run by the start-up task at
 * boot) continues.
 */
export async function continueRun(
  result: ClearRunResult,
  options: {
    json: boolean;
    report?: (run: ClearRunResult, extra?: Record<string, unknown>) => void;
    confirmed?: string[];
    /** The result's words, in the admin's language (English by default). */
    ui?: UiMessages;
  },
): Promise<number> {
  let run = result;
  let runbook: unknown = null;
  let instruction = result.instruction;
  if (result.status === 'cleared') {
    const { continueAfterClear } = await import('../remedy/clear/complete-run.js');
    const postClear = await import('../remedy/runbook/post-clear.js');
    const session = (await import('../remedy/runbook/session.js')).runbookSession();
    const windows =
      process.platform === 'win32'
        ? {
            runner: (await import('../system/powershell.js')).runPowerShell,
            // The boot task runs as SYSTEM: the user's steps go to the logon task (docs/clear.md).
            steps: postClear.postClearRunbook(session),
            ...(options.confirmed ? { confirmed: options.confirmed } : {}),
          }
        : undefined;
    // On Windows, wait in this process for the runbook (up to a day for the Intune sync, checked
    // every minute, with progress), keeping the PC awake; a reboot or Ctrl-C leaves it to resume.
    const { keepAwake } = await import('../remedy/platform/keep-awake.js');
    const awake = windows ? keepAwake() : { release: () => {} };
    let next: Awaited<ReturnType<typeof continueAfterClear>>;
    try {
      next = await continueAfterClear({
        journal: result.journalPath,
        ...(windows
          ? {
              windows: {
                ...windows,
                advance: {
                  leftToOthers: postClear.leftToUserPart(session),
                  poll: { intervalMs: 60_000, forMs: 24 * 3600_000 },
                  onProgress: (p) => {
                    if (!options.json) {
                      process.stderr.write(renderRunbookProgress(p));
                    }
                  },
                },
              },
            }
          : {}),
      });
    } finally {
      awake.release();
    }
    run = next.run;
    runbook = next.runbook;
    instruction = next.instruction ?? instruction;
    if (next.status !== 'complete' && !options.json) {
      process.stdout.write(renderRunbookStop(next));
    }
  }
  if (options.json) {
    if (options.report) options.report(run, { runbook, instruction: instruction ?? null });
    else {
      const out = { schema: 'tpm-doctor/resume/v1', run, runbook, instruction: instruction ?? null };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    }
  } else {
    process.stdout.write(renderRun(run, options.ui));
    if (instruction) process.stdout.write(renderNextStep(instruction));
  }
  if (run.status === 'finished') return EXIT.OK;
  if (run.status === 'failed' || run.status === 'rejected' || run.status === 'abandoned')
    return EXIT.CLEAR_FAILED;
  return EXIT.RUN_INTERRUPTED;
}
