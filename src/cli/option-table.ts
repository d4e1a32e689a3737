/**
 * One table per command: each option is declared once, with what Node's parseArgs needs (type,
 * short, multiple) and what a reader needs (its value's name, its help text, its group). The
 * table is passed to parseArgs as it is (parseArgs reads only `type`, `short`, `multiple` and
 * `default`: https://nodejs.org/api/util.html#utilparseargsconfig), the help page is laid out
 * from it, and `tpm-doctor completion` writes the shell completion scripts from it, so the three
 * cannot drift apart.
 */

/** A block of options shared by several commands, printed under its title. */
export interface OptionGroup {
  readonly title: string;
  /** Text printed after the group's options. */
  readonly note?: string;
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's name in the help (URI, FILE, DURATION, ...); a string option only. */
  readonly value?: string;
  /**
   * The help text. Lines after the first are printed under the description column, keeping their
   * own extra indent (a list of forms stays a list).
   */
  readonly help: string;
  /** Its shared block; without one, the command's own options, listed first. */
  readonly group?: OptionGroup;
  /** The values a shell may complete (a comma-separated list when `list`). */
  readonly choices?: readonly string[];
  /** The value is a comma-separated list of `choices`. */
  readonly list?: boolean;
  /** The value names a file (or, for `dir`, a folder): the shell completes paths. */
  readonly complete?: 'file' | 'dir';
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** A command's help page, around its options. */
export interface CommandPage {
  /** What follows "tpm-doctor NAME: " on the first line. */
  readonly title: string;
  /** What follows "Usage: tpm-doctor NAME "; later lines are indented under the first. */
  readonly usage: string;
  /** Paragraphs between the usage and the options. */
  readonly about?: string;
  /** A heading over the command's own options ("Options:", "Output:"), when it has one. */
  readonly optionsTitle?: string;
  /** Text printed right after the command's own options. */
  readonly optionsNote?: string;
  /** Examples, exit codes: the end of the page. */
  readonly footer?: string;
}

export interface CommandSpec {
  /** As typed after "tpm-doctor": "status", "fleet sync". */
  readonly name: string;
  readonly options: OptionTable;
  readonly page: CommandPage;
  /** The words a shell may complete where the command takes a positional argument. */
  readonly positionals?: readonly string[];
}

/** -h/--help: in every command's table. */
export const HELP_OPTION = { type: 'boolean', short: 'h', help: 'This help.' } as const;

/** The flag as the help shows it: "-q, --quiet", "--store SPEC". */
function optionTerm(name: string, spec: OptionSpec): string {
  const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}`;
  return spec.type === 'string' ? `${flag} ${spec.value ?? 'VALUE'}` : flag;
}

/** Descriptions start at one column per page, unless a term is longer than this. */
const MAX_TERM_COLUMN = 30;

/**
 * The help page of a command, before it is laid out to 80 columns (formatHelp in help.ts wraps a
 * long description under its column). Groups come in the order the table first names them, after
 * the command's own options.
 */
export function helpPage(spec: CommandSpec): string {
  const { page, options } = spec;
  const entries = Object.entries(options);
  const column = Math.min(
    MAX_TERM_COLUMN,
    2 + Math.max(...entries.map(([name, o]) => optionTerm(name, o).length)) + 2,
  );
  const row = (name: string, o: OptionSpec): string[] => {
    const term = `  ${optionTerm(name, o)}`;
    const [first = '', ...more] = o.help.split('\n');
    const lead =
      term.length + 2 <= column ? [term.padEnd(column) + first] : [term, ' '.repeat(column) + first];
    return [...lead, ...more.map((line) => ' '.repeat(column) + line)];
  };
  const groups: (OptionGroup | undefined)[] = [undefined];
  for (const [, o] of entries) if (o.group && !groups.includes(o.group)) groups.push(o.group);
  const blocks: string[] = [];
  for (const group of groups) {
    const rows = entries.filter(([, o]) => o.group === group).flatMap(([name, o]) => row(name, o));
    const title = group ? group.title : page.optionsTitle;
    const note = group ? group.note : page.optionsNote;
    if (rows.length > 0)
      blocks.push([...(title ? [title] : []), ...rows, ...(note ? [note] : [])].join('\n'));
  }
  const usage = page.usage
    .split('\n')
    .map((line, i) =>
      // A line of its own form ("tpm-doctor resume --user-steps") starts under the first form.
      i === 0
        ? line
        : line.startsWith('tpm-doctor ')
          ? `       ${line}`
          : ' '.repeat(`Usage: tpm-doctor ${spec.name} `.length) + line,
    )
    .join('\n');
  return `${[
    `tpm-doctor ${spec.name}: ${page.title}`,
    `Usage: tpm-doctor ${spec.name} ${usage}`,
    ...(page.about ? [page.about] : []),
    ...blocks,
    ...(page.footer ? [page.footer] : []),
  ].join('\n\n')}\n`;
}
