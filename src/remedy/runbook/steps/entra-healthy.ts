// Source: dsregcmd /status (https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd): DeviceAuthStatus (Device Details), AzureAdPrt (SSO State,
// user context only), KeySignTest (Diagnostic Data, elevated only). After a clear the device key in
// the TPM is gone; the next sign-in re-registers it (silently on hybrid join, with a prompt on Entra join).
import { done, failed, type RunbookStep, waiting } from '../step.js';
import { problemWith, readWindows } from '../windows.js';

const ENTRA_HEALTHY = 'entra-healthy';

const SIGN_IN =
  'Sign in to Windows with your work account and complete the multi-factor prompt. If a "Sign-in required" ' +
  'notice appears on the desktop, select it and sign in again. You can skip "Set up a PIN" for now ("Not now"): ' +
  'tpm-doctor asks for it at the end. Then run tpm-doctor resume.';

/**
 * `prtLeftToUser`: SYSTEM's runbook, where dsregcmd has no SSO State (AzureAdPrt is the signed-in
 * user's, and only their session shows it): the step checks what SYSTEM sees (DeviceAuthStatus,
 * KeySignTest) and leaves the PRT to the user's part (entra-prt.ts), instead of waiting for a
 * fact SYSTEM can never read.
 */
export function entraHealthyStep(options: { prtLeftToUser?: boolean } = {}): RunbookStep {
  return {
    id: ENTRA_HEALTHY,
    title: 'Signed in, Entra device state healthy',
    instruction: SIGN_IN,
    async check(ctx) {
      const ev = await readWindows(ctx, ['dsregcmd']);
      const ds = ev.dsregcmd;
      if (ds === null) return failed(`dsregcmd /status could not be read: ${problemWith(ev, 'dsregcmd')}.`);
      const evidence = {
        azureAdJoined: ds.azureAdJoined,
        deviceAuthStatus: ds.deviceAuthStatus,
        keySignTest: ds.keySignTest,
        azureAdPrt: ds.azureAdPrt,
        tpmProtected: ds.tpmProtected,
        errorCodes: ds.errorCodes,
      };
      if (ds.azureAdJoined !== true) {
        return failed(
          'The device is not joined to Entra ID (dsregcmd AzureAdJoined is not YES).',
          evidence,
          'Rejoin the device to Entra ID (Settings > Accounts > Access work or school), then run tpm-doctor resume.',
        );
      }
      if (/disabled or deleted/i.test(ds.deviceAuthStatus ?? '')) {
        return failed(
          `Entra ID refuses the device: DeviceAuthStatus "${ds.deviceAuthStatus}".`,
          evidence,
          'An Entra administrator must enable (or restore) the device object; then sign in again and run tpm-doctor resume.',
        );
      }
      if (ds.keySignTest !== null && /elevat/i.test(ds.keySignTest)) {
        return failed(
          'KeySignTest was not run: dsregcmd needs an elevated prompt for it.',
          evidence,
          'Run tpm-doctor resume from an elevated prompt (Run as administrator) while the user is signed in.',
        );
      }
      const authOk = ds.deviceAuthStatus?.toUpperCase() === 'SUCCESS';
      const keyOk = ds.keySignTest?.toUpperCase() === 'PASSED';
      const prtUnseen = options.prtLeftToUser === true && ds.azureAdPrt === null;
      const prtOk = ds.azureAdPrt === true || prtUnseen;
      if (authOk && keyOk && prtUnseen) {
        return done(
          "Entra device state is healthy as SYSTEM sees it: DeviceAuthStatus SUCCESS, KeySignTest PASSED; the user's sign-in token (AzureAdPrt) is checked at the user's next sign-in.",
          evidence,
        );
      }
      if (authOk && keyOk && prtOk) {
        return done(
          'Entra device state is healthy: DeviceAuthStatus SUCCESS, KeySignTest PASSED, AzureAdPrt YES.',
          evidence,
        );
      }
      const wrong = [
        authOk ? null : `DeviceAuthStatus ${ds.deviceAuthStatus ?? 'missing'}`,
        keyOk ? null : `KeySignTest ${ds.keySignTest ?? 'missing'}`,
        prtOk
          ? null
          : `AzureAdPrt ${ds.azureAdPrt === null ? 'missing (dsregcmd must run as the signed-in user)' : 'NO'}`,
      ].filter((w): w is string => w !== null);
      return waiting(`Waiting for the user to sign in: ${wrong.join(', ')}.`, evidence, SIGN_IN);
    },
  };
}
