import type { UiMessages } from './en.js';
import type { FindingTexts } from './en-findings.js';

/**
 * A translation: any subset of the English messages, each with the same signature (a message with
 * values takes the same values). What it lacks is shown in English.
 */
export type UiTranslation = { readonly [K in keyof UiMessages]?: UiMessages[K] };
export type FindingTranslation = {
  readonly [F in keyof FindingTexts]?: { readonly [K in keyof FindingTexts[F]]?: FindingTexts[F][K] };
};
