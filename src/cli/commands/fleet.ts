import { EXIT } from '../../exit-codes.js';
import type { Language } from '../../text/messages/language.js';
import { closest, printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage } from '../option-table.js';
import { UsageError } from '../usage-error.js';
import type { Verb } from '../verb.js';

/**
 * `tpm-doctor fleet <sub-command>`: the Intune fleet through Microsoft Graph. Each sub-command
 * lives in src/cli/fleet/ and is loaded only when run.
 */
export const SUBCOMMANDS: Record<string, Verb> = {
  triage: {
    summary: 'Classify every Windows device: TPM-related non-compliance, sync, and whether a clear is safe.',
    load: () => import('../fleet/triage-command.js'),
  },
  sync: {
    summary: 'Campaign: sync (or --reboot) selected devices within Graph limits, tracked to compliant.',
    load: () => import('../fleet/sync-command.js'),
  },
  remediate: {
    summary: "Campaign: run tpm-doctor's evidence script (Intune Remediations) on selected devices.",
    load: () => import('../fleet/remediate-command.js'),
  },
  clear: {
    summary: 'Campaign: clear the TPM of devices triaged safe, each behind its own gate, to compliant.',
    load: () => import('../fleet/clear-command.js'),
  },
  resume: {
    summary: 'Continue a stopped or crashed campaign; nothing is posted twice.',
    load: () => import('../fleet/resume-command.js'),
  },
  abandon: {
    summary: 'Give up a stopped campaign for good: never posted again, its open devices listed.',
    load: () => import('../fleet/abandon-command.js'),
  },
  status: {
    summary: "Campaigns and triage runs in the store; one campaign's devices by phase.",
    load: () => import('../fleet/status-command.js'),
  },
};

export const COMMAND: CommandSpec = {
  name: 'fleet',
  options: { help: HELP_OPTION },
  positionals: Object.keys(SUBCOMMANDS),
  page: {
    title: 'Intune devices through Microsoft Graph.',
    usage: '<sub-command> [options]',
    about: `Sub-commands:
${Object.entries(SUBCOMMANDS)
  .map(([name, s]) => `  ${name.padEnd(10)} ${s.summary}`)
  .join('\n')}

A typical session:
  tpm-doctor fleet triage --tenant lab                    # who is broken, and why (LAB tenant)
  tpm-doctor fleet sync --tenant lab --class sync-stale   # bring the stale ones back
  tpm-doctor fleet status                                 # campaigns and their devices

Reads and writes go through one client that paces itself under Intune's published limits (2,000
requests and 200 writes per 20 s per app) so Graph never has to throttle it. Campaign state is
kept in a store: a SQLite file by default, PostgreSQL with --store postgres://...`,
    optionsTitle: 'Options:',
    footer: '"tpm-doctor fleet <sub-command> --help" for each. Permissions: docs/graph-auth.md.',
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const [sub, ...rest] = argv;
  const helpFor = sub === 'help' && rest[0] !== undefined ? SUBCOMMANDS[rest[0]] : undefined;
  if (helpFor) return (await helpFor.load()).run(['--help'], language);
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    printHelp(helpPage(COMMAND));
    return sub === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const command = SUBCOMMANDS[sub];
  if (!command) {
    const guess = closest(sub, Object.keys(SUBCOMMANDS));
    throw new UsageError(
      `unknown fleet sub-command "${sub}"${guess ? `: did you mean "${guess}"?` : ''} (${Object.keys(SUBCOMMANDS).join(', ')})`,
      'fleet',
    );
  }
  return (await command.load()).run(rest, language);
}
