import type { CommandSpec } from '../option-table.js';
import { VERBS } from '../verbs.js';

/** What a flag's value completes to: listed words (a comma-separated list of them), or paths. */
export interface CompletionValue {
  readonly choices?: readonly string[];
  readonly list?: boolean;
  readonly complete?: 'file' | 'dir';
}

export interface CompletionFlag {
  /** "--out", and "-o" when it has a short form. */
  readonly names: readonly string[];
  /** Undefined for a flag that takes no value. */
  readonly value?: CompletionValue;
}

/** One command as a shell sees it: the words typed to reach it, and what may follow. */
export interface CompletionNode {
  /** "" for tpm-doctor itself, "fleet sync" for a fleet sub-command. */
  readonly path: string;
  /** Sub-commands, or the words its positional argument takes. */
  readonly words: readonly string[];
  readonly flags: readonly CompletionFlag[];
}

/** --lang is taken out of every command line before the verb sees it (ui-language.ts). */
export const LANG_FLAG: CompletionFlag = { names: ['--lang'], value: { choices: ['ja', 'en'] } };

function nodeOf(path: string, spec: CommandSpec): CompletionNode {
  return { path, words: spec.positionals ?? [], flags: flagsOf(spec) };
}

function flagsOf(spec: CommandSpec): CompletionFlag[] {
  return Object.entries(spec.options).map(([name, o]) => ({
    names: o.short ? [`--${name}`, `-${o.short}`] : [`--${name}`],
    ...(o.type === 'string'
      ? {
          value: {
            ...(o.choices ? { choices: o.choices } : {}),
            ...(o.list ? { list: true } : {}),
            ...(o.complete ? { complete: o.complete } : {}),
          },
        }
      : {}),
  }));
}

/**
 * Every command's completions, read from the same option tables the commands parse with and lay
 * out their help from (`completion`'s own is given: it is the caller). Loads every verb's module:
 * only `tpm-doctor completion` calls this.
 */
export async function completionModel(completion: CommandSpec): Promise<CompletionNode[]> {
  const verbs = [...Object.keys(VERBS), 'completion'];
  const nodes: CompletionNode[] = [
    {
      path: '',
      words: [...verbs, 'help'],
      flags: [{ names: ['--help', '-h'] }, { names: ['--version', '-V'] }],
    },
    { path: 'help', words: verbs, flags: [] },
  ];
  nodes.push(nodeOf('completion', completion));
  // A verb the device build leaves out has no table there: it is offered, but not completed.
  for (const [name, verb] of Object.entries(VERBS)) {
    const module = await verb.load();
    if (module.COMMAND) nodes.push(nodeOf(name, module.COMMAND));
    for (const [subName, sub] of Object.entries(module.SUBCOMMANDS ?? {})) {
      const spec = (await sub.load()).COMMAND;
      if (spec) nodes.push(nodeOf(`${name} ${subName}`, spec));
    }
  }
  return nodes;
}
