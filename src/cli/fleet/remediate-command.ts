import type { Language } from '../../text/messages/language.js';
import { runNewCampaign } from './campaign-command.js';

/** `tpm-doctor fleet remediate`: see campaign-command.ts. */
export function run(argv: string[], language: Language = 'en'): Promise<number> {
  return runNewCampaign(argv, 'remediate', language);
}
