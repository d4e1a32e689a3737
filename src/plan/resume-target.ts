import { EN, type UiMessages } from '../text/messages/en.js';

/**
 * The TPM a run resumes on: `--tpm`, else the one the run recorded when it started (resume then
 * also checks its EK Name before touching anything), else TPM_DOCTOR_TPM or TPM2TOOLS_TCTI, else
 * this machine's.
 */
export function resumeTpmUri(input: {
  flag: string | undefined;
  recorded: string | null;
  env: string | undefined;
  machineDefault: () => string;
}): string {
  return input.flag ?? input.recorded ?? input.env ?? input.machineDefault();
}

/** Why a run cannot resume on `uri`, or undefined when it can: a lab TPM lives for one command only. */
export function resumeTargetRefusal(uri: string, ui: UiMessages = EN): string | undefined {
  if (!uri.startsWith('lab')) return undefined;
  return ui['refusal.resume-on-lab'];
}
