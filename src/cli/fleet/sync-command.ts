import type { Language } from '../../text/messages/language.js';
import { runNewCampaign, SYNC_COMMAND } from './campaign-command.js';

/** `tpm-doctor fleet sync`: see campaign-command.ts. */
export const COMMAND = SYNC_COMMAND;

export function run(argv: string[], language: Language = 'en'): Promise<number> {
  return runNewCampaign(argv, 'sync', language);
}
