import type { Language } from '../text/messages/language.js';
import type { CommandSpec } from './option-table.js';

/**
 * A verb (or a fleet sub-command): its one-line summary for the lists, and its module, loaded only
 * when run. The module's COMMAND is its option table and help page (`tpm-doctor completion` reads
 * them all;
 * the device build's stand-in for a verb it leaves out has none).
 */
export interface Verb {
  summary: string;
  load: () => Promise<{
    run(argv: string[], language: Language): Promise<number>;
    COMMAND?: CommandSpec;
    /** A verb with sub-commands (fleet): each of them. */
    SUBCOMMANDS?: Record<string, Verb>;
  }>;
}
