import { runNewCampaign } from './campaign-command.js';

/** `tpm-doctor fleet remediate`: see campaign-command.ts. */
export function run(argv: string[]): Promise<number> {
  return runNewCampaign(argv, 'remediate');
}
