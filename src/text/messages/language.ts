/**
 * The language of human output. English is the default and the fallback; JSON and CSV are always
 * English whatever is chosen here (their keys and values are a contract for scripts).
 */
export const LANGUAGES = ['en', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** What the language is chosen from: the --lang flag, then the environment. */
export interface LanguageSources {
  flag?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  platform: string;
  /**
   * The locale Intl resolves by default (on Windows, the user's display language). A function:
   * creating an Intl formatter loads ICU data, a start-up cost paid only when it decides.
   */
  intlLocale: () => string;
}

/**
 * --lang wins. Otherwise the POSIX locale categories in their order of precedence (LC_ALL, then
 * LC_MESSAGES, then LANG; the first one set decides, POSIX.1-2017 Base Definitions §8.2), and on
 * Windows, where these are usually unset, the UI language as Intl resolves it (Node reads the
 * user's default locale from ICU, which on Windows follows the display language). A locale
 * starting with "ja" (ja_JP.UTF-8, ja-JP) means Japanese; anything else, and "C"/"POSIX", English.
 */
export function chooseLanguage(sources: LanguageSources): Language {
  if (sources.flag !== undefined && isLanguage(sources.flag)) return sources.flag;
  const { env } = sources;
  const posix = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  if (posix !== undefined) return japanese(posix) ? 'ja' : 'en';
  if (sources.platform === 'win32') return japanese(sources.intlLocale()) ? 'ja' : 'en';
  return 'en';
}

function japanese(locale: string): boolean {
  return /^ja(?:[_.@-]|$)/i.test(locale);
}
