import { isTypedWord } from '../text/typed-word.js';

/**
 * The one way tpm-doctor asks a person to confirm an action that changes devices: the question,
 * then a word typed on the terminal (CLEAR for every TPM clear, on one device or many, so the
 * word an admin learns means the same everywhere). False without a terminal: there is nobody to
 * ask, and the caller says that --yes is the way on.
 */
export async function askForTypedWord(options: {
  question: string;
  word: string;
  /** Where the question goes: stdout for a single clear (its report is there), stderr for fleet. */
  output: NodeJS.WriteStream;
  /** "Type CLEAR to continue: " in the admin's language. */
  typeWord?: (p: { word: string }) => string;
}): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  // Loaded here, not at start-up, and without import(): this module is in the core bundle, whose
  // code cache the launcher skips for a file with a dynamic import (src/cli/launcher.ts).
  const { createInterface } = process.getBuiltinModule('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: options.output });
  try {
    const typeWord = options.typeWord ?? ((p: { word: string }) => ` Type ${p.word} to continue: `);
    const answer = await rl.question(`${options.question}${typeWord({ word: options.word })}`);
    return isTypedWord(answer, options.word);
  } finally {
    rl.close();
  }
}
