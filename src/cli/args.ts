import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closest } from './help.js';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Node's own parseArgs (no dependency to load at start-up), in strict mode, with its errors
 * turned into UsageErrors that name the verb so the message can point at `--help`.
 */
export function parseVerbArgs<O extends Options, P extends boolean = false>(
  verb: string,
  argv: string[],
  options: O,
  allowPositionals?: P,
) {
  try {
    return parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: (allowPositionals ?? false) as P,
    });
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${message}${suggestion(message, options)}`, verb);
  }
}

/** ": did you mean --tpm?" for an unknown option close to a real one (Node's message names it). */
function suggestion(message: string, options: Options): string {
  const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (unknown === undefined || !unknown.startsWith('--')) return '';
  // `--csv` where `--format csv` is meant: a value of an option with choices, given as a flag.
  const name = unknown.slice(2);
  for (const [option, spec] of Object.entries(options)) {
    const choices = (spec as { choices?: readonly string[] }).choices;
    if (choices?.includes(name)) return `: did you mean --${option} ${name}?`;
  }
  const guess = closest(unknown.slice(2), Object.keys(options));
  return guess ? `: did you mean --${guess}?` : '';
}
