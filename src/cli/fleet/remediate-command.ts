import type { Language } from '../../text/messages/language.js';
import { REMEDIATE_COMMAND, runNewCampaign } from './campaign-command.js';

/** `tpm-doctor fleet remediate`: see campaign-command.ts. */
export const COMMAND = REMEDIATE_COMMAND;

export function run(argv: string[], language: Language = 'en'): Promise<number> {
  return runNewCampaign(argv, 'remediate', language);
}
