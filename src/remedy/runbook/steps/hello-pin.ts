// Source: dsregcmd /status NgcSet (User State;
// https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd). A clear destroys
// the Windows Hello container; the user sets the PIN up again in Settings > Accounts > Sign-in options.
import { done, failed, type RunbookStep, waiting } from '../step.js';
import { problemWith, readWindows } from '../windows.js';

const HELLO_PIN = 'hello-pin';

/** The instruction, with the organisation's PIN rules when the run knows them. */
function helloPinInstruction(pinRules?: string): string {
  const rules =
    pinRules !== undefined && pinRules.trim() !== ''
      ? `Your organisation's PIN rules: ${pinRules.trim()}.`
      : 'Follow your organisation\'s PIN rules (length, and whether letters and symbols are required: then tick "Include letters and symbols").';
  return (
    'Set up your Windows Hello PIN again: Settings > Accounts > Sign-in options > PIN (Windows Hello) > Set up. ' +
    'Enter your password and complete the multi-factor prompt. If asked, keep "Allow my organization to manage my device" ticked. ' +
    `${rules} Then run tpm-doctor resume.`
  );
}

export function helloPinStep(): RunbookStep {
  return {
    id: HELLO_PIN,
    title: 'Windows Hello PIN set up again',
    context: 'user',
    instruction: helloPinInstruction(),
    async check(ctx) {
      const ev = await readWindows(ctx, ['dsregcmd']);
      const ds = ev.dsregcmd;
      if (ds === null) return failed(`dsregcmd /status could not be read: ${problemWith(ev, 'dsregcmd')}.`);
      const evidence = { ngcSet: ds.ngcSet };
      if (ds.ngcSet === true) return done('Windows Hello is set up (dsregcmd NgcSet YES).', evidence);
      if (ds.ngcSet === null) {
        return failed(
          'dsregcmd shows no User State: it ran outside the signed-in user session, so NgcSet cannot be read.',
          evidence,
          'Run tpm-doctor resume as the signed-in user.',
        );
      }
      return waiting(
        'Windows Hello has no PIN yet (dsregcmd NgcSet NO).',
        evidence,
        helloPinInstruction(ctx.facts.pinRules),
      );
    },
  };
}
