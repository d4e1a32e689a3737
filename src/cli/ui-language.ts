import { chooseLanguage, isLanguage, type Language } from '../text/messages/language.js';
import { UsageError } from './usage-error.js';

/**
 * `--lang ja|en` is global: taken out of the command line before the verb parses it, so every
 * verb accepts it in any position (but not after `--`, where arguments are no longer options).
 * Without it, the locale decides (text/messages/language.ts).
 */
export function takeLanguage(argv: readonly string[]): { language: Language; rest: string[] } {
  const rest: string[] = [];
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--lang' || arg.startsWith('--lang=')) {
      const value = arg === '--lang' ? argv[++i] : arg.slice('--lang='.length);
      if (value === undefined || !isLanguage(value)) {
        throw new UsageError(
          `--lang expects ja or en, got ${value === undefined ? 'nothing' : `"${value}"`}`,
        );
      }
      flag = value;
      continue;
    }
    rest.push(arg);
  }
  const language = chooseLanguage({
    flag,
    env: process.env,
    platform: process.platform,
    intlLocale: () => Intl.DateTimeFormat().resolvedOptions().locale,
  });
  return { language, rest };
}
