// Sources (docs/clear.md, the Windows runbook): TPM driver events 33/34 (System log, provider "TPM"),
// Get-Tpm RestartPending, and the PPI flow: request → restart → firmware prompt → clear → restart.
import { EVENT_LOGS } from '../../../probe/windows/events.js';
import type { WindowsEvent } from '../../../snapshot/windows-evidence.js';
import { done, failed, type RunbookStep, waiting } from '../step.js';
import { problemWith, readWindows } from '../windows.js';
import { isAfter, minus } from './time.js';

const REBOOT_COMPLETE = 'reboot-complete';

/** Event 33 "The TPM has been cleared as requested" may be logged while the request is still returning. */
const CLOCK_ALLOWANCE_MS = 60_000;

const FIRMWARE_PROMPT =
  'Restart the PC. When the firmware shows a message asking to confirm clearing the TPM, press the key it ' +
  'names (often F12; pressing another key or waiting cancels the clear). The PC may restart twice. ' +
  'Then sign in and run tpm-doctor resume (it also runs by itself at start-up).';

function tpmEvent(e: WindowsEvent, id: number, since: string): boolean {
  return e.log === EVENT_LOGS.system && e.provider === 'TPM' && e.id === id && isAfter(e.timeCreated, since);
}

/**
 * The clear happened: the TPM driver logged event 33 after the clear was requested. Until then a
 * pending PPI request (event 34, or Get-Tpm RestartPending) means the person must restart and
 * accept the firmware prompt.
 */
export function rebootCompleteStep(): RunbookStep {
  return {
    id: REBOOT_COMPLETE,
    title: 'Restart, and accept the TPM clear at the firmware prompt',
    instruction: FIRMWARE_PROMPT,
    async check(ctx) {
      if (ctx.facts.clearedBy === 'os') {
        // The clear came from the OS and the run's proof step already showed it (SRK Name
        // changed): there is no firmware prompt to wait for, and no event 33 to require.
        return done(
          'The TPM was cleared from Windows and the clear is proven by the run; no firmware step is needed.',
          {
            clearedBy: 'os',
          },
        );
      }
      const ev = await readWindows(ctx, ['events', 'get-tpm']);
      const since = minus(ctx.facts.clearRequestedAt, CLOCK_ALLOWANCE_MS);
      if (ev.events === null) {
        return failed(`The System event log could not be read: ${problemWith(ev, 'events')}.`, {
          clearRequestedAt: ctx.facts.clearRequestedAt,
        });
      }
      const cleared = ev.events.find((e) => tpmEvent(e, 33, since));
      const requested = ev.events.find((e) => tpmEvent(e, 34, since));
      const restartPending = ev.getTpm?.restartPending ?? null;
      const evidence = {
        clearRequestedAt: ctx.facts.clearRequestedAt,
        event33At: cleared?.timeCreated ?? null,
        event34At: requested?.timeCreated ?? null,
        restartPending,
      };
      if (cleared !== undefined) {
        return done(`The TPM was cleared as requested (TPM event 33 at ${cleared.timeCreated}).`, evidence);
      }
      if (requested !== undefined || restartPending === true) {
        return waiting(
          'The TPM clear is requested and waits for a restart and the firmware prompt.',
          evidence,
          FIRMWARE_PROMPT,
        );
      }
      return failed(
        `No sign of the clear since ${ctx.facts.clearRequestedAt}: no TPM event 33 (cleared), no event 34 (clear requested) and no restart pending. ` +
          'If the firmware prompt was declined or timed out, the clear did not happen.',
        evidence,
        'Request the clear again with tpm-doctor clear, then restart and press the key the firmware asks for.',
      );
    },
  };
}
