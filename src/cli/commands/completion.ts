import { EXIT } from '../../exit-codes.js';
import { parseVerbArgs } from '../args.js';
import { bashCompletion } from '../completion/bash-completion.js';
import { completionModel } from '../completion/completion-model.js';
import { renderPowerShellCompletion } from '../completion/powershell-completion.js';
import { zshCompletion } from '../completion/zsh-completion.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';

const SHELLS = {
  bash: bashCompletion,
  zsh: zshCompletion,
  powershell: renderPowerShellCompletion,
} as const;

const OPTIONS = { help: HELP_OPTION } as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'completion',
  options: OPTIONS,
  positionals: Object.keys(SHELLS),
  page: {
    title: 'print a shell completion script for tpm-doctor.',
    usage: 'bash|zsh|powershell',
    about: `The script completes commands, sub-commands, flags and the values a flag
takes (--class, --format, --lang, ...; paths where a flag names a file), from
the same tables the commands read their options from. Regenerate it after an
upgrade. To load it in every new shell:
  bash        add to ~/.bashrc:     source <(tpm-doctor completion bash)
  zsh         add to ~/.zshrc:      source <(tpm-doctor completion zsh)
              (after compinit)
  powershell  add to $PROFILE:      tpm-doctor completion powershell |
                                    Out-String | Invoke-Expression`,
    optionsTitle: 'Options:',
    footer: 'Exit status: 0 printed; 2 wrong command line (no shell, or one not listed).',
  },
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs('completion', argv, OPTIONS, true);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const shell = positionals[0];
  if (positionals.length !== 1 || shell === undefined || !Object.hasOwn(SHELLS, shell)) {
    throw new UsageError(`which shell? ${Object.keys(SHELLS).join(', ')}`, 'completion');
  }
  process.stdout.write(SHELLS[shell as keyof typeof SHELLS](await completionModel(COMMAND)));
  return EXIT.OK;
}
