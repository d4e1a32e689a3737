/**
 * Finds English sentences where the console must speak Japanese: a text with no kana or kanji
 * that still has an English word once the words every language writes as they are (product
 * names, acronyms) and the tokens that are codes, ids, numbers or paths are taken out.
 */

/** Kana, kanji and the full-width forms: a Japanese text has some. */
const JAPANESE = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

/** Proper nouns and acronyms Japanese Windows and Intune write in Latin letters too. */
const PROPER_NOUNS = new Set([
  'Intune',
  'Graph',
  'TPM',
  'BitLocker',
  'LAB',
  'Entra',
  'ID',
  'BIOS',
  'UEFI',
  'Windows',
  'CLEAR',
  // A time zone as Intl names it in Japanese too ("2026-12-07 22:05:23 UTC", src/text/local-time.ts).
  'UTC',
]);

/**
 * A code, an id, a number, a path or a URL: a token with a digit or one of - _ . : / @ # inside
 * (sync-stale, tpm.lockout, CHG-1234, sqlite:/tmp/fleet.sqlite, 2026-12-07). A word followed
 * by a full stop or a comma is still a word.
 */
function isCodeLike(token: string): boolean {
  return /[0-9_:/@#]|[A-Za-z][-.][A-Za-z]/.test(token.replace(/[.,;!?)]+$/, ''));
}

/** True when `text` is English (or has English in it) without any Japanese. */
export function isEnglishSentence(text: string): boolean {
  if (JAPANESE.test(text)) return false;
  const words = text
    .split(/\s+/)
    .filter((token) => token !== '' && !isCodeLike(token))
    .flatMap((token) => token.match(/[A-Za-z]{2,}/g) ?? []);
  return words.some((word) => !PROPER_NOUNS.has(word));
}

/** A JSON path (`devices[0].phaseTitle`) and the text found there. */
export interface FoundText {
  path: string;
  text: string;
}

/**
 * Every string of an API answer that is shown to people, with its path; `skip` says which paths
 * carry data rather than display text (codes, ids, times, tenant data, the CLI's JSON contract).
 */
export function displayTexts(
  value: unknown,
  skip: (path: string, value: unknown) => boolean,
  path = '',
): FoundText[] {
  if (path !== '' && skip(path, value)) return [];
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => displayTexts(item, skip, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) =>
      displayTexts(item, skip, path === '' ? key : `${path}.${key}`),
    );
  return [];
}
