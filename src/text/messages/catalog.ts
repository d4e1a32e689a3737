import { EN, type UiMessages } from './en.js';
import type { FindingTexts } from './en-findings.js';
import type { Language } from './language.js';
import type { FindingTranslation } from './translation.js';

/** The messages human output is written with: one language, English where it has no text. */
export interface Messages {
  readonly language: Language;
  readonly ui: UiMessages;
  /** Finding texts that replace the English ones (src/text/messages/en-findings.ts). */
  readonly findings: FindingTranslation;
}

export const ENGLISH: Messages = { language: 'en', ui: EN, findings: {} };

/**
 * The messages for `language`. Only English is on the start-up path: another language's catalog
 * is loaded (a separate chunk of the build) when it is chosen.
 */
export async function loadMessages(language: Language): Promise<Messages> {
  if (language === 'en') return ENGLISH;
  const [{ JA }, { JA_FINDINGS }] = await Promise.all([import('./ja.js'), import('./ja-findings.js')]);
  return { language, ui: { ...EN, ...JA }, findings: JA_FINDINGS };
}

/** The English finding texts with a translation's texts laid over them, finding by finding. */
export function translateFindings(english: FindingTexts, translation: FindingTranslation): FindingTexts {
  const merged: Record<string, unknown> = { ...english };
  for (const [id, texts] of Object.entries(translation)) {
    merged[id] = { ...english[id as keyof FindingTexts], ...texts };
  }
  return merged as FindingTexts;
}
