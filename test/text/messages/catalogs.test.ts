/**
 * The message catalogs: every message exists in every language, and the Japanese is Japanese (not
 * an English text copied over). English is the fallback at run time, never in the catalogs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGLISH, loadMessages, translateFindings } from '../../../src/text/messages/catalog.js';
import { EN } from '../../../src/text/messages/en.js';
import { EN_FINDINGS } from '../../../src/text/messages/en-findings.js';
import { JA } from '../../../src/text/messages/ja.js';
import { JA_FINDINGS } from '../../../src/text/messages/ja-findings.js';

/** Kana or kanji: a Japanese sentence has some. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** Any message's values: every value is 3 (a count, seconds, a truthy flag, a word). */
const VALUES = new Proxy({}, { get: () => 3 });

function text(message: unknown): string {
  if (typeof message === 'string') return message;
  if (typeof message === 'function') return String(message(VALUES));
  throw new Error(`not a message: ${String(message)}`);
}

function leaves(catalog: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(catalog)) {
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of leaves(value, `${prefix}${key}/`)) out.set(k, v);
    } else out.set(`${prefix}${key}`, value);
  }
  return out;
}

const catalogs = [
  { name: 'messages', en: leaves(EN), ja: leaves(JA) },
  { name: 'finding texts', en: leaves(EN_FINDINGS), ja: leaves(JA_FINDINGS) },
];

describe.each(catalogs)('the $name', ({ en, ja }) => {
  it('exist in both languages, key for key', () => {
    expect([...ja.keys()].filter((k) => !en.has(k))).toEqual([]);
    expect([...en.keys()].filter((k) => !ja.has(k))).toEqual([]);
  });

  it('are Japanese in Japanese: kana or kanji, and not the English text', () => {
    for (const [key, message] of ja) {
      const shown = text(message);
      expect(shown, key).toMatch(JAPANESE);
      expect(shown, key).not.toBe(text(en.get(key)));
    }
  });

  it('take the same values in both languages', () => {
    for (const [key, message] of ja) expect(typeof message, key).toBe(typeof en.get(key));
  });
});

describe('every finding of docs/findings.md', () => {
  const doc = readFileSync(new URL('../../../docs/findings.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^### ([a-z]+\.[a-z0-9-]+)\s*$/gm)].map((m) => m[1]!);

  it('has its texts in Japanese', () => {
    expect(documented.length).toBeGreaterThan(20);
    const english = new Set(Object.keys(EN_FINDINGS));
    const japanese = new Set(Object.keys(JA_FINDINGS));
    expect(documented.filter((id) => !english.has(id))).toEqual([]);
    expect(documented.filter((id) => !japanese.has(id))).toEqual([]);
  });
});

describe('loading a language', () => {
  it('English needs no catalog loaded', async () => {
    expect(await loadMessages('en')).toBe(ENGLISH);
  });

  it('Japanese lays its texts over the English ones', async () => {
    const ja = await loadMessages('ja');
    expect(ja.ui['verdict.healthy']).toBe(JA['verdict.healthy']);
    const texts = translateFindings(EN_FINDINGS, ja.findings);
    expect(texts['tpm.lockout'].title).toBe(JA_FINDINGS['tpm.lockout'].title);
  });

  it('a message a translation lacks is shown in English', () => {
    const texts = translateFindings(EN_FINDINGS, { 'tpm.lockout': { title: 'ロックアウト' } });
    expect(texts['tpm.lockout'].title).toBe('ロックアウト');
    expect(texts['tpm.lockout'].why).toBe(EN_FINDINGS['tpm.lockout'].why);
    expect(texts['tpm.stale-objects']).toBe(EN_FINDINGS['tpm.stale-objects']);
  });
});
