// Sources (docs/clear.md, the Windows runbook): Get-Tpm TpmReady/TpmOwned/AutoProvisioning, TPM-WMI
// event 1026 "cannot be provisioned automatically". After a clear Windows provisions the TPM by itself
// (auto-provisioning) on the next boots; no tool needs to take ownership.
import { EVENT_LOGS } from '../../../probe/windows/events.js';
import { done, failed, type RunbookStep, waiting } from '../step.js';
import { problemWith, readWindows } from '../windows.js';
import { isAfter } from './time.js';

const TPM_READY = 'tpm-ready';

const INSTRUCTION =
  'Windows sets the TPM up again by itself after the restart (auto-provisioning); this usually takes a few ' +
  'minutes after signing in. If the TPM is still not ready after that, restart the PC once more.';

export function tpmReadyStep(): RunbookStep {
  return {
    id: TPM_READY,
    title: 'TPM ready and owned again (Windows auto-provisioning)',
    instruction: INSTRUCTION,
    async check(ctx) {
      const ev = await readWindows(ctx, ['get-tpm', 'events']);
      const tpm = ev.getTpm;
      if (tpm === null) {
        return failed(
          `Get-Tpm could not be read: ${problemWith(ev, 'get-tpm')}.`,
          {},
          'Run tpm-doctor resume from an elevated prompt (Run as administrator).',
        );
      }
      const evidence = {
        tpmPresent: tpm.tpmPresent,
        tpmReady: tpm.tpmReady,
        tpmOwned: tpm.tpmOwned,
        restartPending: tpm.restartPending,
        autoProvisioning: tpm.autoProvisioning,
      };
      if (tpm.tpmPresent === false)
        return failed('Windows no longer sees a TPM (TpmPresent False).', evidence);
      if (tpm.tpmReady === true && tpm.tpmOwned === true) {
        return done('The TPM is ready and owned again (Get-Tpm TpmReady True, TpmOwned True).', evidence);
      }
      const cannotProvision = (ev.events ?? []).find(
        (e) =>
          e.log === EVENT_LOGS.system &&
          e.provider === 'Microsoft-Windows-TPM-WMI' &&
          e.id === 1026 &&
          isAfter(e.timeCreated, ctx.facts.clearRequestedAt),
      );
      if (cannotProvision !== undefined) {
        return failed(
          `Windows could not provision the TPM after the clear (TPM-WMI event 1026 at ${cannotProvision.timeCreated}).`,
          { ...evidence, event1026At: cannotProvision.timeCreated },
          'Open tpm.msc and choose "Prepare the TPM", or restart once more; if event 1026 names a dictionary-attack lockout, wait for it to end first.',
        );
      }
      if (tpm.restartPending === true) {
        return waiting(
          'The TPM needs a restart to finish setting up (Get-Tpm RestartPending True).',
          evidence,
          'Restart the PC.',
        );
      }
      const disabled = tpm.autoProvisioning?.toLowerCase() === 'disabled';
      return waiting(
        `The TPM is not ready yet (TpmReady ${tpm.tpmReady}, TpmOwned ${tpm.tpmOwned}, AutoProvisioning ${tpm.autoProvisioning}).`,
        evidence,
        disabled
          ? 'Auto-provisioning is disabled: in an elevated PowerShell run Enable-TpmAutoProvisioning, then restart the PC.'
          : INSTRUCTION,
      );
    },
  };
}
