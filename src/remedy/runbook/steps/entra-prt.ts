// Source: dsregcmd /status, SSO State: AzureAdPrt, shown only in the signed-in user's context
// (https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd). After a clear
// the device key is gone; the user's next sign-in re-registers it and gets a new Primary Refresh Token.
import { done, failed, type RunbookStep, waiting } from '../step.js';
import { problemWith, readWindows } from '../windows.js';

const SIGN_IN_AGAIN =
  'Sign out of Windows and sign in again with your work account, completing the multi-factor prompt. ' +
  'If a "Sign-in required" notice appears on the desktop, select it and sign in.';

/** The user's part of the Entra step: this user holds a Primary Refresh Token again. */
export function entraPrtStep(): RunbookStep {
  return {
    id: 'entra-prt',
    title: 'Your Entra sign-in token (PRT) is back',
    instruction: SIGN_IN_AGAIN,
    context: 'user',
    async check(ctx) {
      const ev = await readWindows(ctx, ['dsregcmd']);
      const ds = ev.dsregcmd;
      if (ds === null) return failed(`dsregcmd /status could not be read: ${problemWith(ev, 'dsregcmd')}.`);
      const evidence = { azureAdPrt: ds.azureAdPrt };
      if (ds.azureAdPrt === true)
        return done('You have an Entra sign-in token (dsregcmd AzureAdPrt YES).', evidence);
      if (ds.azureAdPrt === null) {
        return failed(
          'dsregcmd shows no SSO State: it did not run in your signed-in session.',
          evidence,
          'Run tpm-doctor resume --user-steps in your own session (not as administrator).',
        );
      }
      return waiting(
        'You have no Entra sign-in token yet (dsregcmd AzureAdPrt NO).',
        evidence,
        SIGN_IN_AGAIN,
      );
    },
  };
}
