import { describe, expect, it } from 'vitest';
import { chooseLanguage, LANGUAGES } from '../../../src/text/messages/language.js';

const linux = (env: Record<string, string>, flag?: string) =>
  chooseLanguage({ flag, env, platform: 'linux', intlLocale: () => 'en-US' });

describe('the language of human output', () => {
  it('is English or Japanese', () => {
    expect(LANGUAGES).toEqual(['en', 'ja']);
  });

  it('--lang wins over the locale', () => {
    expect(linux({ LANG: 'ja_JP.UTF-8' }, 'en')).toBe('en');
    expect(linux({ LANG: 'C.UTF-8' }, 'ja')).toBe('ja');
  });

  it('follows LC_ALL, then LC_MESSAGES, then LANG (the first one set)', () => {
    expect(linux({ LANG: 'ja_JP.UTF-8' })).toBe('ja');
    expect(linux({ LANG: 'ja_JP.eucJP' })).toBe('ja');
    expect(linux({ LANG: 'ja' })).toBe('ja');
    expect(linux({ LC_ALL: 'C', LANG: 'ja_JP.UTF-8' })).toBe('en');
    expect(linux({ LC_MESSAGES: 'ja_JP.UTF-8', LANG: 'en_US.UTF-8' })).toBe('ja');
    expect(linux({ LC_ALL: '', LC_MESSAGES: 'ja_JP.UTF-8' })).toBe('ja');
    expect(linux({ LANG: 'jv_ID.UTF-8' })).toBe('en');
    expect(linux({})).toBe('en');
  });

  it('on Windows, without a POSIX locale, follows the display language Intl resolves', () => {
    const windows = (intlLocale: string, env: Record<string, string> = {}) =>
      chooseLanguage({ env, platform: 'win32', intlLocale: () => intlLocale });
    expect(windows('ja-JP')).toBe('ja');
    expect(windows('en-US')).toBe('en');
    expect(windows('ja-JP', { LANG: 'en_US.UTF-8' })).toBe('en');
    // Not on Linux: there an unset locale is the C locale.
    expect(
      chooseLanguage({
        env: {},
        platform: 'linux',
        intlLocale: () => {
          throw new Error('Intl is not asked on Linux');
        },
      }),
    ).toBe('en');
  });
});
