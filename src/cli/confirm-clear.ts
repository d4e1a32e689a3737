import type { UiMessages } from '../text/messages/en.js';
import { CLEAR_WORD } from '../text/typed-word.js';
import { askForTypedWord } from './typed-confirmation.js';
import { UsageError } from './usage-error.js';

/** Typed confirmation on a terminal; without one, --yes is required (no silent destruction). */
export async function confirmClear(ui: UiMessages): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'no terminal to confirm on: pass --yes to clear without a typed confirmation',
      'clear',
    );
  }
  return askForTypedWord({
    question: ui['clear.confirm'],
    word: CLEAR_WORD,
    output: process.stdout,
    typeWord: ui['clear.confirm-type'],
  });
}
